/**
 * Plan, apply and roll back remediation. Plan only reads; apply re-reads the state, refuses on any
 * drift from the plan's "before", applies under a per-organization lock, re-audits and records;
 * rollback restores what apply changed. The same core runs in the Lambda and in `jc-audit remediate`.
 */
import { randomBytes } from "node:crypto";
import { collectSnapshot } from "../collect/collectors.js";
import type { DatasetName, Snapshot } from "../collect/snapshot.js";
import { CONTROLS, controlById } from "../controls/registry.js";
import type { AnyControl, ControlStatus } from "../controls/types.js";
import { evaluateControl, type Plan } from "../engine/evaluate.js";
import { resolveOrgId, runAudit } from "../engine/run.js";
import { resolveThresholds } from "../engine/thresholds.js";
import type { JumpCloudClient } from "../jumpcloud/client.js";
import type { AlertMessage, Notifier } from "../service/notifier.js";
import { type Logger, silentLogger } from "../shared/logger.js";
import type { PlanOptions, RemediationAction } from "./actions.js";
import { RemediationError } from "./errors.js";
import { type ActionResult, applyAction, type CreatedRefs, readCurrent, undoAction } from "./executor.js";
import { remediationAlert } from "./notify.js";
import { type PlannedControl, planActions, type RemediationPlan, type RemediationStore } from "./record.js";

/** Lambda functions live at most 15 minutes; a lock older than that was abandoned. */
const STALE_LOCK_MS = 20 * 60_000;

/** What remediation needs from outside. */
export interface RemediationDependencies {
  client: JumpCloudClient;
  store: RemediationStore;
  notifier?: Notifier;
  clock?: () => Date;
  logger?: Logger;
  /** How long a plan may wait before apply refuses it. @default 24 hours */
  planTtlMs?: number;
  /** The organization's plan, when known (see `jc-audit run --plan`). */
  jumpcloudPlan?: Plan;
}

/** Who asks, and why. */
export interface Requester {
  requestedBy: string;
  reason?: string;
  orgId?: string;
}

/** Builds and stores a plan for the given controls (default: every control with automated remediation). */
export async function planRemediation(
  deps: RemediationDependencies,
  request: Requester & { controls?: readonly string[] } & PlanOptions,
): Promise<RemediationPlan> {
  const now = (deps.clock ?? (() => new Date()))();
  // Why: an unknown id (the CLI passes what it is given) crashed with a TypeError on `undefined.needs`.
  const unknown = (request.controls ?? []).filter((id) => !controlById(id));
  if (unknown.length > 0)
    throw new RemediationError(
      "INVALID_REQUEST",
      `Unknown control id ${unknown.join(", ")} (known: ${CONTROLS.map((c) => c.id).join(", ")})`,
    );
  // Why: a control named twice was planned twice (duplicate rows and action ids in the plan).
  const controls = request.controls
    ? [...new Set(request.controls)].map((id) => controlById(id) as AnyControl)
    : CONTROLS.filter((c) => c.remediation.automated === "yes");
  const orgId = request.orgId ?? deps.client.orgId ?? (await resolveOrgId(deps.client));
  const needs = controls.flatMap((c) => [...c.needs, ...(c.optionalNeeds ?? [])] as DatasetName[]);
  const collected = await collectSnapshot(deps.client, needs, {
    orgId,
    now,
    activityWindowHours: 24,
    keyEventsWindowHours: 24,
  });
  const planId = `rp-${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(4).toString("hex")}`;
  const planned: PlannedControl[] = controls.map((control) => {
    const finding = evaluateControl(control, collected, resolveThresholds(control), {
      runId: planId,
      orgId,
      now,
      ...(deps.jumpcloudPlan ? { plan: deps.jumpcloudPlan } : {}),
    });
    const base = {
      controlId: control.id,
      title: control.title,
      statusBefore: finding.status,
      automated: control.remediation.automated,
      manualSteps: [...control.manualSteps],
    };
    if (finding.status === "ERROR") {
      throw new RemediationError(
        "INVALID_REQUEST",
        `Cannot plan ${control.id}: its current state could not be read (${finding.error?.message ?? finding.summary})`,
      );
    }
    if (!control.remediation.plan || finding.status === "PASS" || finding.status === "NOT_APPLICABLE") {
      return {
        ...base,
        actions: [],
        warnings: control.remediation.plan
          ? []
          : ["No automated remediation: follow the guide's manual steps."],
      };
    }
    const data: Partial<Snapshot> = {};
    for (const dataset of [...control.needs, ...(control.optionalNeeds ?? [])] as DatasetName[]) {
      const entry = collected[dataset];
      if (entry?.ok) (data as Record<string, unknown>)[dataset] = entry.data;
    }
    const outcome = control.remediation.plan(data, {
      ...(request.trustedRanges ? { trustedRanges: request.trustedRanges } : {}),
    });
    return { ...base, actions: outcome.actions, warnings: outcome.warnings };
  });
  const plan: RemediationPlan = {
    schemaVersion: "1.0",
    planId,
    orgId,
    status: "planned",
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + (deps.planTtlMs ?? 86_400_000)).toISOString(),
    requestedBy: request.requestedBy,
    ...(request.reason ? { reason: request.reason } : {}),
    controls: planned,
  };
  await deps.store.putPlan(plan);
  (deps.logger ?? silentLogger).info("Remediation planned", {
    planId,
    orgId,
    actions: planActions(plan).length,
  });
  return plan;
}

/** Applies a stored plan; a plan already applied is a no-op. */
export async function applyPlan(
  deps: RemediationDependencies,
  request: Requester & { planId: string },
): Promise<{ plan: RemediationPlan; noop: boolean }> {
  const now = (deps.clock ?? (() => new Date()))();
  const { plan, orgId } = await loadPlan(deps, request);
  if (plan.status === "applied") return { plan, noop: true };
  if (plan.status === "rolled-back")
    throw new RemediationError("PLAN_ROLLED_BACK", `Plan ${plan.planId} was rolled back; make a new plan`);
  if (now.getTime() > Date.parse(plan.expiresAt))
    throw new RemediationError(
      "PLAN_EXPIRED",
      `Plan ${plan.planId} expired at ${plan.expiresAt}; make a new plan`,
    );
  return withLock(deps, orgId, plan.planId, request.requestedBy, async () => {
    // Why: the plan was read before the lock; an apply that finished in between made it "applied", and
    // its changes then looked like drift (STATE_CHANGED) instead of the documented no-op.
    const latest = await deps.store.getPlan(orgId, plan.planId);
    if (latest?.status === "applied") return { plan: latest, noop: true };
    if (latest?.status === "rolled-back")
      throw new RemediationError("PLAN_ROLLED_BACK", `Plan ${plan.planId} was rolled back; make a new plan`);
    const actions = planActions(plan);
    const drift: string[] = [];
    for (const action of actions) {
      const current = await readCurrent(deps.client, action);
      const expected = action.before;
      const unchanged =
        action.kind === "create-ip-list" || action.kind === "create-authn-policy"
          ? current === null
          : current === expected;
      if (!unchanged)
        drift.push(
          `${action.resource.name} ${action.field}: planned from ${JSON.stringify(expected)}, now ${JSON.stringify(current)}`,
        );
    }
    if (drift.length > 0)
      throw new RemediationError(
        "STATE_CHANGED",
        `State changed since plan ${plan.planId}; nothing was changed: ${drift.join("; ")}`,
      );
    const refs: CreatedRefs = new Map();
    const results: ActionResult[] = [];
    try {
      for (const action of actions) results.push(await applyAction(deps.client, action, refs));
    } catch (error) {
      // Why: a failure after earlier actions succeeded left them in place with no record (the plan
      // stayed "planned", rollback refused), e.g. a 3.1 list without its policy, which made every later
      // plan drift. Undo them, so the error still means nothing was changed, or say what is left.
      const left = await undoPartial(deps, actions, results);
      (deps.logger ?? silentLogger).warn("Remediation apply failed; earlier changes undone", {
        planId: plan.planId,
        applied: results.length,
        left: left.length,
      });
      if (left.length === 0) throw error;
      throw new RemediationError(
        "WRITE_FAILED",
        `${(error as Error).message}; these earlier changes could not be undone, fix them by hand: ${left.join("; ")}`,
      );
    }
    const applied: RemediationPlan = {
      ...plan,
      status: "applied",
      applied: {
        at: now.toISOString(),
        by: request.requestedBy,
        ...(request.reason ? { reason: request.reason } : {}),
        results,
        statusAfter: await reaudit(deps, plan),
      },
    };
    await deps.store.putPlan(applied);
    await notify(deps, remediationAlert(applied, "applied"));
    return { plan: applied, noop: false };
  });
}

/** Restores what an applied plan changed: deletes what it created, restores previous values. */
export async function rollbackPlan(
  deps: RemediationDependencies,
  request: Requester & { planId: string },
): Promise<RemediationPlan> {
  const now = (deps.clock ?? (() => new Date()))();
  const { plan, orgId } = await loadPlan(deps, request);
  if (plan.status !== "applied" || !plan.applied)
    throw new RemediationError(
      "PLAN_NOT_APPLIED",
      `Plan ${plan.planId} is ${plan.status}, not applied: there is nothing to roll back`,
    );
  const applied = plan.applied;
  return withLock(deps, orgId, plan.planId, request.requestedBy, async () => {
    // Why: the plan was read before the lock; a rollback that finished in between would otherwise be
    // undone again ("changed-since" everywhere) and its record overwritten by this one.
    const latest = await deps.store.getPlan(orgId, plan.planId);
    if (latest?.status !== "applied")
      throw new RemediationError(
        "PLAN_NOT_APPLIED",
        `Plan ${plan.planId} is ${latest?.status ?? "gone"}, not applied: there is nothing to roll back`,
      );
    const byId = new Map(planActions(plan).map((a) => [a.id, a]));
    const outcomes: { actionId: string; outcome: string }[] = [];
    for (const result of [...applied.results].reverse()) {
      const action = byId.get(result.actionId);
      if (action)
        outcomes.push({ actionId: result.actionId, outcome: await undoAction(deps.client, action, result) });
    }
    const rolledBack: RemediationPlan = {
      ...plan,
      status: "rolled-back",
      rolledBack: {
        at: now.toISOString(),
        by: request.requestedBy,
        ...(request.reason ? { reason: request.reason } : {}),
        outcomes,
        statusAfter: await reaudit(deps, plan),
      },
    };
    await deps.store.putPlan(rolledBack);
    await notify(deps, remediationAlert(rolledBack, "rolled-back"));
    return rolledBack;
  });
}

async function loadPlan(deps: RemediationDependencies, request: Requester & { planId: string }) {
  const orgId = request.orgId ?? deps.client.orgId ?? (await resolveOrgId(deps.client));
  const plan = await deps.store.getPlan(orgId, request.planId);
  if (!plan)
    throw new RemediationError("PLAN_NOT_FOUND", `No plan ${request.planId} for organization ${orgId}`);
  return { plan, orgId };
}

async function withLock<T>(
  deps: RemediationDependencies,
  orgId: string,
  planId: string,
  requestedBy: string,
  work: () => Promise<T>,
): Promise<T> {
  const since = (deps.clock ?? (() => new Date()))().toISOString();
  let lock = await deps.store.acquireLock(orgId, { planId, requestedBy, since });
  // A lock older than a Lambda can live was left by a run that died: break it once.
  if (!lock.acquired && lock.holder && Date.parse(since) - Date.parse(lock.holder.since) > STALE_LOCK_MS) {
    await deps.store.releaseLock(orgId);
    lock = await deps.store.acquireLock(orgId, { planId, requestedBy, since });
  }
  if (!lock.acquired) {
    const holder = lock.holder
      ? ` (plan ${lock.holder.planId} by ${lock.holder.requestedBy} since ${lock.holder.since})`
      : "";
    throw new RemediationError(
      "LOCKED",
      `Another remediation is running for organization ${orgId}${holder}; try again when it ends`,
    );
  }
  try {
    return await work();
  } finally {
    await deps.store.releaseLock(orgId);
  }
}

/** Undoes the actions applied before a failure, last first; returns the descriptions of those it could not undo. */
async function undoPartial(
  deps: RemediationDependencies,
  actions: RemediationAction[],
  results: ActionResult[],
): Promise<string[]> {
  const byId = new Map(actions.map((a) => [a.id, a]));
  const left: string[] = [];
  for (const result of [...results].reverse()) {
    const action = byId.get(result.actionId);
    if (!action) continue;
    try {
      if ((await undoAction(deps.client, action, result)) === "changed-since") left.push(action.description);
    } catch {
      left.push(action.description);
    }
  }
  return left;
}

/**
 * The change is made and recorded by now: a failing notification must not turn it into an error
 * (a retry would be a no-op and the message would never go), so it is logged loudly instead.
 */
async function notify(deps: RemediationDependencies, message: AlertMessage): Promise<void> {
  try {
    await deps.notifier?.publish(message);
  } catch (error) {
    (deps.logger ?? silentLogger).error("Remediation notification failed; the change was made and recorded", {
      subject: message.subject,
      error: (error as Error).message,
    });
  }
}

/** Statuses of the plan's controls now. */
async function reaudit(
  deps: RemediationDependencies,
  plan: RemediationPlan,
): Promise<Record<string, ControlStatus>> {
  const report = await runAudit(
    { client: deps.client, ...(deps.clock ? { clock: deps.clock } : {}) },
    {
      controls: plan.controls.map((c) => c.controlId),
      orgId: plan.orgId,
      ...(deps.jumpcloudPlan ? { plan: deps.jumpcloudPlan } : {}),
    },
  );
  return Object.fromEntries(report.controls.map((f) => [f.controlId, f.status]));
}
