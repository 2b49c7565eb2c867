/** The run report as a table readable at a glance: status per control, resources, totals, regressions. */
import pc from "picocolors";
import type { ControlStatus, ResultStatus } from "../lambdas/controls/types.js";
import type { ComplianceEntry, RunReport } from "../lambdas/engine/findings.js";
import {
  describeFilters,
  FRAMEWORKS,
  filterReport,
  isFiltered,
  type ReportFilters,
  STATUS_LABELS,
  STATUSES,
} from "../lambdas/reports/filters.js";
import { clean, MAX_LINE, MAX_PARAGRAPH } from "../lambdas/shared/output-safety.js";

/** How to render. */
export interface RenderOptions {
  /** Colours (on a TTY). */
  color: boolean;
  /** Terminal width; summaries wrap to it. @default 120 */
  width?: number;
  /**
   * Cut long lines to `width` (a terminal). Off for a pipe or a file: every resource line is printed
   * whole (each value still capped by the output-safety layer). @default true
   */
  truncate?: boolean;
  /** Resources listed per control before "and N more". @default 5 */
  maxResources?: number;
  /** The view to show; totals and the exit code still cover the whole run. */
  filters?: ReportFilters;
}

const LABEL = STATUS_LABELS;

/** The mark before a resource line, per result status. */
const MARK: Record<ResultStatus, string> = { FAIL: "✗", ERROR: "!", MANUAL: "?", MUTED: "~", PASS: "✓" };
const RESULT_STATUSES: readonly ResultStatus[] = ["PASS", "FAIL", "MANUAL", "ERROR", "MUTED"];
/** Results listed under a control when no `--status` filter says otherwise. */
const NOTABLE = new Set<ResultStatus>(["FAIL", "ERROR", "MANUAL", "MUTED"]);

/** The legend of the table's marks. */
export const LEGEND =
  "Legend: ✗ FAIL · ! ERROR (not evaluated) · ? MANUAL (review) · ~ MUTED (accepted risk) · ✓ PASS · N/A NOT_APPLICABLE · ▼ regression · ▲ recovery";

/** Renders a run report for a terminal, a pipe or a file. */
export function renderReport(whole: RunReport, options: RenderOptions): string {
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
  const cut = options.truncate ?? true;
  // One line of at most `room` characters on a terminal; whole (capped at `max`) otherwise.
  const oneLine = (text: string, room: number, max = MAX_LINE * 2) =>
    clean(text, cut ? Math.max(room, 40) : max);
  const maxResources = options.maxResources ?? 5;
  const filters = options.filters ?? {};
  const report = filterReport(whole, filters);
  const lines: string[] = [];
  // Every string from JumpCloud (names, messages built from them) is cleaned: one line each, no
  // escape sequence, no value that starts a line of its own (lambdas/shared/output-safety.ts).
  const org = report.organizationName
    ? `${clean(report.organizationName)} (${clean(report.orgId)})`
    : clean(report.orgId);
  lines.push(
    c.bold(`JumpCloud hardening audit · ${org}`),
    c.dim(`run ${clean(report.runId)} · ${clean(report.startedAt)}`),
  );
  if (isFiltered(filters)) {
    const framework = filters.compliance ? FRAMEWORKS[filters.compliance] : undefined;
    const shown = framework
      ? `${report.compliance.length} of ${whole.compliance.filter((e) => e.framework === framework).length} requirements`
      : `${report.controls.length} of ${whole.controls.length} controls`;
    lines.push(
      c.dim(
        `view: ${describeFilters(filters)} · ${shown} shown; findings and the exit code cover the whole run`,
      ),
    );
  }
  lines.push("");

  if (filters.compliance) lines.push(...rollup(report.compliance, FRAMEWORKS[filters.compliance]));
  else {
    const shown = filters.statuses ? new Set<ResultStatus>(filters.statuses.filter(isResultStatus)) : NOTABLE;
    for (const f of report.controls) {
      const status = paint[f.status](LABEL[f.status].padEnd(6));
      lines.push(`${status} ${c.bold(f.controlId)} ${f.level} ${f.severity.padEnd(8)} ${c.bold(f.title)}`);
      for (const line of wrap(clean(f.summary, MAX_PARAGRAPH), width - 12))
        lines.push(`${" ".repeat(12)}${c.dim(oneLine(line, width - 12, MAX_PARAGRAPH))}`);
      // A blanket exception is always shown, even when it muted nothing this run.
      for (const e of report.exceptions.allResources?.filter((a) => a.controlId === f.controlId) ?? []) {
        const scope = e.check ? `all resources, check ${clean(e.check)}` : "all resources";
        const line = `muted by exception: ${scope} (${clean(e.owner)}, until ${clean(e.expires)})`;
        lines.push(`${" ".repeat(12)}${c.cyan(oneLine(line, width - 12))}`);
      }
      const listed = f.results.filter((r) => shown.has(r.status));
      for (const r of listed.slice(0, maxResources)) {
        const mark = paint[r.status](MARK[r.status]);
        const exception = r.mutedBy
          ? ` (muted: ${clean(r.mutedBy.owner)}, until ${clean(r.mutedBy.expires)})`
          : "";
        const text = `${clean(r.resourceName)}: ${clean(r.message, MAX_LINE)}${exception}`;
        lines.push(`${" ".repeat(12)}${mark} ${oneLine(text, width - 14)}`);
      }
      if (listed.length > maxResources)
        lines.push(
          `${" ".repeat(12)}${c.dim(`… and ${listed.length - maxResources} more (--format csv lists every result)`)}`,
        );
    }
  }

  // Totals always cover the whole run, every status included, so a view never hides what it left out.
  const count = (statuses: readonly ControlStatus[], of: (s: ControlStatus) => number) =>
    statuses.map((s) => {
      const n = of(s);
      const text = `${n} ${s}`;
      return n > 0 ? paint[s](text) : text;
    });
  const results = whole.controls.flatMap((f) => RESULT_STATUSES.map((s) => [s, f.counts[s]] as const));
  const resultTotal = results.reduce((sum, [, n]) => sum + n, 0);
  lines.push(
    "",
    `${plural(whole.controls.length, "control")}: ${count(STATUSES, (s) => whole.controls.filter((f) => f.status === s).length).join(" · ")}`,
    `${plural(resultTotal, "result")}: ${count(RESULT_STATUSES, (s) => results.reduce((sum, [t, n]) => (t === s ? sum + n : sum), 0)).join(" · ")}`,
    c.dim(LEGEND),
  );
  if (report.regressions.length > 0) {
    lines.push("", c.bold(c.red(`Regressions since the last run (${report.regressions.length}):`)));
    for (const r of report.regressions)
      lines.push(
        `  ${c.red("▼")} ${oneLine(`${clean(r.controlId)} ${clean(r.message, MAX_LINE)}`, width - 4)}`,
      );
  }
  if (report.recoveries.length > 0) {
    lines.push("", c.bold(c.green(`Recoveries (${report.recoveries.length}):`)));
    for (const r of report.recoveries)
      lines.push(
        `  ${c.green("▲")} ${oneLine(`${clean(r.controlId)} ${clean(r.message, MAX_LINE)}`, width - 4)}`,
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

  /** The rollup of one framework: each requirement with its status and its controls' statuses. */
  function rollup(entries: readonly ComplianceEntry[], framework: string): string[] {
    const status = new Map(whole.controls.map((f) => [f.controlId, f.status]));
    const out = [c.bold(`${framework}: ${plural(entries.length, "requirement")}`)];
    const pad = Math.max(0, ...entries.map((e) => clean(e.requirement).length));
    for (const e of entries) {
      const controls = e.controls
        .map((id) => {
          const s = status.get(id);
          return s ? `${id} ${LABEL[s]}` : id;
        })
        .join(" · ");
      out.push(
        `${paint[e.status](LABEL[e.status].padEnd(6))} ${clean(e.requirement).padEnd(pad)}  ${controls}`,
      );
    }
    const totals = STATUSES.map((s) => [s, entries.filter((e) => e.status === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`);
    if (totals.length > 0) out.push(c.dim(`requirements: ${totals.join(" · ")}`));
    return out;
  }
}

function isResultStatus(status: ControlStatus): status is ResultStatus {
  return (RESULT_STATUSES as readonly string[]).includes(status);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
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
