/** The run report as a table readable at a glance: status per control, failing resources, totals, regressions. */
import pc from "picocolors";
import type { ControlStatus } from "../lambdas/controls/types.js";
import type { RunReport } from "../lambdas/engine/findings.js";
import { clean, MAX_LINE, MAX_PARAGRAPH } from "../lambdas/shared/output-safety.js";

/** How to render. */
export interface RenderOptions {
  /** Colours (on a TTY). */
  color: boolean;
  /** Terminal width; summaries wrap to it. @default 120 */
  width?: number;
  /** Failing resources listed per control before "and N more". @default 5 */
  maxResources?: number;
}

const LABEL: Record<ControlStatus, string> = {
  PASS: "PASS",
  FAIL: "FAIL",
  MANUAL: "MANUAL",
  ERROR: "ERROR",
  NOT_APPLICABLE: "N/A",
  MUTED: "MUTED",
};

/** Renders a run report for a terminal. */
export function renderReport(report: RunReport, options: RenderOptions): string {
  const c = pc.createColors(options.color);
  const paint: Record<ControlStatus, (s: string) => string> = {
    PASS: c.green,
    FAIL: (s) => c.bold(c.red(s)),
    MANUAL: c.yellow,
    ERROR: (s) => c.bold(c.magenta(s)),
    NOT_APPLICABLE: c.dim,
    MUTED: c.cyan,
  };
  const width = options.width ?? 120;
  const maxResources = options.maxResources ?? 5;
  const lines: string[] = [];
  // Every string from JumpCloud (names, messages built from them) is cleaned: one line each, no
  // escape sequence, no value that starts a line of its own (lambdas/shared/output-safety.ts).
  const org = report.organizationName
    ? `${clean(report.organizationName)} (${clean(report.orgId)})`
    : clean(report.orgId);
  lines.push(
    c.bold(`JumpCloud hardening audit · ${org}`),
    c.dim(`run ${clean(report.runId)} · ${clean(report.startedAt)}`),
    "",
  );
  for (const f of report.controls) {
    const status = paint[f.status](LABEL[f.status].padEnd(6));
    lines.push(`${status} ${c.bold(f.controlId)} ${f.level} ${c.bold(f.title)}`);
    for (const line of wrap(clean(f.summary, MAX_PARAGRAPH), width - 12))
      lines.push(`${" ".repeat(12)}${c.dim(truncate(line, width - 12))}`);
    // A blanket exception is always shown, even when it muted nothing this run.
    for (const e of report.exceptions.allResources?.filter((a) => a.controlId === f.controlId) ?? []) {
      const scope = e.check ? `all resources, check ${clean(e.check)}` : "all resources";
      const line = `muted by exception: ${scope} (${clean(e.owner)}, until ${clean(e.expires)})`;
      lines.push(`${" ".repeat(12)}${c.cyan(truncate(line, width - 12))}`);
    }
    const notable = f.results.filter(
      (r) => r.status === "FAIL" || r.status === "ERROR" || r.status === "MANUAL",
    );
    for (const r of notable.slice(0, maxResources)) {
      const mark = r.status === "FAIL" ? c.red("✗") : r.status === "ERROR" ? c.magenta("!") : c.yellow("?");
      const text = `${clean(r.resourceName)}: ${clean(r.message, MAX_LINE)}`;
      lines.push(`${" ".repeat(12)}${mark} ${truncate(text, width - 14)}`);
    }
    if (notable.length > maxResources)
      lines.push(`${" ".repeat(12)}${c.dim(`… and ${notable.length - maxResources} more`)}`);
  }
  const totals = (Object.keys(LABEL) as ControlStatus[])
    .map((s) => [s, report.controls.filter((f) => f.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => paint[s](`${n} ${LABEL[s]}`));
  lines.push(
    "",
    `${report.controls.length} control${report.controls.length === 1 ? "" : "s"}: ${totals.join(" · ")}`,
  );
  if (report.regressions.length > 0) {
    lines.push("", c.bold(c.red(`Regressions since the last run (${report.regressions.length}):`)));
    for (const r of report.regressions)
      lines.push(
        `  ${c.red("▼")} ${truncate(`${clean(r.controlId)} ${clean(r.message, MAX_LINE)}`, width - 4)}`,
      );
  }
  if (report.recoveries.length > 0) {
    lines.push("", c.bold(c.green(`Recoveries (${report.recoveries.length}):`)));
    for (const r of report.recoveries)
      lines.push(
        `  ${c.green("▲")} ${truncate(`${clean(r.controlId)} ${clean(r.message, MAX_LINE)}`, width - 4)}`,
      );
  }
  if (report.exceptions.expired.length > 0) {
    lines.push(
      "",
      c.yellow(`Expired exceptions no longer mute anything (${report.exceptions.expired.length}):`),
    );
    for (const e of report.exceptions.expired)
      lines.push(
        `  ${clean(e.controlId)} ${clean(e.resource)} (owner ${clean(e.owner)}, expired ${clean(e.expires)})`,
      );
  }
  lines.push("", c.dim(`${report.api.requests} API requests (${report.api.retries} retries)`));
  return lines.join("\n");
}

// Result messages can be long; the table shows one line each (the findings keep them whole).
function truncate(text: string, width: number): string {
  return clean(text, Math.max(width, 40));
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > Math.max(width, 40)) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
