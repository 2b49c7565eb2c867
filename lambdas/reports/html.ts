/**
 * The run report as one self-contained HTML page an auditor can read, keep and print: counts at a
 * glance, the framework rollup, changes since the last run, exceptions, then every control with all of
 * its failing and manual resources and the guide's fix steps. No script, no external request: a
 * Content-Security-Policy allows only the page's own stylesheet (by hash). Every string of the report
 * (most of them from JumpCloud) goes through `clean` then `escapeHtml`. Pure: no I/O.
 */

import { createHash } from "node:crypto";
import { controlById } from "../controls/registry.js";
import type { ControlStatus, Level, ResourceResult, ResultStatus, Severity } from "../controls/types.js";
import type { ComplianceEntry, ControlFinding, Regression, RunReport } from "../engine/findings.js";
import { clean, escapeHtml, maskSecrets, safeJson } from "../shared/output-safety.js";
import { STATUS_LABELS } from "./filters.js";

/** Control statuses in the order the page lists them, worst first. */
const STATUSES: readonly ControlStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS", "NOT_APPLICABLE"];
/** Result statuses, worst first (as the engine ranks them). */
const RESULT_STATUSES: readonly ResultStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS"];
const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];
const LEVELS: readonly Level[] = ["L1", "L2", "L3"];
const FRAMEWORKS: readonly ComplianceEntry["framework"][] = [
  "CIS Controls v8",
  "NIST SP 800-53 Rev 5",
  "SOC 2 TSC",
];

const LABEL = STATUS_LABELS;

const MEANING: Record<ControlStatus, string> = {
  FAIL: "does not meet the guide",
  ERROR: "could not be evaluated (the reason is shown); never counted as a pass",
  MANUAL: "needs a person to review it",
  MUTED: "fails, but every failure is covered by an accepted-risk exception",
  PASS: "meets the guide",
  NOT_APPLICABLE: "not applicable (the plan lacks the feature, or there is nothing to check)",
};

const AUTOMATION: Record<"yes" | "opt-in" | "no", string> = {
  yes: "jc-audit remediate can plan and apply this fix.",
  "opt-in": "jc-audit remediate applies this fix only when the control is named, with a warning.",
  no: "This fix is manual: jc-audit never changes it.",
};

// Contrast: each status colour carries white text at 6:1 or more; body text is #1a1a1a on white.
const STYLE = `
:root{color-scheme:light;--fg:#1a1a1a;--muted:#4d4d4d;--line:#c8c8c8;--band:#f3f4f6}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:24px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.3rem;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--fg)}
h3{font-size:1.1rem;margin:16px 0 6px}
.control h3{margin:0;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
h4{font-size:1rem;margin:16px 0 4px}
a{color:#0b4f9c}
code{font:0.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--band);padding:0 3px;border-radius:3px}
.org{font-size:1.15rem;margin:0 0 8px}.sub{color:var(--muted)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0 0}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
.verdict{font-size:1.05rem;font-weight:600;padding:10px 14px;border-left:6px solid var(--fg);background:var(--band)}
.tiles{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0;margin:12px 0}
.tiles li{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px;display:flex;flex-direction:column}
.tiles .n{font-size:1.8rem;font-weight:700;line-height:1.1}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px;align-items:start}
.grid.fw{grid-template-columns:repeat(auto-fit,minmax(300px,1fr))}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:0.92rem}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}
td.res{min-width:16em}td.val{min-width:11em}td.nw{white-space:nowrap}
thead th{background:var(--band)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;white-space:nowrap;min-width:4.2em;text-align:center;padding:1px 6px;border-radius:4px;font-weight:700;font-size:0.85rem;color:#fff;border:1px solid transparent}
.s-PASS{background:#1e6b2e}.s-FAIL{background:#b3261e}.s-MANUAL{background:#7a4f00}.s-ERROR{background:#6a1b9a}.s-NOT_APPLICABLE{background:#4d4d4d}.s-MUTED{background:#1f5a7a}
.tiles li.t-FAIL{border-left:6px solid #b3261e}.tiles li.t-ERROR{border-left:6px solid #6a1b9a}.tiles li.t-MANUAL{border-left:6px solid #7a4f00}.tiles li.t-MUTED{border-left:6px solid #1f5a7a}.tiles li.t-PASS{border-left:6px solid #1e6b2e}.tiles li.t-NOT_APPLICABLE{border-left:6px solid #4d4d4d}
.legend{color:var(--muted);font-size:0.9rem;margin:4px 0;display:flex;flex-wrap:wrap;gap:2px 18px}.legend dt{display:inline;font-weight:700}.legend dd{display:inline;margin:0 0 0 4px}
article.control{border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin:14px 0}
.control .meta{color:var(--muted);margin:4px 0;font-size:0.92rem}
.problem{border-left:6px solid #6a1b9a;background:#f5eef8;padding:8px 12px;margin:8px 0}
.note{color:var(--muted);font-size:0.9rem}
details{margin:8px 0}summary{cursor:pointer;font-weight:600;padding:2px 0}
.rid{color:var(--muted);font-size:0.85rem}
ol.steps{margin:4px 0 8px}
footer{margin-top:40px;padding-top:8px;border-top:1px solid var(--line);color:var(--muted);font-size:0.85rem}
@media print{
body{max-width:none;padding:0;font-size:10pt}
nav.toc{display:none}
details::details-content{content-visibility:visible;display:block;height:auto}
summary{list-style:none}summary::-webkit-details-marker{display:none}
.badge{color:#000;background:#fff;border:1px solid #000}
article.control,tr,.tiles li{break-inside:avoid}
h2,h3,h4,caption{break-after:avoid}
a{color:inherit;text-decoration:none}
}
`;

/** The page's Content-Security-Policy: nothing may load or run but its own stylesheet. */
export const HTML_REPORT_CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256")
  .update(STYLE)
  .digest("base64")}'; img-src data:; base-uri 'none'; form-action 'none'`;

/** Renders a run report as one self-contained HTML page. */
export function renderHtmlReport(report: RunReport): string {
  const anchors = anchorsOf(report.controls);
  const org = report.organizationName
    ? `${text(report.organizationName)} <span class="sub">(organization ${text(report.orgId)})</span>`
    : `organization ${text(report.orgId)}`;
  const title = `JumpCloud hardening audit: ${text(report.organizationName || report.orgId)}, ${text(timeOf(report.startedAt))}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="jc-audit">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>JumpCloud hardening audit</h1>
<p class="org">${org}</p>
${metaList(report)}
</header>
<main>
${summarySection(report)}
${frameworkSection(report)}
${changesSection(report)}
${exceptionsSection(report)}
${controlsSection(report, anchors)}
</main>
<footer>
<p>Generated by jc-audit from run ${text(report.runId)} (findings schema ${text(report.schemaVersion)}). Names, messages and values read from JumpCloud are shown as plain text. Result counts include passing results left out of this page to keep it small.</p>
</footer>
</body>
</html>
`;
}

// ─── Sections ──────────────────────────────────────────────────────────────────────────────────────────

function metaList(report: RunReport): string {
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  return `<dl class="meta">
<dt>Run</dt><dd><code>${text(report.runId)}</code></dd>
<dt>Started</dt><dd><time datetime="${text(report.startedAt)}">${text(timeOf(report.startedAt))}</time></dd>
<dt>Finished</dt><dd><time datetime="${text(report.finishedAt)}">${text(timeOf(report.finishedAt))}</time>${Number.isFinite(seconds) && seconds >= 0 ? ` (${seconds.toFixed(1)} s)` : ""}</dd>
<dt>Controls</dt><dd>${report.controls.length}</dd>
<dt>API requests</dt><dd>${report.api.requests} (${report.api.retries} retried)</dd>
</dl>`;
}

function summarySection(report: RunReport): string {
  const byStatus = (status: ControlStatus) => report.controls.filter((f) => f.status === status).length;
  const tiles = STATUSES.map(
    (s) =>
      `<li class="t-${s}"><span class="n" data-count="controls:${s}">${byStatus(s)}</span><span>${LABEL[s]}</span></li>`,
  ).join("");
  const results = RESULT_STATUSES.map((s) => [
    s,
    report.controls.reduce((n, f) => n + (f.counts[s] ?? 0), 0),
  ]);
  return `<section aria-labelledby="summary-h">
<h2 id="summary-h">Summary</h2>
<p class="verdict">${verdictOf(report)}</p>
<ul class="tiles" aria-label="Controls by status">${tiles}</ul>
<dl class="legend">${STATUSES.map((s) => `<div><dt>${LABEL[s]}</dt><dd>${MEANING[s]}</dd></div>`).join("")}</dl>
<div class="grid">
${crossTable("Controls by severity", "Severity", SEVERITIES, (f) => f.severity, "severity", report.controls)}
${crossTable("Controls by level", "Level", LEVELS, (f) => f.level, "level", report.controls)}
<table>
<caption>Results (one per resource and check) by status</caption>
<thead><tr>${results.map(([s]) => `<th scope="col" class="num">${LABEL[s as ResultStatus]}</th>`).join("")}</tr></thead>
<tbody><tr>${results.map(([s, n]) => `<td class="num" data-count="results:${s}">${n}</td>`).join("")}</tr></tbody>
</table>
</div>
</section>`;
}

function verdictOf(report: RunReport): string {
  const total = report.controls.length;
  if (total === 0) return "No control was run.";
  const n = (status: ControlStatus) => report.controls.filter((f) => f.status === status).length;
  const parts = [`${n("FAIL")} of ${total} controls FAIL`];
  if (n("ERROR") > 0)
    parts.push(`${n("ERROR")} could not be evaluated, so this audit is incomplete (see ERROR below)`);
  if (n("MANUAL") > 0) parts.push(`${n("MANUAL")} need a manual review`);
  const changes = `${report.regressions.length} regression${report.regressions.length === 1 ? "" : "s"} and ${report.recoveries.length} recover${report.recoveries.length === 1 ? "y" : "ies"} since the last run`;
  return `${parts.join("; ")}. ${changes}.`;
}

function crossTable<K extends string>(
  caption: string,
  rowHeader: string,
  keys: readonly K[],
  keyOf: (f: ControlFinding) => K,
  name: string,
  findings: readonly ControlFinding[],
): string {
  const rows = keys
    .map((key) => {
      const mine = findings.filter((f) => keyOf(f) === key);
      const cells = STATUSES.map(
        (s) =>
          `<td class="num" data-count="${name}:${key}:${s}">${mine.filter((f) => f.status === s).length}</td>`,
      ).join("");
      return `<tr><th scope="row">${key}</th>${cells}<td class="num" data-count="${name}:${key}:total">${mine.length}</td></tr>`;
    })
    .join("\n");
  return `<table>
<caption>${caption}</caption>
<thead><tr><th scope="col">${rowHeader}</th>${STATUSES.map((s) => `<th scope="col" class="num">${LABEL[s]}</th>`).join("")}<th scope="col" class="num">Total</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function changesSection(report: RunReport): string {
  const table = (caption: string, changes: readonly Regression[], count: string) =>
    changes.length === 0
      ? `<h3 id="${count}-h">${caption} (<span data-count="${count}">0</span>)</h3><p>None.</p>`
      : `<h3 id="${count}-h">${caption} (<span data-count="${count}">${changes.length}</span>)</h3>
<table aria-labelledby="${count}-h">
<thead><tr><th scope="col">Control</th><th scope="col">Severity</th><th scope="col">Resource</th><th scope="col">From</th><th scope="col">To</th><th scope="col">What changed</th></tr></thead>
<tbody>
${changes
  .map(
    (r) =>
      `<tr><td>${text(r.controlId)} ${text(r.title)}</td><td>${text(r.severity)}</td><td>${r.resource ? `${text(r.resource.name)}<br><span class="rid">${text(r.resource.type)} · ${text(r.resource.id)} · check ${text(r.resource.check)}</span>` : "the control"}</td><td class="nw">${text(r.from ?? "")}</td><td class="nw">${text(r.to ?? "")}</td><td>${text(r.message)}</td></tr>`,
  )
  .join("\n")}
</tbody>
</table>`;
  return `<section aria-labelledby="changes-h">
<h2 id="changes-h">Since the last run</h2>
<p class="note">Compared with each control's last evaluated run; a control that could not be evaluated (ERROR) is neither a regression nor a recovery.</p>
${table("Regressions", report.regressions, "regressions")}
${table("Recoveries", report.recoveries, "recoveries")}
</section>`;
}

function frameworkSection(report: RunReport): string {
  const tables = FRAMEWORKS.map((framework) => {
    const entries = report.compliance.filter((e) => e.framework === framework);
    if (entries.length === 0) return `<p>${framework}: no requirement mapped by the controls run.</p>`;
    return `<table>
<caption>${framework}</caption>
<thead><tr><th scope="col">Requirement</th><th scope="col">Worst status</th><th scope="col">Controls</th></tr></thead>
<tbody>
${entries
  .map(
    (e) =>
      `<tr><th scope="row">${text(e.requirement)}</th><td>${badge(e.status)}</td><td>${e.controls.map(text).join(", ")}</td></tr>`,
  )
  .join("\n")}
</tbody>
</table>`;
  }).join("\n");
  return `<section aria-labelledby="frameworks-h">
<h2 id="frameworks-h">Framework rollup</h2>
<p class="note">Each requirement takes the worst status of the controls mapped to it; a control that could not be evaluated leaves its requirements unknown (ERROR), never passed.</p>
<div class="grid fw">
${tables}
</div>
</section>`;
}

function exceptionsSection(report: RunReport): string {
  const muted = report.controls.flatMap((f) =>
    f.results.filter((r) => r.mutedBy).map((r) => ({ finding: f, result: r })),
  );
  const blanket = report.exceptions.allResources ?? [];
  const expired = report.exceptions.expired;
  const parts: string[] = [
    `<p><span data-count="exceptions:applied">${report.exceptions.applied}</span> failing result${report.exceptions.applied === 1 ? " was" : "s were"} muted by accepted-risk exceptions in this run${report.exceptions.maxDays ? `; an exception may run at most ${report.exceptions.maxDays} days` : ""}.</p>`,
  ];
  if (blanket.length > 0)
    parts.push(`<table>
<caption>Exceptions muting every resource of a control</caption>
<thead><tr><th scope="col">Control</th><th scope="col">Check</th><th scope="col">Reason</th><th scope="col">Owner</th><th scope="col">Expires</th><th scope="col" class="num">Muted this run</th></tr></thead>
<tbody>
${blanket
  .map(
    (e) =>
      `<tr><td>${text(e.controlId)}</td><td>${e.check ? text(e.check) : "every check"}</td><td>${text(e.reason)}</td><td>${text(e.owner)}</td><td>${text(e.expires)}</td><td class="num">${e.muted}</td></tr>`,
  )
  .join("\n")}
</tbody>
</table>`);
  if (muted.length > 0)
    parts.push(`<table>
<caption>Muted results</caption>
<thead><tr><th scope="col">Control</th><th scope="col">Resource</th><th scope="col">Check</th><th scope="col">Reason</th><th scope="col">Owner</th><th scope="col">Expires</th></tr></thead>
<tbody>
${muted
  .map(
    ({ finding, result: r }) =>
      `<tr><td>${text(finding.controlId)}</td><td>${resourceCell(r)}</td><td>${text(r.check)}</td><td>${text(r.mutedBy?.reason)}</td><td>${text(r.mutedBy?.owner)}</td><td>${text(r.mutedBy?.expires)}</td></tr>`,
  )
  .join("\n")}
</tbody>
</table>`);
  if (expired.length > 0)
    parts.push(`<table>
<caption>Expired exceptions (they no longer mute anything)</caption>
<thead><tr><th scope="col">Control</th><th scope="col">Resource</th><th scope="col">Owner</th><th scope="col">Expired</th></tr></thead>
<tbody>
${expired
  .map(
    (e) =>
      `<tr><td>${text(e.controlId)}</td><td>${text(e.resource)}</td><td>${text(e.owner)}</td><td>${text(e.expires)}</td></tr>`,
  )
  .join("\n")}
</tbody>
</table>`);
  else parts.push("<p>No exception has expired.</p>");
  return `<section aria-labelledby="exceptions-h">
<h2 id="exceptions-h">Exceptions (accepted risks)</h2>
${parts.join("\n")}
</section>`;
}

function controlsSection(report: RunReport, anchors: readonly string[]): string {
  const index = report.controls
    .map(
      (f, i) =>
        `<tr><td><a href="#${anchors[i]}">${text(f.controlId)}</a></td><td>${text(f.title)}</td><td>${text(f.level)}</td><td>${text(f.severity)}</td><td>${badge(f.status)}</td>${(
          ["FAIL", "MANUAL", "ERROR", "MUTED"] as const
        )
          .map((s) => `<td class="num">${f.counts[s] ?? 0}</td>`)
          .join("")}</tr>`,
    )
    .join("\n");
  return `<section aria-labelledby="controls-h">
<h2 id="controls-h">Controls</h2>
<nav class="toc" aria-label="Controls">
<table>
<caption>Every control of this run</caption>
<thead><tr><th scope="col">Control</th><th scope="col">Title</th><th scope="col">Level</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col" class="num">FAIL</th><th scope="col" class="num">MANUAL</th><th scope="col" class="num">ERROR</th><th scope="col" class="num">MUTED</th></tr></thead>
<tbody>
${index}
</tbody>
</table>
</nav>
${report.controls.map((f, i) => controlArticle(report, f, anchors[i] ?? `control-${i + 1}`)).join("\n")}
</section>`;
}

function controlArticle(report: RunReport, f: ControlFinding, anchor: string): string {
  const frameworks = (
    [
      ["CIS", f.frameworks.cis],
      ["NIST", f.frameworks.nist],
      ["SOC 2", f.frameworks.soc2],
    ] as const
  )
    .filter(([, ids]) => ids.length > 0)
    .map(([name, ids]) => `${name} ${ids.map(text).join(", ")}`)
    .join(" · ");
  const notPassing = RESULT_STATUSES.filter((s) => s !== "PASS").flatMap((s) =>
    f.results.filter((r) => r.status === s),
  );
  const passing = f.results.filter((r) => r.status === "PASS");
  const omitted = f.omitted?.PASS ?? 0;
  const blanket = (report.exceptions.allResources ?? []).filter((e) => e.controlId === f.controlId);
  const parts = [
    `<article class="control" id="${anchor}" aria-labelledby="${anchor}-h" data-control="${text(f.controlId)}" data-status="${f.status}">`,
    `<h3 id="${anchor}-h">${badge(f.status)} <span>${text(f.controlId)} ${text(f.title)}</span></h3>`,
    `<p class="meta">${text(f.section)} · Level ${text(f.level)} · Severity ${text(f.severity)}${frameworks ? ` · ${frameworks}` : ""}</p>`,
    `<p>${text(f.summary)}</p>`,
  ];
  if (f.error)
    parts.push(
      `<div class="problem"><p><strong>${f.status === "ERROR" ? "Could not be evaluated" : "Why"} (${text(f.error.code)}):</strong> ${text(f.error.message)}</p>${
        f.error.datasets.length > 0
          ? `<ul>${f.error.datasets.map((d) => `<li>${text(d.dataset)}: ${text(d.code)}${d.status ? ` (HTTP ${d.status})` : ""}: ${text(d.message)}</li>`).join("")}</ul>`
          : ""
      }</div>`,
    );
  for (const e of blanket)
    parts.push(
      `<p class="note">Muted by an exception on every resource${e.check ? `, check ${text(e.check)}` : ""}: ${text(e.reason)} (owner ${text(e.owner)}, until ${text(e.expires)}; ${e.muted} result${e.muted === 1 ? "" : "s"} muted this run).</p>`,
    );
  if (notPassing.length > 0)
    parts.push(`<details open>
<summary>Failing, manual, error and muted results (<span data-count="control:${text(f.controlId)}:notPassing">${notPassing.length}</span>)</summary>
${resultsTable(notPassing, `${f.controlId}: results that are not PASS`)}
</details>`);
  if (passing.length > 0 || omitted > 0)
    parts.push(`<details>
<summary>Passing results (${passing.length + omitted})</summary>
${passing.length > 0 ? resultsTable(passing, `${f.controlId}: passing results`) : ""}
${omitted > 0 ? `<p class="note">${omitted} more passing result${omitted === 1 ? " was" : "s were"} left out of the stored findings to keep them small (run with --all-results to keep every one).</p>` : ""}
</details>`);
  parts.push(fixSteps(f), "</article>");
  return parts.join("\n");
}

function resultsTable(results: readonly ResourceResult[], caption: string): string {
  const rows = results
    .map((r) => {
      const exception = r.mutedBy
        ? `<br><span class="note">Muted by exception: ${text(r.mutedBy.reason)} (owner ${text(r.mutedBy.owner)}, until ${text(r.mutedBy.expires)})</span>`
        : "";
      return `<tr data-status="${r.status}"><td>${badge(r.status)}</td><td class="res">${resourceCell(r)}</td><td>${text(r.check)}</td><td>${text(r.message)}${exception}</td><td class="val">${shownValue(r.observed)}</td><td class="val">${shownValue(r.expected)}</td></tr>`;
    })
    .join("\n");
  return `<table>
<caption class="note">${text(caption)}</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Resource</th><th scope="col">Check</th><th scope="col">Message</th><th scope="col">Observed</th><th scope="col">Expected</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function fixSteps(f: ControlFinding): string {
  const control = controlById(f.controlId);
  if (!control)
    return `<details><summary>How to fix</summary><p>This version of jc-audit does not know control ${text(f.controlId)}; see the hardening guide.</p></details>`;
  return `<details>
<summary>How to fix (the guide's steps)</summary>
<p>${prose(control.rationale)}</p>
<h4>Steps in the Admin Portal</h4>
<ol class="steps">${control.manualSteps.map((s) => `<li>${prose(s)}</li>`).join("")}</ol>
<h4>Remediation</h4>
<p>${AUTOMATION[control.remediation.automated]} ${prose(control.remediation.description)}</p>
</details>`;
}

// ─── Values ────────────────────────────────────────────────────────────────────────────────────────────

/** Any report value as HTML text: cleaned (one line, no control or bidi character), escaped, never cut. */
function text(value: unknown): string {
  return escapeHtml(clean(value, Number.POSITIVE_INFINITY));
}

/** Our own prose (the control registry): escaped, with `code` spans kept as code. */
function prose(value: string): string {
  return text(value).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function shownValue(value: unknown): string {
  if (value === undefined) return "";
  // Objects as JSON with secret-looking fields masked; indented so that, whitespace collapsed, it wraps.
  const shown = value !== null && typeof value === "object" ? safeJson(maskSecrets(value), 1) : value;
  return `<code>${text(shown)}</code>`;
}

function resourceCell(r: ResourceResult): string {
  return `${text(r.resourceName)}<br><span class="rid">${text(r.resourceType)} · ${text(r.resourceId)}</span>`;
}

function badge(status: ControlStatus): string {
  const known = status in LABEL ? status : "ERROR";
  return `<span class="badge s-${known}">${LABEL[known]}</span>`;
}

/** "2026-11-28 12:00:00 UTC" from an ISO time; anything else as given. */
function timeOf(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time)
    ? iso
    : `${new Date(time)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "")} UTC`;
}

/** A unique, URL-safe anchor per control (`control-2-1`). */
function anchorsOf(findings: readonly ControlFinding[]): string[] {
  const seen = new Set<string>();
  return findings.map((f, i) => {
    let anchor = `control-${clean(f.controlId).replace(/[^A-Za-z0-9]+/g, "-")}`;
    if (seen.has(anchor)) anchor = `${anchor}-${i + 1}`;
    seen.add(anchor);
    return anchor;
  });
}
