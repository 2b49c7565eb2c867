/**
 * Imports each control run into Security Hub: every result, in batches of at most 100; findings
 * Security Hub refused are retried with backoff a bounded number of times, then reported. Findings
 * imported as ACTIVE are remembered per organization and control (`state/{org}/{control}/securityhub.json`)
 * so the next run archives the ones it no longer reports.
 *
 * It never throws: the findings in the bucket and the alerts are the audit's output, already written
 * when this runs, and a Lambda retry would run the whole audit again. A failure is logged as an error
 * ("Security Hub import failed") and returned, for the metric and the alarm.
 */
import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { CHECK_RESOURCE_TYPE } from "../controls/types.js";
import type { ControlFinding } from "../engine/findings.js";
import { type StateStore, stateKeys } from "../service/state-store.js";
import type { Logger } from "../shared/logger.js";
import { clean } from "../shared/output-safety.js";
import {
  asffFindings,
  type ParsedFindingId,
  type ProductTarget,
  parseFindingId,
  vanishedFinding,
} from "./asff.js";

/** `BatchImportFindings` takes at most 100 findings per call. */
export const MAX_BATCH = 100;
/** Findings imported per control run at most (100 calls); the rest are reported as skipped. */
export const MAX_FINDINGS = 10_000;
/** ACTIVE ids remembered per control at most: a larger state document is cut, a forged one cannot grow. */
export const MAX_TRACKED = 20_000;

/** One finding Security Hub did not import. */
export interface FailedImport {
  id: string;
  code: string;
  message: string;
}

/** One `BatchImportFindings` call (the SDK adapter): the findings it refused. Throws when the call fails. */
export interface SecurityHubSink {
  importBatch(findings: AwsSecurityFinding[]): Promise<FailedImport[]>;
}

/** What one export did. */
export interface ExportSummary {
  /** Findings Security Hub accepted (archived ones included). */
  imported: number;
  /** Of those, findings of earlier runs archived because this run no longer reports them. */
  archived: number;
  /** Findings still refused after every attempt, or not sent because a call failed. */
  failed: FailedImport[];
  /** Findings over MAX_FINDINGS, not sent. */
  skipped: number;
  /** Why the export could not be completed (a call or the state document failed). */
  error?: { code: ExportErrorCode; message: string };
}

/** Stable codes of export problems. */
export type ExportErrorCode =
  | "IMPORT_CALL_FAILED"
  | "STATE_UNREADABLE"
  | "STATE_WRITE_FAILED"
  | "EXPORT_FAILED";

/** Sends a control run's results somewhere outside the bucket (Security Hub); never throws. */
export interface FindingsExporter {
  export(finding: ControlFinding): Promise<ExportSummary>;
}

/** Records export counts (a metric to alarm on). */
export interface ExportMetrics {
  record(controlId: string, summary: ExportSummary): void;
}

/** What the exporter needs. */
export interface SecurityHubExporterOptions {
  sink: SecurityHubSink;
  state: StateStore;
  target: ProductTarget;
  logger: Logger;
  metrics?: ExportMetrics;
  /** Attempts per batch for refused findings (default 3). */
  maxAttempts?: number;
  /** Waits before a retry (default: a timer); tests pass one that records. */
  sleep?: (ms: number) => Promise<void>;
}

/** What the state document holds. */
interface ImportState {
  version: 1;
  /** Ids imported as ACTIVE and not archived since. */
  active: string[];
}

const BACKOFF_MS = 500;

/** An exporter to Security Hub's BatchImportFindings. */
export function securityHubExporter(options: SecurityHubExporterOptions): FindingsExporter {
  return {
    async export(finding) {
      let summary: ExportSummary;
      try {
        summary = await exportFinding(options, finding);
      } catch (error) {
        summary = {
          imported: 0,
          archived: 0,
          failed: [],
          skipped: 0,
          error: { code: "EXPORT_FAILED", message: describe(error) },
        };
      }
      report(options, finding, summary);
      return summary;
    },
  };
}

async function exportFinding(
  options: SecurityHubExporterOptions,
  finding: ControlFinding,
): Promise<ExportSummary> {
  const { orgId, controlId } = finding;
  const key = stateKeys.securityHub(orgId, controlId);
  const previous = await readState(options, key, finding);

  const current = asffFindings(finding, options.target);
  const currentIds = new Set(current.map((f) => f.Id));
  const unjudged = unjudgedChecks(finding);
  // Not judged now (the control or the whole check is ERROR): neither recovered nor vanished, kept as is.
  const carried = (previous.ids ?? []).filter((p) => !currentIds.has(p.id) && unjudged(p));
  const vanished = (previous.ids ?? []).filter((p) => !currentIds.has(p.id) && !unjudged(p));

  // Failing results first, then archives, then passing ones: what needs action is sent within any limit.
  const needsAction = current.filter((f) => f.RecordState === "ACTIVE");
  const noAction = current.filter((f) => f.RecordState !== "ACTIVE");
  const ordered = [
    ...needsAction,
    ...vanished.map((p) => vanishedFinding(p, finding, options.target)),
    ...noAction,
  ];
  const sent = ordered.slice(0, MAX_FINDINGS);
  const { failed, error } = await importAll(options, sent);

  const notImported = new Set([...failed.map((f) => f.id), ...ordered.slice(MAX_FINDINGS).map((f) => f.Id)]);
  const archived = vanished.filter((p) => !notImported.has(p.id)).length;
  // Still ACTIVE in Security Hub as far as we know: this run's, the unjudged ones, and archives that did not go through.
  const active = [
    ...needsAction.map((f) => f.Id as string),
    ...carried.map((p) => p.id),
    ...vanished.filter((p) => notImported.has(p.id)).map((p) => p.id),
  ];
  const summary: ExportSummary = {
    imported: sent.length - failed.length,
    archived,
    failed,
    skipped: ordered.length - sent.length,
    ...(error ? { error } : {}),
  };
  if (previous.unreadable) return { ...summary, error: summary.error ?? previous.unreadable };
  if (active.length > MAX_TRACKED)
    options.logger.warn("Security Hub state cut", {
      orgId,
      controlId,
      active: active.length,
      kept: MAX_TRACKED,
    });
  try {
    await options.state.putJson(key, {
      version: 1,
      active: active.slice(0, MAX_TRACKED),
    } satisfies ImportState);
  } catch (cause) {
    return { ...summary, error: summary.error ?? { code: "STATE_WRITE_FAILED", message: describe(cause) } };
  }
  return summary;
}

/**
 * The ids imported as ACTIVE by earlier runs. The document comes from the bucket: anything that is not
 * one of our ids for this organization and control is dropped, and at most MAX_TRACKED are read. When it
 * cannot be read at all nothing is archived and it is not overwritten (its ids would be lost).
 */
async function readState(
  options: SecurityHubExporterOptions,
  key: string,
  finding: ControlFinding,
): Promise<{ ids?: ParsedFindingId[]; unreadable?: ExportSummary["error"] }> {
  let document: unknown;
  try {
    document = await options.state.getJson<unknown>(key);
  } catch (error) {
    // Not JSON: damaged or forged, so worthless; overwritten with this run's state.
    if (error instanceof SyntaxError) {
      options.logger.warn("Security Hub state ignored", { key, reason: "not JSON" });
      return { ids: [] };
    }
    return { unreadable: { code: "STATE_UNREADABLE", message: describe(error) } };
  }
  if (document === undefined) return { ids: [] };
  const list = (document as Partial<ImportState> | null)?.active;
  if (!Array.isArray(list)) {
    options.logger.warn("Security Hub state ignored", { key, reason: "no list of active ids" });
    return { ids: [] };
  }
  const ids = new Map<string, ParsedFindingId>();
  for (const item of list.slice(0, MAX_TRACKED)) {
    const parsed = parseFindingId(item, finding.orgId, finding.controlId);
    if (parsed) ids.set(parsed.id, parsed);
  }
  const dropped = Math.min(list.length, MAX_TRACKED) - ids.size;
  if (dropped > 0 || list.length > MAX_TRACKED)
    options.logger.warn("Security Hub state entries ignored", {
      key,
      dropped,
      beyondLimit: Math.max(0, list.length - MAX_TRACKED),
    });
  return { ids: [...ids.values()] };
}

/** Whether an earlier finding's check could not be judged in this run (then it is neither fixed nor gone). */
function unjudgedChecks(finding: ControlFinding): (p: ParsedFindingId) => boolean {
  if (finding.status === "ERROR" && finding.results.length === 0) return () => true;
  const checks = new Set(
    finding.results
      .filter((r) => r.status === "ERROR" && r.resourceType === CHECK_RESOURCE_TYPE)
      .map((r) => r.check),
  );
  return (p) => p.resource?.check !== undefined && checks.has(p.resource.check);
}

/** Sends findings in batches; refused ones are retried, a failed call stops the rest (they are reported). */
async function importAll(
  options: SecurityHubExporterOptions,
  findings: AwsSecurityFinding[],
): Promise<{ failed: FailedImport[]; error?: ExportSummary["error"] }> {
  const failed: FailedImport[] = [];
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempts = options.maxAttempts ?? 3;
  for (let start = 0; start < findings.length; start += MAX_BATCH) {
    let pending = findings.slice(start, start + MAX_BATCH);
    try {
      for (let attempt = 1; pending.length > 0; attempt++) {
        const refused = refusedOf(pending, await options.sink.importBatch(pending));
        if (attempt >= attempts || refused.size === 0) {
          failed.push(...refused.values());
          break;
        }
        pending = pending.filter((f) => refused.has(f.Id as string));
        await sleep(BACKOFF_MS * 2 ** (attempt - 1));
      }
    } catch (error) {
      // The SDK already retried throttling and server errors; the next calls would meet the same fate.
      const code = (error as { name?: string })?.name ?? "Error";
      for (const f of findings.slice(start))
        failed.push({ id: f.Id as string, code: "NOT_SENT", message: `not imported: ${code}` });
      return { failed, error: { code: "IMPORT_CALL_FAILED", message: describe(error) } };
    }
  }
  return { failed };
}

/**
 * The refused findings of a batch, by id. A failure Security Hub does not tie to one of the batch's ids
 * (no id, an unknown one) may be any of them: the whole batch counts as refused (importing is an upsert).
 */
function refusedOf(
  batch: readonly AwsSecurityFinding[],
  refused: readonly FailedImport[],
): Map<string, FailedImport> {
  const ids = new Set(batch.map((f) => f.Id as string));
  const stray = refused.find((f) => !ids.has(f.id));
  const byId = new Map(refused.filter((f) => ids.has(f.id)).map((f) => [f.id, f]));
  if (!stray) return byId;
  return new Map(
    batch.map((f) => [f.Id as string, byId.get(f.Id as string) ?? { ...stray, id: f.Id as string }]),
  );
}

function report(options: SecurityHubExporterOptions, finding: ControlFinding, summary: ExportSummary): void {
  options.metrics?.record(finding.controlId, summary);
  const attributes = {
    orgId: finding.orgId,
    controlId: finding.controlId,
    runId: finding.runId,
    imported: summary.imported,
    archived: summary.archived,
    failed: summary.failed.length,
    skipped: summary.skipped,
  };
  if (summary.failed.length > 0 || summary.error) {
    options.logger.error("Security Hub import failed", {
      ...attributes,
      code: "SECURITY_HUB_IMPORT_FAILED",
      ...(summary.error ? { error: summary.error } : {}),
      // A few examples; every code, once.
      errorCodes: [...new Set(summary.failed.map((f) => f.code))].slice(0, 10),
      examples: summary.failed.slice(0, 5),
    });
  } else if (summary.skipped > 0) {
    options.logger.warn("Security Hub import capped", { ...attributes, limit: MAX_FINDINGS });
  } else {
    options.logger.info("Security Hub import finished", attributes);
  }
}

function describe(error: unknown): string {
  const name = (error as Error)?.name ?? "Error";
  return clean(`${name}: ${(error as Error)?.message ?? String(error)}`, 500);
}
