/**
 * One organization's daily summary: what the report shows in numbers, kept as `summary.json` beside it so
 * the next day can say what changed, and returned to callers (a portfolio page needs nothing more). The
 * previous day's summary is read back from the bucket, so it is validated before it is compared with.
 */
import * as z from "zod/mini";
import type { ControlStatus, Severity } from "../controls/types.js";
import { clean } from "../shared/output-safety.js";
import type { FindingProblemCode, ReportedControl } from "./daily-report-findings.js";
import "../shared/zod-messages.js";

/** Control statuses, worst first (the order of every list and count). */
export const REPORT_STATUSES: readonly ControlStatus[] = [
  "FAIL",
  "ERROR",
  "MANUAL",
  "MUTED",
  "PASS",
  "NOT_APPLICABLE",
];
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
/** Failing controls listed in a summary, worst first. */
export const WORST_LISTED = 5;

/** The keys one report run wrote for an organization. */
export interface ReportKeys {
  html: string;
  csv: string;
  ocsf: string;
  summary: string;
  latest: string;
}

/** An organization's report in numbers (`reports/{orgId}/{date}/summary.json`). */
export interface OrgReportSummary {
  schemaVersion: 1;
  orgId: string;
  /** The report's UTC date, `YYYY-MM-DD`. */
  date: string;
  /** The report's time (ISO 8601): the event's, or when it ran. */
  time: string;
  /** Controls by the status the report shows (stale, missing and invalid findings count as ERROR). */
  counts: Record<ControlStatus, number>;
  /** Controls shown as ERROR because their latest finding was stale, missing or not trusted. */
  problems: { stale: number; missing: number; invalid: number };
  /** Every reported control's status, in catalog order. */
  controls: { controlId: string; status: ControlStatus; problem?: FindingProblemCode }[];
  /** The failing controls, by severity then failing resources, at most five. */
  worst: { controlId: string; title: string; severity: Severity; failing: number }[];
  keys: ReportKeys;
}

/** What changed since the previous day's report, or why that cannot be said. */
export type DailyChanges =
  | { kind: "no-previous"; date: string }
  | { kind: "unusable"; date: string; reason: string }
  | {
      kind: "compared";
      date: string;
      /** Controls whose status differs (`absent`: not reported that day). */
      controls: {
        controlId: string;
        title: string;
        from: ControlStatus | "absent";
        to: ControlStatus | "absent";
      }[];
      /** Today's count minus the previous day's, per status. */
      deltas: Record<ControlStatus, number>;
    };

/** Builds the summary of an organization's reported controls. */
export function summarize(
  orgId: string,
  date: string,
  time: string,
  reported: readonly ReportedControl[],
  keys: ReportKeys,
): OrgReportSummary {
  const counts = zeroCounts();
  const problems = { stale: 0, missing: 0, invalid: 0 };
  for (const { finding, problem } of reported) {
    counts[finding.status] += 1;
    if (problem?.code === "FINDING_STALE") problems.stale += 1;
    if (problem?.code === "FINDING_MISSING") problems.missing += 1;
    if (problem?.code === "FINDING_INVALID") problems.invalid += 1;
  }
  const worst = reported
    .map((r) => r.finding)
    .filter((f) => f.status === "FAIL")
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        b.counts.FAIL - a.counts.FAIL ||
        a.controlId.localeCompare(b.controlId, undefined, { numeric: true }),
    )
    .slice(0, WORST_LISTED)
    .map((f) => ({ controlId: f.controlId, title: f.title, severity: f.severity, failing: f.counts.FAIL }));
  return {
    schemaVersion: 1,
    orgId,
    date,
    time,
    counts,
    problems,
    controls: reported.map(({ finding, problem }) => ({
      controlId: finding.controlId,
      status: finding.status,
      ...(problem ? { problem: problem.code } : {}),
    })),
    worst,
    keys,
  };
}

const status = z.enum(["PASS", "FAIL", "MANUAL", "ERROR", "NOT_APPLICABLE", "MUTED"]);
const count = z.number().check(z.int(), z.minimum(0));
const previousSchema = z.object({
  schemaVersion: z.literal(1),
  orgId: z.string(),
  date: z.string(),
  counts: z.object({
    PASS: count,
    FAIL: count,
    MANUAL: count,
    ERROR: count,
    NOT_APPLICABLE: count,
    MUTED: count,
  }),
  controls: z
    .array(z.object({ controlId: z.string().check(z.maxLength(16)), status }))
    .check(z.maxLength(1000)),
});

/**
 * Compares today's summary with the previous day's `summary.json` text (undefined: there was none). A
 * document that is not a summary of this organization for that day is reported as unusable, with why.
 */
export function changesSince(
  today: OrgReportSummary,
  previousDate: string,
  previousText: string | undefined,
  titleOf: (controlId: string) => string,
): DailyChanges {
  if (previousText === undefined) return { kind: "no-previous", date: previousDate };
  const unusable = (reason: string): DailyChanges => ({ kind: "unusable", date: previousDate, reason });
  let value: unknown;
  try {
    value = JSON.parse(previousText);
  } catch {
    return unusable("it is not JSON");
  }
  const parsed = z.safeParse(previousSchema, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return unusable(`${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  const previous = parsed.data;
  if (previous.orgId !== today.orgId)
    return unusable(`it is the summary of organization ${clean(previous.orgId, 64)}`);
  if (previous.date !== previousDate) return unusable(`it is dated ${clean(previous.date, 32)}`);

  const before = new Map(previous.controls.map((c) => [c.controlId, c.status]));
  const now = new Map(today.controls.map((c) => [c.controlId, c.status]));
  const controls: Extract<DailyChanges, { kind: "compared" }>["controls"] = [];
  for (const c of today.controls) {
    const from = before.get(c.controlId) ?? "absent";
    if (from !== c.status)
      controls.push({ controlId: c.controlId, title: titleOf(c.controlId), from, to: c.status });
  }
  for (const [controlId, from] of before)
    if (!now.has(controlId))
      controls.push({ controlId: clean(controlId, 16), title: titleOf(controlId), from, to: "absent" });
  const deltas = zeroCounts();
  for (const s of REPORT_STATUSES) deltas[s] = today.counts[s] - previous.counts[s];
  return { kind: "compared", date: previousDate, controls, deltas };
}

/** The UTC date `days` before a `YYYY-MM-DD` date. */
export function dateBefore(date: string, days = 1): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

function zeroCounts(): Record<ControlStatus, number> {
  return { FAIL: 0, ERROR: 0, MANUAL: 0, MUTED: 0, PASS: 0, NOT_APPLICABLE: 0 };
}
