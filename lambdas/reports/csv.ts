/**
 * The run report as CSV (RFC 4180): an action plan a spreadsheet can filter, one row per control
 * result; or, for one framework, its requirement rollup. Pure functions.
 */
import { controlById } from "../controls/registry.js";
import type { ControlFinding, RunReport } from "../engine/findings.js";
import { clean } from "../shared/output-safety.js";
import { FRAMEWORKS, type FrameworkKey } from "./filters.js";

/** How to render. */
export interface CsvOptions {
  /** The rollup of one framework (requirement, status, controls) instead of one row per result. */
  compliance?: FrameworkKey;
}

/** Columns of the action plan, in order. */
export const CSV_COLUMNS = [
  "Control",
  "Title",
  "Level",
  "Severity",
  "Status",
  "Resource type",
  "Resource ID",
  "Resource name",
  "Check",
  "Message",
  "Observed",
  "Expected",
  "CIS Controls v8",
  "NIST SP 800-53 Rev 5",
  "SOC 2 TSC",
  "Fix step",
  "Exception owner",
  "Exception expiry",
  "Exception reason",
] as const;

/** Columns of the compliance rollup, in order. */
export const CSV_COMPLIANCE_COLUMNS = ["Framework", "Requirement", "Status", "Controls"] as const;

/**
 * Excel keeps at most 32,767 characters in a cell; a longer value would spill into the next row
 * when opened. Values are cut (with an ellipsis) below that; the findings keep them whole.
 */
export const MAX_CELL = 32_000;

/** Renders the action plan (or, with `compliance`, that framework's rollup) as CSV with CRLF line ends. */
export function renderCsv(report: RunReport, options: CsvOptions = {}): string {
  const rows: (readonly unknown[])[] = options.compliance
    ? complianceRows(report, options.compliance)
    : [CSV_COLUMNS, ...report.controls.flatMap(controlRows)];
  return rows.map((row) => `${row.map(csvCell).join(",")}\r\n`).join("");
}

function complianceRows(report: RunReport, key: FrameworkKey): (readonly unknown[])[] {
  const entries = report.compliance.filter((e) => e.framework === FRAMEWORKS[key]);
  return [
    CSV_COMPLIANCE_COLUMNS,
    ...entries.map((e) => [e.framework, e.requirement, e.status, e.controls.join(" ")]),
  ];
}

function controlRows(finding: ControlFinding): unknown[][] {
  const control = controlById(finding.controlId);
  // The guide's first manual step says where to click; a control without one has its remediation's description.
  const fix = control?.manualSteps[0] ?? control?.remediation.description ?? "";
  const head = [finding.controlId, finding.title, finding.level, finding.severity];
  const frameworks = [finding.frameworks.cis, finding.frameworks.nist, finding.frameworks.soc2].map((ids) =>
    ids.join(" "),
  );
  // A control with no result (ERROR, NOT_APPLICABLE, a MANUAL judgment) is one row: its status and summary.
  if (finding.results.length === 0)
    return [
      [...head, finding.status, "", "", "", "", finding.summary, "", "", ...frameworks, fix, "", "", ""],
    ];
  const rows = finding.results.map((r) => [
    ...head,
    r.status,
    r.resourceType,
    r.resourceId,
    r.resourceName,
    r.check,
    r.message,
    r.observed,
    r.expected,
    ...frameworks,
    fix,
    r.mutedBy?.owner,
    r.mutedBy?.expires,
    r.mutedBy?.reason,
  ]);
  // Passing results left out of the findings (beyond 1000 per control) are said to exist, not listed.
  if (finding.omitted?.PASS)
    rows.push([
      ...head,
      "PASS",
      "",
      "",
      "",
      "",
      `${finding.omitted.PASS} more passing results are not listed (jc-audit run --all-results lists them)`,
      "",
      "",
      ...frameworks,
      "",
      "",
      "",
      "",
    ]);
  return rows;
}

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"); the
// full-width forms are converted by some spreadsheets too.
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/**
 * One CSV field: the value cleaned to one line (no control character, escape sequence or line
 * break; objects as JSON with secrets masked), a leading formula character neutralized with `'`,
 * quoted when it holds a comma or a quote.
 */
export function csvCell(value: unknown): string {
  let text = clean(value, MAX_CELL);
  // `clean` already turns a leading tab or CR into a space; a formula may still follow spaces.
  if (FORMULA_START.test(text.trimStart())) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
