/** Findings: the per-control document and the run report, as stored and as alerted. */
import type { DatasetError } from "../collect/snapshot.js";
import type { ControlStatus, Level, ResourceResult, ResultStatus, Severity } from "../controls/types.js";

/** Version of the findings documents (docs/finding.schema.json). */
export const SCHEMA_VERSION = "1.0";

/** The verdict on one control in one run. */
export interface ControlFinding {
  schemaVersion: typeof SCHEMA_VERSION;
  runId: string;
  orgId: string;
  controlId: string;
  title: string;
  section: string;
  level: Level;
  severity: Severity;
  frameworks: { cis: string[]; nist: string[]; soc2: string[] };
  status: ControlStatus;
  /** One sentence with observed and expected values. */
  summary: string;
  results: ResourceResult[];
  counts: Record<ResultStatus, number>;
  /** Passing results left out of `results` to keep large organizations' findings small (`counts` has them all). */
  omitted?: { PASS: number };
  /** Why the control could not be evaluated (status ERROR) or is not applicable. */
  error?: { code: string; message: string; datasets: DatasetError[] };
  evidence?: Record<string, unknown>;
  evaluatedAt: string;
  durationMs: number;
}

/** A change for the worse since the last evaluated run. */
export interface Regression {
  kind: "status" | "resource" | "value";
  controlId: string;
  title: string;
  severity: Severity;
  level: Level;
  message: string;
  from?: string;
  to?: string;
  resource?: { type: string; id: string; name: string; check: string };
}

/** A change for the better (never ERROR → anything). */
export type Recovery = Regression;

/** Per framework requirement, the worst status of the controls mapped to it. */
export interface ComplianceEntry {
  framework: "CIS Controls v8" | "NIST SP 800-53 Rev 5" | "SOC 2 TSC";
  requirement: string;
  status: ControlStatus;
  controls: string[];
}

/** One audit run over one organization. */
export interface RunReport {
  schemaVersion: typeof SCHEMA_VERSION;
  runId: string;
  orgId: string;
  organizationName?: string;
  startedAt: string;
  finishedAt: string;
  controls: ControlFinding[];
  regressions: Regression[];
  recoveries: Recovery[];
  compliance: ComplianceEntry[];
  exceptions: {
    applied: number;
    expired: { controlId: string; resource: string; owner: string; expires: string }[];
    /** The expiry limit of the run: exceptions may run at most this many days ahead. */
    maxDays?: number;
    /** Active exceptions that mute every resource of a control (`allResources: true`) and how many results they muted. */
    allResources?: AllResourcesException[];
  };
  api: { requests: number; retries: number };
}

/** An active exception muting every resource of a control, as reported by a run. */
export interface AllResourcesException {
  controlId: string;
  check?: string;
  reason: string;
  owner: string;
  expires: string;
  /** Failing results it turned MUTED in this run. */
  muted: number;
}

/**
 * Order of result statuses, worst first. FAIL ranks above ERROR so that a check that could not be
 * evaluated never hides another check's failure.
 */
const RESULT_ORDER: ResultStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS"];

/** Status of a control from its results: the worst one; PASS when there are none. */
export function statusFromResults(results: readonly ResourceResult[]): ResultStatus {
  return RESULT_ORDER.find((status) => results.some((r) => r.status === status)) ?? "PASS";
}

/** Keeps every non-passing result and at most `limit` passing ones (in order); records how many were left out. */
export function trimPassResults(finding: ControlFinding, limit: number): ControlFinding {
  if (finding.counts.PASS <= limit) return finding;
  let passing = 0;
  const results = finding.results.filter((r) => r.status !== "PASS" || ++passing <= limit);
  return { ...finding, results, omitted: { PASS: finding.counts.PASS - limit } };
}

/** Counts results per status. */
export function countResults(results: readonly ResourceResult[]): Record<ResultStatus, number> {
  const counts: Record<ResultStatus, number> = { PASS: 0, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 };
  for (const r of results) counts[r.status] += 1;
  return counts;
}
