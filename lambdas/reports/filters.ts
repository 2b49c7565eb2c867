/**
 * Report filters: `--status`, `--severity` and `--compliance` narrow what a report shows or writes.
 * They make a view of a run report; the findings store and the exit code always see the whole run.
 * Pure functions.
 */
import type { ControlStatus, Severity } from "../controls/types.js";
import type { ComplianceEntry, ControlFinding, RunReport } from "../engine/findings.js";
import { clean } from "../shared/output-safety.js";

/** Control statuses in display order (the order of the table's totals). */
export const STATUSES: readonly ControlStatus[] = [
  "PASS",
  "FAIL",
  "MANUAL",
  "ERROR",
  "NOT_APPLICABLE",
  "MUTED",
];
/** How each status is written in every report (status is never told by colour alone). */
export const STATUS_LABELS: Readonly<Record<ControlStatus, string>> = {
  PASS: "PASS",
  FAIL: "FAIL",
  MANUAL: "MANUAL",
  ERROR: "ERROR",
  NOT_APPLICABLE: "N/A",
  MUTED: "MUTED",
};
/** Severities, worst first. */
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];
/** The frameworks of the compliance rollup, by their `--compliance` name. */
export const FRAMEWORKS = {
  cis: "CIS Controls v8",
  nist: "NIST SP 800-53 Rev 5",
  soc2: "SOC 2 TSC",
} as const satisfies Record<string, ComplianceEntry["framework"]>;
/** A `--compliance` name. */
export type FrameworkKey = keyof typeof FRAMEWORKS;

/** What a report is narrowed to; an absent filter keeps everything. */
export interface ReportFilters {
  /** Results, controls and compliance entries with one of these statuses. */
  statuses?: readonly ControlStatus[];
  /** Controls (and their regressions and recoveries) of one of these severities. */
  severities?: readonly Severity[];
  /** The rollup view of one framework: its requirements, and the controls mapped to it. */
  compliance?: FrameworkKey;
}

/** A filter value that is not allowed; `code` is stable. */
export class ReportFilterError extends Error {
  override readonly name = "ReportFilterError";
  readonly code = "INVALID_REPORT_FILTER" as const;
}

/** Parses `--status FAIL,MANUAL` (case-insensitive; `N/A` is NOT_APPLICABLE). */
export function parseStatuses(text: string): ControlStatus[] {
  return parseList(text, "--status", STATUSES, (word) => {
    const upper = word.toUpperCase();
    return upper === "N/A" || upper === "NA" ? "NOT_APPLICABLE" : upper;
  });
}

/** Parses `--severity critical,high` (case-insensitive). */
export function parseSeverities(text: string): Severity[] {
  return parseList(text, "--severity", SEVERITIES, (word) => word.toLowerCase());
}

/** Parses `--compliance cis|nist|soc2` (one framework, case-insensitive). */
export function parseCompliance(text: string): FrameworkKey {
  const key = text.trim().toLowerCase();
  if (!Object.hasOwn(FRAMEWORKS, key))
    throw new ReportFilterError(`--compliance must be one of cis, nist, soc2, got "${clean(text, 64)}"`);
  return key as FrameworkKey;
}

function parseList<T extends string>(
  text: string,
  flag: string,
  allowed: readonly T[],
  normalize: (word: string) => string,
): T[] {
  const words = text
    .split(",")
    .map((w) => w.trim())
    .filter(Boolean);
  if (words.length === 0) throw new ReportFilterError(`${flag} needs at least one of ${allowed.join(", ")}`);
  const unknown = words.filter((w) => !(allowed as readonly string[]).includes(normalize(w)));
  if (unknown.length > 0)
    throw new ReportFilterError(
      `${flag}: unknown value ${unknown.map((w) => `"${clean(w, 64)}"`).join(", ")} (allowed: ${allowed.join(", ")})`,
    );
  return [...new Set(words.map(normalize) as T[])];
}

/** Whether any filter is set. */
export function isFiltered(filters: ReportFilters): boolean {
  return (
    filters.statuses !== undefined || filters.severities !== undefined || filters.compliance !== undefined
  );
}

/**
 * The view of a report under filters, still a valid run report (docs/finding.schema.json):
 * - controls of the severities asked and, with `compliance`, mapped to that framework;
 * - with `statuses`: of each control, the results with those statuses; a control stays when its own
 *   status is one of them or a result of it is (`counts` keep the whole control's numbers);
 * - compliance entries of the framework asked, with those statuses; they are the run's own rollup,
 *   never recomputed from the narrowed controls (a requirement's FAIL does not vanish with a filter);
 * - regressions, recoveries and blanket exceptions of the controls kept by severity and framework
 *   (`--status` does not apply to changes); expired exceptions always.
 */
export function filterReport(report: RunReport, filters: ReportFilters): RunReport {
  if (!isFiltered(filters)) return report;
  const statuses = filters.statuses ? new Set(filters.statuses) : undefined;
  const severities = filters.severities ? new Set(filters.severities) : undefined;
  const framework = filters.compliance;
  const inScope = (c: ControlFinding) =>
    (!severities || severities.has(c.severity)) && (!framework || c.frameworks[framework].length > 0);
  const scoped = new Set(report.controls.filter(inScope).map((c) => c.controlId));
  const controls = report.controls.filter(inScope).flatMap((c): ControlFinding[] => {
    if (!statuses) return [c];
    const results = c.results.filter((r) => statuses.has(r.status));
    if (!statuses.has(c.status) && results.length === 0) return [];
    const { omitted, ...rest } = c;
    // Passing results left out of the findings are still passing results: only a view with PASS mentions them.
    return [{ ...rest, results, ...(omitted && statuses.has("PASS") ? { omitted } : {}) }];
  });
  const compliance = report.compliance.filter(
    (e) => (!framework || e.framework === FRAMEWORKS[framework]) && (!statuses || statuses.has(e.status)),
  );
  const kept = (change: { controlId: string }) => scoped.has(change.controlId);
  const { allResources, ...exceptions } = report.exceptions;
  return {
    ...report,
    controls,
    regressions: report.regressions.filter(kept),
    recoveries: report.recoveries.filter(kept),
    compliance,
    exceptions: {
      ...exceptions,
      ...(allResources ? { allResources: allResources.filter(kept) } : {}),
    },
  };
}

/** One line saying what a filtered view shows, e.g. `--status FAIL,MANUAL · --severity critical`. */
export function describeFilters(filters: ReportFilters): string {
  return [
    filters.statuses ? `--status ${filters.statuses.join(",")}` : undefined,
    filters.severities ? `--severity ${filters.severities.join(",")}` : undefined,
    filters.compliance ? `--compliance ${filters.compliance}` : undefined,
  ]
    .filter(Boolean)
    .join(" · ");
}
