/**
 * The report renderers by format name: pure functions from a run report to text, with no I/O, so
 * the CLI and a Lambda render alike. The terminal table is the CLI's own (cli/render.ts).
 */
import type { RunReport } from "../engine/findings.js";
import { safeJson } from "../shared/output-safety.js";
import { renderCsv } from "./csv.js";
import { filterReport, type ReportFilters } from "./filters.js";
import { renderHtmlReport } from "./html.js";
import { renderOcsf } from "./ocsf.js";

/** Formats rendered here. */
export const REPORT_FORMATS = ["json", "csv", "html", "ocsf"] as const;
/** A format rendered here. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** File name extension of each format (`report-{runId}.{ext}`). */
export const REPORT_EXTENSIONS: Record<ReportFormat, string> = {
  json: "json",
  csv: "csv",
  html: "html",
  ocsf: "ocsf.json",
};

/** What every renderer may need besides the report. */
export interface RenderContext {
  /** Version of the tool (OCSF `metadata.product.version`). */
  version: string;
  /** The view to render; the report given is the whole run. */
  filters?: ReportFilters;
}

/** Stable codes of report errors. */
export type ReportErrorCode = "UNKNOWN_FORMAT" | "FORMAT_UNAVAILABLE";

/** A format that does not exist, or is not built yet. */
export class ReportError extends Error {
  override readonly name = "ReportError";
  constructor(
    readonly code: ReportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Renderer = (report: RunReport, context: RenderContext) => string;

// A format whose renderer is not part of this build is absent here and refused with FORMAT_UNAVAILABLE.
const RENDERERS: Partial<Record<ReportFormat, Renderer>> = {
  // Terminal-safe JSON: names may hold C1 controls or bidi overrides, which JSON.stringify leaves raw.
  json: (report) => `${safeJson(report, 2)}\n`,
  html: (report) => renderHtmlReport(report),
  csv: (report, { filters }) =>
    renderCsv(report, filters?.compliance ? { compliance: filters.compliance } : {}),
  ocsf: (report, { version, filters }) =>
    renderOcsf(report, { version, ...(filters?.compliance ? { compliance: filters.compliance } : {}) }),
};

/** Whether a name is a format rendered here. */
export function isReportFormat(name: string): name is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(name);
}

/** Throws a ReportError unless `name` is a format this build can render. */
export function assertRenderable(name: string): asserts name is ReportFormat {
  if (!isReportFormat(name))
    throw new ReportError(
      "UNKNOWN_FORMAT",
      `unknown report format "${name}" (known: ${REPORT_FORMATS.join(", ")})`,
    );
  if (!RENDERERS[name])
    throw new ReportError("FORMAT_UNAVAILABLE", `the ${name} report is not available yet`);
}

/**
 * Formats that always show the whole run, whatever the filters: the HTML page is evidence an auditor
 * reads at a glance, and its counts and rollup cannot say that they describe a narrowed view.
 */
export const WHOLE_RUN_FORMATS: ReadonlySet<ReportFormat> = new Set(["html"]);

/** Renders the report in a format, narrowed by `context.filters` unless the format shows the whole run. */
export function renderAs(format: ReportFormat, report: RunReport, context: RenderContext): string {
  assertRenderable(format);
  const render = RENDERERS[format] as Renderer;
  const view =
    context.filters && !WHOLE_RUN_FORMATS.has(format) ? filterReport(report, context.filters) : report;
  return render(view, context);
}
