/** One audit run: select controls, collect once, evaluate, apply exceptions, compare, store. */
import { randomBytes } from "node:crypto";
import { collectSnapshot } from "../collect/collectors.js";
import { DATASET_FEATURE, type DatasetName } from "../collect/snapshot.js";
import { CONTROLS } from "../controls/registry.js";
import type { AnyControl, Level } from "../controls/types.js";
import type { JumpCloudClient } from "../jumpcloud/client.js";
import { listOrganizations } from "../jumpcloud/resources.js";
import { type Logger, silentLogger } from "../shared/logger.js";
import type { FindingsStore } from "../store/findings-store.js";
import { complianceOf } from "./compliance.js";
import { EngineError } from "./errors.js";
import { evaluateControl, insightsRetentionDays, type Plan, planHas, planName } from "./evaluate.js";
import {
  allResourcesExceptions,
  applyExceptions,
  checkExceptions,
  DEFAULT_MAX_EXCEPTION_DAYS,
  expiredExceptions,
  type RiskException,
} from "./exceptions.js";
import {
  type AllResourcesException,
  type ControlFinding,
  type Recovery,
  type Regression,
  type RunReport,
  SCHEMA_VERSION,
  trimPassResults,
} from "./findings.js";
import { compareFindings } from "./regressions.js";
import { resolveThresholds, type ThresholdOverrides } from "./thresholds.js";

/** What a run needs from outside: the API, optionally a store, a clock and a logger. */
export interface AuditDependencies {
  readonly client: JumpCloudClient;
  readonly store?: FindingsStore;
  readonly clock?: () => Date;
  readonly logger?: Logger;
  /**
   * Write findings and the report to the store (default). The scheduled function turns this off, to
   * publish alerts first and persist after, so a failed publish is retried with the same comparison.
   */
  readonly persist?: boolean;
  /** Progress while collecting: dataset name and items so far. */
  readonly onProgress?: (dataset: DatasetName, items: number) => void;
}

/** What to audit and how. */
export interface AuditOptions {
  /** Guide ids to run; all when omitted. */
  readonly controls?: readonly string[];
  /** Profile level: L1 runs L1 controls, L2 runs L1+L2, L3 runs all (levels are cumulative). All when omitted. */
  readonly level?: Level;
  /** Organization to audit; found from the key when it sees exactly one. */
  readonly orgId?: string;
  /** The organization's plan, when known: features it lacks make controls NOT_APPLICABLE. */
  readonly plan?: Plan;
  readonly thresholds?: ThresholdOverrides;
  readonly exceptions?: readonly RiskException[];
  /** Latest expiry accepted for an exception, in days after the run's day (1–3650). @default 365 */
  readonly maxExceptionDays?: number;
  /**
   * Passing results kept per control in stored findings (all failing and manual ones are always kept;
   * `counts` covers everything). Regressions are computed before trimming. @default 1000
   */
  readonly maxPassResults?: number;
}

const LEVEL_RANK: Record<Level, number> = { L1: 1, L2: 2, L3: 3 };

/** Chooses the controls of a run; unknown ids are an EngineError naming them. */
export function selectControls(
  options: Pick<AuditOptions, "controls" | "level">,
  catalog: readonly AnyControl[] = CONTROLS,
): AnyControl[] {
  const unknown = (options.controls ?? []).filter((id) => !catalog.some((c) => c.id === id));
  if (unknown.length > 0) {
    throw new EngineError(
      "UNKNOWN_CONTROL",
      `Unknown control id ${unknown.join(", ")} (known: ${catalog.map((c) => c.id).join(", ")})`,
    );
  }
  return catalog.filter(
    (c) =>
      (!options.controls || options.controls.includes(c.id)) &&
      (!options.level || LEVEL_RANK[c.level] <= LEVEL_RANK[options.level]),
  );
}

/** Runs an audit and returns its report (also stored, when a store is given). */
export async function runAudit(deps: AuditDependencies, options: AuditOptions = {}): Promise<RunReport> {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;
  const controls = selectControls(options);
  for (const id of Object.keys(options.thresholds ?? {})) selectControls({ controls: [id] });
  const thresholds = new Map(controls.map((c) => [c.id, resolveThresholds(c, options.thresholds?.[c.id])]));
  const startedAt = clock();
  const exceptions = options.exceptions ?? [];
  const maxExceptionDays = options.maxExceptionDays ?? DEFAULT_MAX_EXCEPTION_DAYS;
  // Before the first request: a blanket or far-off exception is refused, not discovered in a report.
  checkExceptions(exceptions, startedAt, maxExceptionDays);
  const runId = `${startedAt
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
  const orgId = options.orgId ?? deps.client.orgId ?? (await resolveOrgId(deps.client));
  logger.info("Audit started", { runId, orgId, controls: controls.map((c) => c.id) });

  // Datasets of a feature the declared plan lacks are not read at all (they would only answer 403/402).
  const needs = controls
    .filter((c) => !(options.plan && c.plans.requires && !planHas(options.plan, c.plans.requires)))
    .flatMap((c) => [...c.needs, ...(c.optionalNeeds ?? [])] as DatasetName[])
    .filter((dataset) => {
      const feature = DATASET_FEATURE[dataset];
      return !(options.plan && feature && !planHas(options.plan, feature));
    });
  const collected = await collectSnapshot(deps.client, needs, {
    orgId,
    now: startedAt,
    // Windows of the Insights datasets come from the thresholds of the controls that read them.
    activityWindowHours: Number(thresholds.get("5.1")?.activityWindowHours ?? 24),
    keyEventsWindowHours: Number(thresholds.get("5.2")?.windowHours ?? 24),
    ...(options.plan
      ? { insightsRetention: { days: insightsRetentionDays(options.plan), plan: planName(options.plan) } }
      : {}),
    onProgress: deps.onProgress,
  });
  for (const entry of Object.values(collected)) {
    if (entry && !entry.ok)
      logger.warn("Dataset unavailable", {
        runId,
        orgId,
        dataset: entry.error.dataset,
        code: entry.error.code,
        status: entry.error.status,
      });
  }

  const now = clock();
  let applied = 0;
  const allResources: AllResourcesException[] = [];
  const findings: ControlFinding[] = [];
  const regressions: Regression[] = [];
  const recoveries: Recovery[] = [];
  for (const control of controls) {
    const evaluated = evaluateControl(control, collected, thresholds.get(control.id) ?? {}, {
      runId,
      orgId,
      now,
      plan: options.plan,
    });
    const muted = applyExceptions(evaluated, exceptions, now);
    applied += muted.applied;
    for (const e of allResourcesExceptions(exceptions, control.id, now)) {
      allResources.push({
        controlId: e.controlId,
        ...(e.check ? { check: e.check } : {}),
        reason: e.reason,
        owner: e.owner,
        expires: e.expires,
        muted: muted.mutedBy.get(e) ?? 0,
      });
    }
    const previous = await deps.store?.getLatestEvaluated(orgId, control.id);
    const changes = compareFindings(previous, muted.finding);
    regressions.push(...changes.regressions);
    recoveries.push(...changes.recoveries);
    findings.push(trimPassResults(muted.finding, options.maxPassResults ?? 1000));
    logger.info("Control evaluated", {
      runId,
      orgId,
      controlId: control.id,
      status: muted.finding.status,
      failing: muted.finding.counts.FAIL,
    });
  }

  const organization = collected.organization?.ok ? collected.organization.data : undefined;
  const stats = deps.client.stats();
  const report: RunReport = {
    schemaVersion: SCHEMA_VERSION,
    runId,
    orgId,
    // The name is shown, never judged: only a non-empty string is kept.
    ...(typeof organization?.displayName === "string" && organization.displayName !== ""
      ? { organizationName: organization.displayName }
      : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: clock().toISOString(),
    controls: findings,
    regressions,
    recoveries,
    compliance: complianceOf(findings),
    exceptions: {
      applied,
      expired: expiredExceptions(exceptions, now).map((e) => ({
        controlId: e.controlId,
        resource: e.resource,
        owner: e.owner,
        expires: e.expires,
      })),
      maxDays: maxExceptionDays,
      allResources,
    },
    api: { requests: stats.requests, retries: stats.retries },
  };
  if (deps.store && deps.persist !== false) await persistReport(deps.store, report);
  logger.info("Audit finished", { runId, orgId, regressions: regressions.length, requests: stats.requests });
  return report;
}

/** Writes a run's findings (history and latest) and its report. */
export async function persistReport(store: FindingsStore, report: RunReport): Promise<void> {
  for (const finding of report.controls) await store.putFinding(finding);
  await store.putRun(report);
}

/** The organization a key sees, when it sees exactly one (an MSP key must name one). */
export async function resolveOrgId(client: JumpCloudClient): Promise<string> {
  const orgs = [];
  for await (const org of listOrganizations(client, ["displayName"])) orgs.push(org);
  const [only] = orgs;
  if (orgs.length === 1 && only) return only._id;
  throw new EngineError(
    "ORG_UNRESOLVED",
    orgs.length === 0
      ? "The API key sees no organization"
      : `The API key sees ${orgs.length} organizations; choose one with --org-id (${orgs
          .slice(0, 5)
          .map((o) => o._id)
          .join(", ")}${orgs.length > 5 ? ", …" : ""})`,
  );
}
