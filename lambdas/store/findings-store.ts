/** Where findings live: a local folder for the CLI, S3 for the Lambdas; both use the same layout. */
import type { ControlFinding, RunReport } from "../engine/findings.js";

/** Persistence of findings and run reports. */
export interface FindingsStore {
  /** Writes a control's finding to its history and as its latest. */
  putFinding(finding: ControlFinding): Promise<void>;
  /** The latest finding of a control, whatever its status. */
  getLatest(orgId: string, controlId: string): Promise<ControlFinding | undefined>;
  /** The most recent finding that was not ERROR, to compare against (ERROR says nothing about posture). */
  getLatestEvaluated(orgId: string, controlId: string): Promise<ControlFinding | undefined>;
  /** Writes a run report. */
  putRun(report: RunReport): Promise<void>;
}

/** The tag on history objects in S3; the bucket's lifecycle rule expires history by it. */
export const HISTORY_TAG = { key: "retention", value: "history" } as const;

/** Object keys, identical locally and in S3. */
export const layout = {
  latest: (orgId: string, controlId: string) => `findings/${orgId}/${controlId}/latest.json`,
  historyPrefix: (orgId: string, controlId: string) => `findings/${orgId}/${controlId}/history/`,
  history: (orgId: string, controlId: string, evaluatedAt: string) =>
    `findings/${orgId}/${controlId}/history/${timestampKey(evaluatedAt)}.json`,
  run: (orgId: string, runId: string) => `runs/${orgId}/${runId}.json`,
};

/** An ISO timestamp made safe for file names (no colons) and still sorting by time. */
export function timestampKey(iso: string): string {
  return iso.replace(/:/g, "-");
}
