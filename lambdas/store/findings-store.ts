/** Where findings live: a local folder for the CLI, S3 for the Lambdas; both use the same layout. */
import type { ControlFinding, RunReport } from "../engine/findings.js";

/** Persistence of findings and run reports. */
export interface FindingsStore {
  /** Writes a control's finding to its history and as its latest (and as its last evaluated, unless ERROR). */
  putFinding(finding: ControlFinding): Promise<void>;
  /** The latest finding of a control, whatever its status. */
  getLatest(orgId: string, controlId: string): Promise<ControlFinding | undefined>;
  /** The most recent finding that was not ERROR, however old, to compare against (ERROR says nothing about posture). */
  getLatestEvaluated(orgId: string, controlId: string): Promise<ControlFinding | undefined>;
  /** Writes a run report. */
  putRun(report: RunReport): Promise<void>;
}

/** The tag on history objects in S3; the bucket's lifecycle rule expires history by it. */
export const HISTORY_TAG = { key: "retention", value: "history" } as const;

/** Object keys, identical locally and in S3. */
export const layout = {
  latest: (orgId: string, controlId: string) => `findings/${orgId}/${controlId}/latest.json`,
  /**
   * A full copy of the control's last finding that was not ERROR: the baseline of regressions however
   * long the control has been in ERROR. Never tagged, so it outlives the history it was copied from.
   */
  lastEvaluated: (orgId: string, controlId: string) => `findings/${orgId}/${controlId}/last-evaluated.json`,
  /**
   * Written once when history was scanned for an evaluated finding (stores that predate
   * `last-evaluated.json`) and held none, so that scan is not repeated on every run of an ERROR streak.
   */
  historyScanned: (orgId: string, controlId: string) => `findings/${orgId}/${controlId}/history-scanned.json`,
  historyPrefix: (orgId: string, controlId: string) => `findings/${orgId}/${controlId}/history/`,
  history: (orgId: string, controlId: string, evaluatedAt: string) =>
    `findings/${orgId}/${controlId}/history/${timestampKey(evaluatedAt)}.json`,
  run: (orgId: string, runId: string) => `runs/${orgId}/${runId}.json`,
};

/** An ISO timestamp made safe for file names (no colons) and still sorting by time. */
export function timestampKey(iso: string): string {
  return iso.replace(/:/g, "-");
}

/** The document at `layout.historyScanned`: how many history entries were read, none of them evaluated. */
export interface HistoryScan {
  entries: number;
  evaluated: 0;
}

/** The JSON documents of a store, as both stores provide them, so they keep findings the same way. */
export interface FindingsDocuments {
  read<T>(key: string): Promise<T | undefined>;
  /** Writes a whole document atomically; `history` marks a history entry (tagged to expire in S3). */
  write(key: string, value: unknown, history?: boolean): Promise<void>;
  /** Every key under a prefix, in any order. */
  list(prefix: string): Promise<string[]>;
}

/**
 * Writes a finding: history, then (unless ERROR) the last evaluated copy, then latest. latest.json goes
 * last so that, if a write fails, the retried run compares against the same baseline as the failed one.
 */
export async function writeFinding(docs: FindingsDocuments, finding: ControlFinding): Promise<void> {
  const { orgId, controlId } = finding;
  await docs.write(layout.history(orgId, controlId, finding.evaluatedAt), finding, true);
  if (finding.status !== "ERROR") await docs.write(layout.lastEvaluated(orgId, controlId), finding);
  await docs.write(layout.latest(orgId, controlId), finding);
}

/**
 * The last finding that was not ERROR: latest.json when it is evaluated, else last-evaluated.json. A
 * store written before last-evaluated.json existed has only its history: that is scanned (newest first,
 * every entry) once, and what it finds is copied to last-evaluated.json, or its absence recorded.
 */
export async function readLatestEvaluated(
  docs: FindingsDocuments,
  orgId: string,
  controlId: string,
): Promise<ControlFinding | undefined> {
  const latest = await docs.read<ControlFinding>(layout.latest(orgId, controlId));
  if (!latest) return undefined;
  if (latest.status !== "ERROR") return latest;
  const copy = await docs.read<ControlFinding>(layout.lastEvaluated(orgId, controlId));
  if (copy && copy.status !== "ERROR") return copy;
  if (await docs.read<HistoryScan>(layout.historyScanned(orgId, controlId))) return undefined;

  // History keys sort by time.
  const keys = (await docs.list(layout.historyPrefix(orgId, controlId))).sort().reverse();
  for (const key of keys) {
    // An entry may expire between listing and reading: it is then skipped.
    const finding = await docs.read<ControlFinding>(key);
    if (finding && finding.status !== "ERROR") {
      await docs.write(layout.lastEvaluated(orgId, controlId), finding);
      return finding;
    }
  }
  const scan: HistoryScan = { entries: keys.length, evaluated: 0 };
  await docs.write(layout.historyScanned(orgId, controlId), scan);
  return undefined;
}
