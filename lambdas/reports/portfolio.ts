/**
 * The portfolio summary of an MSP run: one row per organization (counts by status, stale, missing and
 * invalid findings, its worst failing controls, a link to its own report), worst first, as one
 * self-contained HTML page and as CSV. An organization whose report failed is listed as such, never
 * dropped. The page has no script and loads nothing: its CSP allows only its own stylesheet (by hash).
 * Every string goes through `clean` then `escapeHtml` (HTML) or `csvCell` (CSV). Pure: no I/O.
 */
import { createHash } from "node:crypto";
import { controlById } from "../controls/registry.js";
import type { ControlStatus, Severity } from "../controls/types.js";
import type { OrgReportSummary } from "../service/daily-report-summary.js";
import { clean, escapeHtml, MAX_PARAGRAPH } from "../shared/output-safety.js";
import { csvCell } from "./csv.js";
import { SEVERITIES, STATUS_LABELS } from "./filters.js";

/** One organization of the portfolio: its report's summary, or why its report could not be made. */
export type PortfolioOrg =
  | { orgId: string; organizationName?: string; summary: OrgReportSummary }
  | { orgId: string; organizationName?: string; failure: string };

/** What the page says besides the organizations. */
export interface PortfolioOptions {
  /** The report's UTC date, `YYYY-MM-DD` (each organization's report is under `../{orgId}/{date}/`). */
  date: string;
  /** The tool's version, in the footer. */
  version: string;
}

/** Control statuses, worst first (the order of the columns). */
const STATUSES: readonly ControlStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS", "NOT_APPLICABLE"];
const ORG_ID = /^[0-9a-f]{24}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Columns of the portfolio CSV, in order. */
export const PORTFOLIO_CSV_COLUMNS = [
  "Organization ID",
  "Organization",
  "Report",
  ...STATUSES.map((s) => `Controls ${STATUS_LABELS[s]}`),
  "Stale",
  "Missing",
  "Invalid",
  "Worst severity failing",
  "Worst failing controls",
  "Report key",
  "Problem",
] as const;

/**
 * Organizations worst first: a failed report (nothing is known), then failing controls counted by
 * severity (one critical outranks any number of high), then ERROR, then MANUAL, then id.
 */
export function sortPortfolio(orgs: readonly PortfolioOrg[]): PortfolioOrg[] {
  const keyed = orgs.map((org) => ({ org, key: rankKey(org) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const d = (b.key[i] ?? 0) - (a.key[i] ?? 0);
      if (d !== 0) return d;
    }
    return a.org.orgId < b.org.orgId ? -1 : a.org.orgId > b.org.orgId ? 1 : 0;
  });
  return keyed.map((k) => k.org);
}

/** Renders the portfolio as one self-contained HTML page, organizations worst first. */
export function renderPortfolioHtml(orgs: readonly PortfolioOrg[], options: PortfolioOptions): string {
  const sorted = sortPortfolio(orgs);
  const failed = sorted.filter((o) => "failure" in o).length;
  const totals = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<ControlStatus, number>;
  let withFail = 0;
  let withError = 0;
  for (const org of sorted) {
    if (!("summary" in org)) continue;
    for (const s of STATUSES) totals[s] += count(org.summary.counts, s);
    if (count(org.summary.counts, "FAIL") > 0) withFail += 1;
    if (count(org.summary.counts, "ERROR") > 0) withError += 1;
  }
  const date = text(options.date);
  const tiles = [
    ["organizations", "Organizations", sorted.length],
    ["failed", "Reports that failed", failed],
    ["withFail", "With a failing control", withFail],
    ["withError", "With a control not evaluated", withError],
  ]
    .map(([key, label, n]) => `<li><span class="n" data-count="${key}">${n}</span><span>${label}</span></li>`)
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${PORTFOLIO_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="jc-audit">
<title>JumpCloud hardening portfolio, ${date}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>JumpCloud hardening portfolio</h1>
<p class="sub">Daily report of ${date} (UTC): one row per organization, worst first.</p>
</header>
<main>
<section aria-labelledby="summary-h">
<h2 id="summary-h">Summary</h2>
<p class="verdict">${verdict(sorted.length, failed, withFail, withError)}</p>
<ul class="tiles" aria-label="Organizations">${tiles}</ul>
<table>
<caption>Controls of every reported organization, by status</caption>
<thead><tr>${STATUSES.map((s) => `<th scope="col" class="num">${STATUS_LABELS[s]}</th>`).join("")}</tr></thead>
<tbody><tr>${STATUSES.map((s) => `<td class="num" data-count="controls:${s}">${totals[s]}</td>`).join("")}</tr></tbody>
</table>
</section>
<section aria-labelledby="orgs-h">
<h2 id="orgs-h">Organizations</h2>
<p class="note">Stale, missing and invalid findings are counted as ERROR: what could not be evaluated is never a pass. A report that failed shows no counts.</p>
<table class="orgs">
<thead><tr><th scope="col">Organization</th>${STATUSES.map((s) => `<th scope="col" class="num">${STATUS_LABELS[s]}</th>`).join("")}<th scope="col" class="num">Stale</th><th scope="col" class="num">Missing</th><th scope="col" class="num">Invalid</th><th scope="col">Worst failing controls</th></tr></thead>
<tbody>
${sorted.map((org) => orgRow(org, options.date)).join("\n")}
</tbody>
</table>
</section>
</main>
<footer>
<p>Generated by jc-audit ${text(options.version)}. Each organization's own report (linked) has its controls, results and fix steps. Names read from JumpCloud are shown as plain text.</p>
</footer>
</body>
</html>
`;
}

/** Renders the portfolio as CSV (RFC 4180, CRLF), one row per organization, worst first. */
export function renderPortfolioCsv(orgs: readonly PortfolioOrg[]): string {
  const rows: (readonly unknown[])[] = [
    PORTFOLIO_CSV_COLUMNS,
    ...sortPortfolio(orgs).map((org) => {
      const name = org.organizationName ?? "";
      if ("failure" in org)
        return [org.orgId, name, "failed", ...STATUSES.map(() => ""), "", "", "", "", "", "", org.failure];
      const { summary } = org;
      return [
        org.orgId,
        name,
        "reported",
        ...STATUSES.map((s) => count(summary.counts, s)),
        summary.problems.stale,
        summary.problems.missing,
        summary.problems.invalid,
        summary.worst[0]?.severity ?? "",
        summary.worst
          .map((w) => `${w.controlId} ${w.title} (${w.severity}, ${w.failing} failing)`)
          .join("; "),
        summary.keys.html,
        "",
      ];
    }),
  ];
  return rows.map((row) => `${row.map(csvCell).join(",")}\r\n`).join("");
}

// ─── Rows ──────────────────────────────────────────────────────────────────────────────────────────────

function orgRow(org: PortfolioOrg, date: string): string {
  const id = text(org.orgId);
  const label = org.organizationName
    ? `${text(org.organizationName)}<br><span class="rid">${id}</span>`
    : `<span class="rid">${id}</span>`;
  if ("failure" in org)
    return `<tr data-org="${id}" data-report="failed"><th scope="row">${label}</th><td colspan="${STATUSES.length + 4}" class="failed"><strong>Report failed:</strong> ${escapeHtml(clean(org.failure, MAX_PARAGRAPH))}</td></tr>`;
  const { summary } = org;
  // Only an id and a date of the expected shape make a link: nothing read can point elsewhere.
  const link =
    ORG_ID.test(org.orgId) && DATE.test(date)
      ? `<a href="../${org.orgId}/${date}/report.html">${label}</a>`
      : label;
  const counts = STATUSES.map(
    (s) => `<td class="num${count(summary.counts, s) > 0 ? ` c-${s}` : ""}">${count(summary.counts, s)}</td>`,
  ).join("");
  const problems = (["stale", "missing", "invalid"] as const)
    .map((p) => `<td class="num">${summary.problems[p]}</td>`)
    .join("");
  const worst =
    summary.worst.length === 0
      ? "None"
      : `<ul class="worst">${summary.worst
          .map(
            (w) =>
              `<li><span class="sev sev-${SEVERITIES.includes(w.severity) ? w.severity : "low"}">${text(w.severity)}</span> ${text(w.controlId)} ${text(w.title)} <span class="rid">(${text(w.failing)} failing)</span></li>`,
          )
          .join("")}</ul>`;
  return `<tr data-org="${id}" data-report="reported"><th scope="row">${link}</th>${counts}${problems}<td>${worst}</td></tr>`;
}

function verdict(total: number, failed: number, withFail: number, withError: number): string {
  if (total === 0) return "No organization was reported.";
  const have = (n: number) => (n === 1 ? "has" : "have");
  const parts = [
    `${withFail} of ${total} organization${total === 1 ? "" : "s"} ${have(withFail)} a failing control`,
  ];
  if (withError > 0) parts.push(`${withError} ${have(withError)} a control that could not be evaluated`);
  if (failed > 0) parts.push(`${failed} could not be reported at all (shown first)`);
  return `${parts.join("; ")}.`;
}

/** The sort key, larger is worse: failed report, FAIL by severity, ERROR, MANUAL. */
function rankKey(org: PortfolioOrg): number[] {
  if ("failure" in org) return [1];
  const bySeverity = new Map<Severity, number>();
  for (const c of org.summary.controls) {
    if (c.status !== "FAIL") continue;
    const severity = controlById(c.controlId)?.severity ?? "low";
    bySeverity.set(severity, (bySeverity.get(severity) ?? 0) + 1);
  }
  return [
    0,
    ...SEVERITIES.map((s) => bySeverity.get(s) ?? 0),
    count(org.summary.counts, "FAIL"),
    count(org.summary.counts, "ERROR"),
    count(org.summary.counts, "MANUAL"),
  ];
}

function count(counts: Partial<Record<ControlStatus, number>>, status: ControlStatus): number {
  const n = counts[status];
  return Number.isInteger(n) && (n as number) >= 0 ? (n as number) : 0;
}

/** Any value as HTML text: cleaned to one line, escaped. */
function text(value: unknown): string {
  return escapeHtml(clean(value, Number.POSITIVE_INFINITY));
}

// Contrast: body text is #1a1a1a on white; severity and status cues are words, never colour alone.
const STYLE = `
:root{color-scheme:light;--fg:#1a1a1a;--muted:#4d4d4d;--line:#c8c8c8;--band:#f3f4f6}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1400px;padding:24px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.3rem;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--fg)}
a{color:#0b4f9c}.sub,.note,.rid{color:var(--muted)}.rid{font-size:0.85rem}.note{font-size:0.9rem}
.verdict{font-size:1.05rem;font-weight:600;padding:10px 14px;border-left:6px solid var(--fg);background:var(--band)}
.tiles{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0;margin:12px 0}
.tiles li{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:140px;display:flex;flex-direction:column}
.tiles .n{font-size:1.8rem;font-weight:700;line-height:1.1}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:0.92rem}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td,th{overflow-wrap:anywhere}thead th{background:var(--band);position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.c-FAIL{color:#b3261e;font-weight:700}td.c-ERROR{color:#6a1b9a;font-weight:700}
td.failed{border-left:6px solid #6a1b9a;background:#f5eef8}
table.orgs th[scope=row]{min-width:14em}table.orgs .rid{overflow-wrap:normal}
ul.worst{margin:0;padding-left:1.1em}
.sev{display:inline-block;min-width:4.5em;font-weight:700;font-size:0.85rem}
.sev-critical{color:#b3261e}.sev-high{color:#8a3b00}.sev-medium{color:#7a4f00}.sev-low{color:var(--muted)}
footer{margin-top:40px;padding-top:8px;border-top:1px solid var(--line);color:var(--muted);font-size:0.85rem}
@media print{body{max-width:none;padding:0;font-size:9pt}tr{break-inside:avoid}a{color:inherit;text-decoration:none}thead th{position:static}}
`;

/** The page's Content-Security-Policy: nothing may load or run but its own stylesheet. */
export const PORTFOLIO_CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256")
  .update(STYLE)
  .digest("base64")}'; img-src data:; base-uri 'none'; form-action 'none'`;
