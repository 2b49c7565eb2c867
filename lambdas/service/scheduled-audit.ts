/**
 * One scheduled run of one control, at least once: EventBridge may deliver the same event twice,
 * and a failed run is retried. Alerts go out before findings are persisted (so a failed publish is
 * retried with the same comparison), each batch at most once per event (a marker records it), and a
 * fully handled event is recorded so a re-delivery does nothing.
 */
import {
  evaluationFailureAlert,
  type FindingLocation,
  organizationUnresolvedAlert,
  recoveryAlert,
  regressionAlert,
} from "../alerts/messages.js";
import { controlById } from "../controls/registry.js";
import { EngineError } from "../engine/errors.js";
import { type Plan, unevaluatedFinding } from "../engine/evaluate.js";
import type { ControlFinding, RunReport } from "../engine/findings.js";
import { persistReport, resolveOrgId, runAudit } from "../engine/run.js";
import type { ThresholdOverrides } from "../engine/thresholds.js";
import type { JumpCloudClient } from "../jumpcloud/client.js";
import { JumpCloudError } from "../jumpcloud/errors.js";
import type { ExportSummary, FindingsExporter } from "../securityhub/importer.js";
import type { Logger } from "../shared/logger.js";
import { clean } from "../shared/output-safety.js";
import type { FindingsStore } from "../store/findings-store.js";
import type { AuditItemEvent, ScheduledAuditEvent } from "./config.js";
import { assertOrgAudited, type OrgSelection, organizationsToAudit } from "./discover.js";
import type { AlertMessage, Notifier } from "./notifier.js";
import { assertEventTimeNear } from "./parse-event.js";
import { type ControlHealth, type StateStore, stateKeys } from "./state-store.js";

/** Records metrics of a run (Powertools Metrics in AWS). */
export interface AuditMetrics {
  record(finding: ControlFinding, api: RunReport["api"], regressions: number): void;
}

/** What a scheduled run needs. */
export interface ScheduledAuditDependencies {
  /** A client for an organization (`undefined`: the key's only organization). */
  clientFor(orgId: string | undefined): JumpCloudClient | Promise<JumpCloudClient>;
  store: FindingsStore;
  state: StateStore;
  notifier: Notifier;
  logger: Logger;
  metrics?: AuditMetrics;
  /**
   * Security Hub (`jcAudit:securityHub`): each organization's finding is exported after it is persisted.
   * It never throws; a failed import is logged and counted, and never fails or undoes the run.
   */
  securityHub?: FindingsExporter;
  /** The wall clock, to refuse events from another time (default: the system clock). */
  clock?: () => Date;
  /** Where a stored finding can be read, for alert links. */
  locate(orgId: string, controlId: string): FindingLocation;
  settings: OrgSelection & {
    plan?: Plan;
    thresholds?: ThresholdOverrides;
    announceRecoveries: boolean;
    /** Consecutive ERRORs before the "cannot evaluate" alert (a rejected key alerts at once). */
    errorAlertAfter: number;
  };
}

/** What happened for one organization. */
export interface OrgOutcome {
  orgId: string;
  status: ControlFinding["status"] | "DUPLICATE";
  regressions: number;
  published: number;
  /** What the Security Hub export did (only when it is configured). */
  securityHub?: ExportSummary;
}

interface EventMarker {
  /** Alert kinds already published for this event. */
  sent?: string[];
  healthTracked?: boolean;
  done?: boolean;
}

/** An audit of one control: scheduled (every configured organization) or a fan-out item (one). */
type AuditEvent = ScheduledAuditEvent | AuditItemEvent;

/**
 * Runs one control for the event's organization (a fan-out item) or every configured one, one after the
 * other; throws only if something must be retried.
 */
export async function runScheduledAudit(
  deps: ScheduledAuditDependencies,
  event: AuditEvent,
): Promise<OrgOutcome[]> {
  const control = controlById(event.controlId);
  if (!control) throw new EngineError("UNKNOWN_CONTROL", `Unknown control id ${event.controlId}`);
  // Before any read or write: the event's time is the evaluation's "now".
  assertEventTimeNear(event.time, (deps.clock ?? (() => new Date()))());
  if ("orgId" in event) assertOrgAudited(deps.settings, event.orgId);
  const targets = await targetsOf(deps, event);
  const outcomes: OrgOutcome[] = [];
  const failures: unknown[] = [];
  for (const target of targets) {
    try {
      outcomes.push(await auditOrg(deps, event, target));
    } catch (error) {
      // One organization's failure must not hide the others; the run is retried as a whole.
      deps.logger.error("Scheduled audit failed", {
        orgId: target,
        controlId: event.controlId,
        eventId: event.eventId,
        error: describe(error),
      });
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
  return outcomes;
}

/** The organizations of a run: the item's, the explicit or discovered ones, or the key's only one. */
async function targetsOf(
  deps: ScheduledAuditDependencies,
  event: AuditEvent,
): Promise<readonly (string | undefined)[]> {
  if ("orgId" in event) return [event.orgId];
  const { orgIds, excludeOrgIds } = deps.settings;
  if (orgIds === "all" || orgIds.length > 0 || (excludeOrgIds?.length ?? 0) > 0)
    return organizationsToAudit(deps);
  return [undefined];
}

async function auditOrg(
  deps: ScheduledAuditDependencies,
  event: AuditEvent,
  target: string | undefined,
): Promise<OrgOutcome> {
  const client = await deps.clientFor(target);
  const clock = () => new Date(event.time);
  const log = { controlId: event.controlId, eventId: event.eventId };
  let orgId: string;
  let report: RunReport | undefined;
  let finding: ControlFinding;
  try {
    orgId = target ?? (await resolveOrgId(client));
  } catch (error) {
    if (!(error instanceof JumpCloudError)) throw error;
    // No organization, so no finding to record: alert once per streak (e.g. a rejected key), then fail.
    deps.logger.error("Cannot resolve the organization", { ...log, code: error.code, status: error.status });
    const key = stateKeys.health("unresolved", event.controlId);
    const health = await deps.state.getJson<ControlHealth>(key);
    if (!health?.alerted) {
      await deps.notifier.publish(organizationUnresolvedAlert(event.controlId, error));
      await deps.state.putJson(key, {
        consecutiveErrors: (health?.consecutiveErrors ?? 0) + 1,
        lastErrorCode: error.code,
        alerted: true,
      });
    }
    throw error;
  }
  const markerKey = stateKeys.event(orgId, event.controlId, event.eventId);
  const marker = (await deps.state.getJson<EventMarker>(markerKey)) ?? {};
  if (marker.done) {
    deps.logger.info("Duplicate delivery ignored", { ...log, orgId });
    return { orgId, status: "DUPLICATE", regressions: 0, published: 0 };
  }

  try {
    report = await runAudit(
      { client, store: deps.store, clock, logger: deps.logger, persist: false },
      { controls: [event.controlId], orgId, plan: deps.settings.plan, thresholds: deps.settings.thresholds },
    );
    finding = report.controls[0] as ControlFinding;
  } catch (error) {
    if (!(error instanceof JumpCloudError)) throw error;
    const control = controlById(event.controlId);
    if (!control) throw error;
    finding = unevaluatedFinding(
      control,
      { code: error.code, message: error.message, status: error.status },
      {
        runId: `${event.time.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${event.eventId.slice(0, 6)}`,
        orgId,
        now: clock(),
        plan: deps.settings.plan,
      },
    );
  }

  const where = deps.locate(orgId, event.controlId);
  let published = 0;
  const regressions = report?.regressions ?? [];
  const recoveries = report?.recoveries ?? [];
  // Each message is recorded as sent right after it is, so a retry after a failed publish sends only the rest.
  const sent = new Set(marker.sent ?? []);
  const send = async (kind: string, build: () => AlertMessage) => {
    if (sent.has(kind)) return;
    await deps.notifier.publish(build());
    sent.add(kind);
    published += 1;
    await deps.state.putJson(markerKey, { sent: [...sent] });
  };
  if (regressions.length > 0) await send("regression", () => regressionAlert(finding, regressions, where));
  if (deps.settings.announceRecoveries && recoveries.length > 0)
    await send("recovery", () => recoveryAlert(finding, recoveries, where));
  if (!marker.healthTracked) {
    const health = await trackHealth(deps, orgId, finding);
    if (health.alert)
      await send("evaluation-failure", () =>
        evaluationFailureAlert(finding, health.consecutiveErrors, where),
      );
    await deps.state.putJson(markerKey, { sent: [...sent], healthTracked: true });
  }

  if (report) await persistReport(deps.store, report);
  else await deps.store.putFinding(finding);
  // After the findings are safe, before the event is marked done: a crash here re-runs the event, and
  // importing again is harmless (Security Hub upserts by id). A re-delivery marked done imports nothing.
  const exported = deps.securityHub ? await exportSafely(deps, deps.securityHub, finding) : undefined;
  await deps.state.putJson(markerKey, { sent: [...sent], healthTracked: true, done: true });
  deps.metrics?.record(
    finding,
    report?.api ?? { requests: client.stats().requests, retries: client.stats().retries },
    regressions.length,
  );
  deps.logger.info("Scheduled audit finished", {
    ...log,
    orgId,
    status: finding.status,
    regressions: regressions.length,
    published,
  });
  return {
    orgId,
    status: finding.status,
    regressions: regressions.length,
    published,
    ...(exported ? { securityHub: exported } : {}),
  };
}

/** Exports a finding; an exporter that throws anyway is logged, never a reason to fail the run. */
async function exportSafely(
  deps: ScheduledAuditDependencies,
  exporter: FindingsExporter,
  finding: ControlFinding,
): Promise<ExportSummary> {
  try {
    return await exporter.export(finding);
  } catch (error) {
    const summary: ExportSummary = {
      imported: 0,
      archived: 0,
      failed: [],
      skipped: 0,
      error: {
        code: "EXPORT_FAILED",
        message: clean(`${(error as Error)?.name}: ${(error as Error)?.message}`, 500),
      },
    };
    deps.logger.error("Security Hub import failed", {
      orgId: finding.orgId,
      controlId: finding.controlId,
      code: "SECURITY_HUB_IMPORT_FAILED",
      error: describe(error),
    });
    return summary;
  }
}

/** Counts consecutive ERRORs; says to alert once per streak (at once when the key is rejected). */
async function trackHealth(
  deps: ScheduledAuditDependencies,
  orgId: string,
  finding: ControlFinding,
): Promise<{ alert: boolean; consecutiveErrors: number }> {
  const key = stateKeys.health(orgId, finding.controlId);
  const health = (await deps.state.getJson<ControlHealth>(key)) ?? { consecutiveErrors: 0, alerted: false };
  if (finding.status !== "ERROR") {
    if (health.consecutiveErrors > 0) await deps.state.putJson(key, { consecutiveErrors: 0, alerted: false });
    return { alert: false, consecutiveErrors: 0 };
  }
  const consecutiveErrors = health.consecutiveErrors + 1;
  const alert =
    !health.alerted &&
    (consecutiveErrors >= deps.settings.errorAlertAfter || finding.error?.code === "AUTH_REJECTED");
  await deps.state.putJson(key, {
    consecutiveErrors,
    lastErrorCode: finding.error?.code,
    alerted: health.alerted || alert,
  });
  return { alert, consecutiveErrors };
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof JumpCloudError) return error.toJSON();
  return { name: (error as Error)?.name, message: (error as Error)?.message };
}
