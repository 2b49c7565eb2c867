/**
 * The daily organization report: for each organization, every deployed control's latest finding (checked,
 * and shown as ERROR when missing, stale or not trusted) becomes one run report, rendered as HTML, CSV
 * and OCSF under `reports/{orgId}/{date}/` with the same renderers as the CLI, plus `latest.html` and a
 * `summary.json` the next day compares with. With the digest on, one message per organization and day.
 * One organization's failure does not stop the others; the run throws at the end so it is retried, and a
 * retry rewrites the same keys and publishes no digest twice. Asked for (`portfolio: true`, the fan-out's
 * last step), a portfolio page and CSV of every organization, failed ones included, follow.
 */
import { dailyDigest } from "../alerts/digest.js";
import type { FindingLocation } from "../alerts/messages.js";
import { CONTROLS, controlById } from "../controls/registry.js";
import type { ControlStatus } from "../controls/types.js";
import { complianceOf } from "../engine/compliance.js";
import { type Regression, type RunReport, SCHEMA_VERSION } from "../engine/findings.js";
import { renderAs } from "../reports/index.js";
import { type PortfolioOrg, renderPortfolioCsv, renderPortfolioHtml } from "../reports/portfolio.js";
import type { Logger } from "../shared/logger.js";
import { clean } from "../shared/output-safety.js";
import type { ReportConfig, ReportEvent } from "./config.js";
import { type LatestObject, type ReportedControl, reportedControl } from "./daily-report-findings.js";
import {
  changesSince,
  type DailyChanges,
  dateBefore,
  type OrgReportSummary,
  type ReportKeys,
  summarize,
} from "./daily-report-summary.js";
import type { Notifier } from "./notifier.js";
import { assertEventTimeNear } from "./parse-event.js";

/** Reads the findings the report is made of. */
export interface LatestFindingsReader {
  /** Organizations with findings in the bucket (24 hexadecimal characters each), in any order. */
  organizations(): Promise<string[]>;
  /** A control's `latest.json`; throws only when the bucket could not be read (the run is then retried). */
  latest(orgId: string, controlId: string): Promise<LatestObject>;
}

/** The report's own objects under `reports/`. */
export interface ReportObjects {
  /** An object's text (at most `limit` bytes are read); throws only when the bucket could not be read. */
  read(key: string, limit: number): Promise<LatestObject>;
  write(key: string, body: string, contentType: string): Promise<void>;
}

/** Counts per organization and per run (Powertools Metrics in AWS). */
export interface ReportMetrics {
  record(summary: OrgReportSummary): void;
  recordRun(reported: number, failed: number): void;
}

/** What the report needs. */
export interface DailyReportDependencies {
  findings: LatestFindingsReader;
  objects: ReportObjects;
  notifier: Notifier;
  logger: Logger;
  metrics?: ReportMetrics;
  /** The wall clock (default: the system clock). */
  clock?: () => Date;
  /** Where a report object can be read, for the digest's link. */
  locate(key: string): FindingLocation;
  settings: DailyReportSettings;
}

/** The report's settings, from its configuration. */
export interface DailyReportSettings {
  /** Organizations reported; empty: every organization with findings in the bucket. */
  orgIds: readonly string[];
  /** The deployed controls. */
  controlIds: readonly string[];
  /** Seconds after which each control's latest finding is stale. */
  staleAfterSeconds: Readonly<Record<string, number>>;
  dailyDigest: boolean;
  /** The tool's version, for the OCSF findings. */
  version: string;
  /** Organizations reported at the same time. @default 4 */
  concurrency?: number;
}

/** Stable codes of report errors. */
export type DailyReportErrorCode =
  | "INVALID_SETTINGS"
  | "ORG_NOT_CONFIGURED"
  | "REPORT_FAILED"
  | "PORTFOLIO_FAILED";

/** A report that could not be made (for some or all organizations). */
export class DailyReportError extends Error {
  override readonly name = "DailyReportError";
  constructor(
    readonly code: DailyReportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One organization's report: its summary and what became of its digest. */
export interface OrgReportOutcome extends OrgReportSummary {
  digest: "published" | "already-published" | "off";
}

/** A report run over every organization. */
export interface DailyReportResult {
  date: string;
  time: string;
  organizations: OrgReportOutcome[];
  /** The portfolio summary, when the event asked for it. */
  portfolio?: PortfolioResult;
}

/** The portfolio summary's keys and counts. */
export interface PortfolioResult {
  html: string;
  csv: string;
  /** Organizations listed; those whose report failed; with at least one FAIL; with at least one ERROR. */
  organizations: number;
  failed: number;
  withFail: number;
  withError: number;
}

/** Keys of the report objects. */
export const reportKeys = {
  dated: (orgId: string, date: string, name: string) => `reports/${orgId}/${date}/${name}`,
  of: (orgId: string, date: string): ReportKeys => ({
    html: reportKeys.dated(orgId, date, "report.html"),
    csv: reportKeys.dated(orgId, date, "actions.csv"),
    ocsf: reportKeys.dated(orgId, date, "findings.ocsf.json"),
    summary: reportKeys.dated(orgId, date, "summary.json"),
    latest: `reports/${orgId}/latest.html`,
  }),
  digestSent: (orgId: string, date: string) => reportKeys.dated(orgId, date, "digest-sent.json"),
  // "_portfolio" cannot be an organization: their ids are 24 hexadecimal characters.
  portfolio: (date: string) => ({
    html: `reports/_portfolio/${date}.html`,
    csv: `reports/_portfolio/${date}.csv`,
  }),
};

/** Content types of the report objects (the HTML carries its own CSP in a meta tag). */
export const CONTENT_TYPES = {
  html: "text/html; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
} as const;

/** The most bytes read of a previous summary or a digest marker (ours are well under 64 KiB). */
export const REPORT_OBJECT_LIMIT = 1_048_576;
const ORG_ID = /^[0-9a-f]{24}$/i;

/** Settings from the validated configuration; a deployed control without a stale limit is refused. */
export function reportSettings(config: ReportConfig, version: string): DailyReportSettings {
  const stale = config.STALE_AFTER_JSON;
  const missing = config.CONTROL_IDS.filter((id) => !Object.hasOwn(stale, id));
  if (missing.length > 0)
    throw new DailyReportError(
      "INVALID_SETTINGS",
      `Invalid configuration: STALE_AFTER_JSON: no entry for control ${missing.join(", ")}`,
    );
  return {
    orgIds: config.JC_ORG_IDS,
    controlIds: config.CONTROL_IDS,
    staleAfterSeconds: stale,
    dailyDigest: config.DAILY_DIGEST,
    version,
  };
}

/** Writes the report of every organization for the event's day; throws at the end if any failed. */
export async function runDailyReport(
  deps: DailyReportDependencies,
  event: ReportEvent,
): Promise<DailyReportResult> {
  const now = (deps.clock ?? (() => new Date()))();
  // The time names the date folder and measures staleness: another era's time is refused.
  if (event.time) assertEventTimeNear(event.time, now);
  const time = event.time ? new Date(event.time) : now;
  const orgIds = await organizationsOf(deps, event.orgIds);
  const outcomes = new Map<string, OrgReportOutcome>();
  const failures: { orgId: string; error: unknown }[] = [];
  await eachLimited(orgIds, deps.settings.concurrency ?? 4, async (orgId) => {
    try {
      outcomes.set(orgId, await reportOrg(deps, orgId, time));
    } catch (error) {
      deps.logger.error("Daily report failed", { orgId, eventId: event.eventId, error: describe(error) });
      failures.push({ orgId, error });
    }
  });
  deps.metrics?.recordRun(outcomes.size, failures.length);
  const iso = time.toISOString();
  const date = iso.slice(0, 10);
  // Written even when organizations failed (they are listed as failed); a retry rewrites the same keys.
  let portfolio: DailyReportResult["portfolio"];
  let portfolioError: unknown;
  if (wantsPortfolio(event))
    try {
      portfolio = await writePortfolio(deps, date, orgIds, outcomes, failures);
    } catch (error) {
      portfolioError = error;
      deps.logger.error("Portfolio summary failed", { date, eventId: event.eventId, error: describe(error) });
    }
  const portfolioNote = portfolioError ? "; the portfolio summary could not be written either" : "";
  if (failures.length > 0)
    throw new DailyReportError(
      "REPORT_FAILED",
      `${failures.length} of ${orgIds.length} organizations could not be reported (the others were): ${failures
        .slice(0, 5)
        .map((f) => `${f.orgId}: ${describe(f.error).message}`)
        .join("; ")}${failures.length > 5 ? "; …" : ""}${portfolioNote}`,
    );
  if (portfolioError)
    throw new DailyReportError(
      "PORTFOLIO_FAILED",
      `Every organization was reported but the portfolio summary could not be written: ${describe(portfolioError).message}`,
    );
  return {
    date,
    time: iso,
    organizations: orgIds.flatMap((id) => outcomes.get(id) ?? []),
    ...(portfolio ? { portfolio } : {}),
  };
}

/** Whether the event asks for the portfolio summary (read defensively: only `true` does). */
export function wantsPortfolio(event: ReportEvent): boolean {
  return (event as { portfolio?: unknown }).portfolio === true;
}

/**
 * The result without the per-organization outcomes, for the fan-out's last step: up to 5,000 summaries
 * would pass a state's 256 KiB (and a Lambda response's 6 MiB); they are in the portfolio and each
 * organization's `summary.json`.
 */
export function compactResult(result: DailyReportResult): DailyReportResult {
  return { ...result, organizations: [] };
}

/** Writes the portfolio page and CSV: every organization, reported or failed. */
async function writePortfolio(
  deps: DailyReportDependencies,
  date: string,
  orgIds: readonly string[],
  outcomes: ReadonlyMap<string, OrgReportOutcome>,
  failures: readonly { orgId: string; error: unknown }[],
): Promise<PortfolioResult> {
  const failed = new Map(failures.map((f) => [f.orgId, f.error]));
  const orgs: PortfolioOrg[] = orgIds.map((orgId) => {
    const summary = outcomes.get(orgId);
    return summary
      ? { orgId, summary }
      : { orgId, failure: describe(failed.get(orgId) ?? new Error("not reported")).message };
  });
  const keys = reportKeys.portfolio(date);
  await deps.objects.write(
    keys.html,
    renderPortfolioHtml(orgs, { date, version: deps.settings.version }),
    CONTENT_TYPES.html,
  );
  await deps.objects.write(keys.csv, renderPortfolioCsv(orgs), CONTENT_TYPES.csv);
  const reported = [...outcomes.values()];
  const result = {
    ...keys,
    organizations: orgs.length,
    failed: failures.length,
    withFail: reported.filter((o) => o.counts.FAIL > 0).length,
    withError: reported.filter((o) => o.counts.ERROR > 0).length,
  };
  deps.logger.info("Portfolio summary written", { date, ...result });
  return result;
}

async function organizationsOf(
  deps: DailyReportDependencies,
  requested: readonly string[] | undefined,
): Promise<string[]> {
  const configured = deps.settings.orgIds;
  if (requested) {
    const unknown = requested.filter((id) => configured.length > 0 && !configured.includes(id));
    if (unknown.length > 0)
      throw new DailyReportError(
        "ORG_NOT_CONFIGURED",
        `Organization ${unknown.slice(0, 5).join(", ")} is not one of the configured organizations (JC_ORG_IDS)`,
      );
    return [...new Set(requested)];
  }
  if (configured.length > 0) return [...configured];
  const found = [...new Set((await deps.findings.organizations()).filter((id) => ORG_ID.test(id)))].sort();
  if (found.length === 0)
    deps.logger.warn("No organization has findings in the bucket yet: nothing to report");
  return found;
}

async function reportOrg(
  deps: DailyReportDependencies,
  orgId: string,
  time: Date,
): Promise<OrgReportOutcome> {
  const { settings } = deps;
  const iso = time.toISOString();
  const date = iso.slice(0, 10);
  const runId = `daily-${date}`;
  const controls = CONTROLS.filter((c) => settings.controlIds.includes(c.id));
  const reported = await Promise.all(
    controls.map(async (control) =>
      reportedControl(await deps.findings.latest(orgId, control.id), {
        orgId,
        control,
        now: time,
        staleAfterSeconds: settings.staleAfterSeconds[control.id] ?? 0,
        runId,
      }),
    ),
  );
  const keys = reportKeys.of(orgId, date);
  const summary = summarize(orgId, date, iso, reported, keys);
  const previousDate = dateBefore(date);
  const previous = await deps.objects.read(reportKeys.of(orgId, previousDate).summary, REPORT_OBJECT_LIMIT);
  const changes =
    previous.kind === "too-large"
      ? ({
          kind: "unusable",
          date: previousDate,
          reason: `it is larger than ${previous.limit} bytes`,
        } as const)
      : changesSince(summary, previousDate, previous.kind === "text" ? previous.text : undefined, titleOf);

  const report = runReportOf(orgId, iso, runId, reported, changes);
  const context = { version: settings.version };
  const html = renderAs("html", report, context);
  await Promise.all([
    deps.objects.write(keys.html, html, CONTENT_TYPES.html),
    deps.objects.write(keys.csv, renderAs("csv", report, context), CONTENT_TYPES.csv),
    deps.objects.write(keys.ocsf, renderAs("ocsf", report, context), CONTENT_TYPES.json),
    deps.objects.write(keys.summary, `${JSON.stringify(summary, null, 2)}\n`, CONTENT_TYPES.json),
  ]);
  // Last: it only ever points at a day whose objects are all written.
  await deps.objects.write(keys.latest, html, CONTENT_TYPES.html);

  const digest = settings.dailyDigest ? await publishDigestOnce(deps, summary, changes, reported) : "off";
  deps.metrics?.record(summary);
  deps.logger.info("Daily report written", {
    orgId,
    date,
    controls: reported.length,
    ...Object.fromEntries(Object.entries(summary.counts).map(([s, n]) => [`controls${pascal(s)}`, n])),
    stale: summary.problems.stale,
    missing: summary.problems.missing,
    invalid: summary.problems.invalid,
    digest,
  });
  return { ...summary, digest };
}

/** Publishes the day's digest unless its marker says it was; the marker is written after the publish. */
async function publishDigestOnce(
  deps: DailyReportDependencies,
  summary: OrgReportSummary,
  changes: DailyChanges,
  controls: readonly ReportedControl[],
): Promise<OrgReportOutcome["digest"]> {
  const markerKey = reportKeys.digestSent(summary.orgId, summary.date);
  if ((await deps.objects.read(markerKey, REPORT_OBJECT_LIMIT)).kind !== "absent") return "already-published";
  await deps.notifier.publish(
    dailyDigest({ summary, changes, controls, report: deps.locate(summary.keys.html) }),
  );
  const publishedAt = (deps.clock ?? (() => new Date()))().toISOString();
  await deps.objects.write(
    markerKey,
    JSON.stringify({ orgId: summary.orgId, date: summary.date, publishedAt }),
    CONTENT_TYPES.json,
  );
  return "published";
}

// How bad a status is, for the report's regressions and recoveries (as the engine ranks them). ERROR is
// not ranked: it says nothing about posture, so going to or from it is neither.
const RANK: Partial<Record<ControlStatus, number>> = {
  PASS: 0,
  NOT_APPLICABLE: 0,
  MUTED: 1,
  MANUAL: 2,
  FAIL: 3,
};

/** One run report of an organization's reported controls, for the renderers. */
function runReportOf(
  orgId: string,
  time: string,
  runId: string,
  reported: readonly ReportedControl[],
  changes: DailyChanges,
): RunReport {
  const findings = reported.map((r) => r.finding);
  const regressions: Regression[] = [];
  const recoveries: Regression[] = [];
  if (changes.kind === "compared")
    for (const change of changes.controls) {
      const control = controlById(change.controlId);
      const from = change.from === "absent" ? undefined : RANK[change.from];
      const to = change.to === "absent" ? undefined : RANK[change.to];
      if (!control || from === undefined || to === undefined || from === to) continue;
      (to > from ? regressions : recoveries).push({
        kind: "status",
        controlId: control.id,
        title: control.title,
        severity: control.severity,
        level: control.level,
        from: change.from,
        to: change.to,
        message: `Control ${control.id} went from ${change.from} to ${change.to} since the report of ${changes.date}`,
      });
    }
  return {
    schemaVersion: SCHEMA_VERSION,
    runId,
    orgId,
    startedAt: time,
    finishedAt: time,
    controls: findings,
    regressions,
    recoveries,
    compliance: complianceOf(findings),
    // Muted results are kept in the findings; which exceptions muted them is not (expired ones: the audits').
    exceptions: { applied: findings.reduce((n, f) => n + f.counts.MUTED, 0), expired: [] },
    api: { requests: 0, retries: 0 },
  };
}

function titleOf(controlId: string): string {
  return controlById(controlId)?.title ?? "(not in this version's catalog)";
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}

function pascal(status: string): string {
  return status
    .toLowerCase()
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

function describe(error: unknown): { name: string; message: string } {
  return { name: clean((error as Error)?.name, 64), message: clean((error as Error)?.message, 500) };
}
