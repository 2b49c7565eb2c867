/**
 * Plan, apply and roll back remediation. Plan only reads and stores a sealed record. Apply verifies
 * the seal before reading anything from JumpCloud, plans again from a fresh read and executes only
 * stored actions proven equal to fresh ones, journaling each write (intent before, outcome after) under
 * a per-organization lock. Rollback undoes only what is exactly as apply left it. The same core runs in
 * the Lambda and in `jc-audit remediate`.
 */
import { randomBytes } from "node:crypto";
import { CONTROLS, controlById } from "../controls/registry.js";
import type { AnyControl, ControlStatus } from "../controls/types.js";
import type { Plan } from "../engine/evaluate.js";
import { resolveOrgId, runAudit } from "../engine/run.js";
import type { JumpCloudClient } from "../jumpcloud/client.js";
import type { AlertMessage, Notifier } from "../service/notifier.js";
import { type Logger, silentLogger } from "../shared/logger.js";
import { clean } from "../shared/output-safety.js";
import type { PlanOptions, RemediationAction } from "./actions.js";
import { RemediationError } from "./errors.js";
import {
  type Applied,
  applyAction,
  type CreatedRefs,
  DEFAULT_CONFIRM_DELAYS_MS,
  type Undone,
  undoAction,
} from "./executor.js";
import { remediationAlert } from "./notify.js";
import { controlsOf, planControls, proveStoredActions } from "./planner.js";
import {
  type ActionResult,
  type ApplyOutcome,
  checkedIds,
  type JournalEntry,
  PLAN_ID_PATTERN,
  planActions,
  type RemediationPlan,
  type RemediationStore,
  remediationKeys,
  type UndoOutcome,
} from "./record.js";
import { parseRecord } from "./record-schema.js";
import { openRecord, type RecordSealer, sealRecord } from "./seal.js";

/** Lambda functions live at most 15 minutes; a lock older than that was abandoned. */
const STALE_LOCK_MS = 20 * 60_000;

/** Waits before each retry of storing a record after writes were made. */
const DEFAULT_STORE_RETRY_DELAYS_MS: readonly number[] = [500, 2_000, 5_000];

/** What remediation needs from outside. */
export interface RemediationDependencies {
  client: JumpCloudClient;
  store: RemediationStore;
  /** Seals records (KMS HMAC in AWS, a key file under `--out` locally). */
  sealer: RecordSealer;
  notifier?: Notifier;
  clock?: () => Date;
  logger?: Logger;
  /** How long a plan may wait before apply refuses it. @default 24 hours */
  planTtlMs?: number;
  /** The organization's plan, when known (see `jc-audit run --plan`). */
  jumpcloudPlan?: Plan;
  /** Re-read schedule of a write whose outcome is unknown. @default about two minutes */
  confirmDelaysMs?: readonly number[];
  /** Retry schedule of storing a record once writes were made. @default 0.5 s, 2 s, 5 s */
  storeRetryDelaysMs?: readonly number[];
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
  const now = clockOf(deps)();
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
  const orgId = await targetOrg(deps, request);
  const planId = `rp-${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(4).toString("hex")}`;
  const trustedRanges = request.trustedRanges?.length ? [...request.trustedRanges] : undefined;
  const { planned, unreadable } = await planControls(controls, {
    client: deps.client,
    orgId,
    now,
    runId: planId,
    ...(deps.jumpcloudPlan ? { jumpcloudPlan: deps.jumpcloudPlan } : {}),
    ...(trustedRanges ? { trustedRanges } : {}),
  });
  const [first] = unreadable;
  if (first)
    throw new RemediationError(
      "INVALID_REQUEST",
      `Cannot plan ${first.controlId}: its current state could not be read (${first.reason})`,
    );
  const plan: RemediationPlan = {
    schemaVersion: "2.0",
    planId,
    orgId,
    status: "planned",
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + (deps.planTtlMs ?? 86_400_000)).toISOString(),
    requestedBy: request.requestedBy,
    ...(request.reason ? { reason: request.reason } : {}),
    ...(trustedRanges ? { trustedRanges } : {}),
    controls: planned,
    operations: 0,
    journal: [],
  };
  await storeRecord(deps, plan);
  loggerOf(deps).info("Remediation planned", { planId, orgId, actions: planActions(plan).length });
  return plan;
}

/** Applies a stored plan; a plan already applied is a no-op. */
export async function applyPlan(
  deps: RemediationDependencies,
  request: Requester & { planId: string; trustedRanges?: readonly string[] },
): Promise<{ plan: RemediationPlan; noop: boolean }> {
  const now = clockOf(deps)();
  checkPlanId(request.planId);
  const orgId = await targetOrg(deps, request);
  const stored = await loadRecord(deps, orgId, request.planId);
  if (stored.status === "applied") return { plan: stored, noop: true };
  if (stored.status === "rolled-back") throw rolledBack(stored);
  if (now.getTime() > Date.parse(stored.expiresAt))
    throw new RemediationError(
      "PLAN_EXPIRED",
      `Plan ${stored.planId} expired at ${stored.expiresAt}; make a new plan`,
    );
  checkTrustedRanges(stored, request.trustedRanges);
  return withLock(deps, orgId, stored.planId, request.requestedBy, async () => {
    // Why: the record was read before the lock; an apply that finished in between made it "applied",
    // and its changes then looked like drift instead of the documented no-op.
    const latest = await loadRecord(deps, orgId, stored.planId);
    if (latest.status === "applied") return { plan: latest, noop: true };
    if (latest.status === "rolled-back") throw rolledBack(latest);
    if (latest.status !== "planned") throw incomplete(latest);

    // Plan again from a fresh read, with the same code and options: only actions proven equal run.
    const { planned: fresh, unreadable } = await planControls(
      controlsOf(latest.controls.map((c) => c.controlId)),
      {
        client: deps.client,
        orgId,
        now,
        runId: latest.planId,
        ...(deps.jumpcloudPlan ? { jumpcloudPlan: deps.jumpcloudPlan } : {}),
        ...(latest.trustedRanges ? { trustedRanges: latest.trustedRanges } : {}),
      },
    );
    if (unreadable.length > 0)
      throw new RemediationError(
        "STATE_UNREADABLE",
        `Cannot check plan ${latest.planId} against the organization; nothing was changed: ${unreadable.map((u) => `${u.controlId}'s current state could not be read (${u.reason})`).join("; ")}`,
      );
    const proof = proveStoredActions(latest.controls, fresh);
    if (!proof.ok)
      throw new RemediationError(
        proof.code,
        proof.code === "STATE_CHANGED"
          ? `State changed since plan ${latest.planId}; nothing was changed: ${proof.problems.join("; ")}`
          : `Plan ${latest.planId} does not match what an audit plans now (it was altered, or made by another version); nothing was changed: ${proof.problems.join("; ")}`,
      );
    const run = await startOperation(deps, latest, "apply", request, now);
    return { plan: await runApply(deps, run, proof.actions, request), noop: false };
  });
}

/** Restores what an applied plan changed: deletes what it created and restores previous values, each only if still as apply left it. */
export async function rollbackPlan(
  deps: RemediationDependencies,
  request: Requester & { planId: string },
): Promise<RemediationPlan> {
  const now = clockOf(deps)();
  checkPlanId(request.planId);
  const orgId = await targetOrg(deps, request);
  const stored = await loadRecord(deps, orgId, request.planId);
  if (stored.status === "planned" || stored.status === "rolled-back") throw notApplied(stored);
  return withLock(deps, orgId, stored.planId, request.requestedBy, async () => {
    // Why: a rollback that finished in between would otherwise be undone again and its record overwritten.
    const latest = await loadRecord(deps, orgId, stored.planId);
    if (latest.status === "planned" || latest.status === "rolled-back") throw notApplied(latest);
    const run = await startOperation(deps, latest, "rollback", request, now);
    return runRollback(deps, run, request);
  });
}

/** A plan being applied or rolled back: its record, journaled and stored as the operation goes. */
interface Operation {
  record: RemediationPlan;
  op: number;
}

/** Claims the next operation number (a create-only marker) and stores the record as in progress. */
async function startOperation(
  deps: RemediationDependencies,
  latest: RemediationPlan,
  kind: "apply" | "rollback",
  request: Requester,
  now: Date,
): Promise<Operation> {
  const op = latest.operations + 1;
  const marker = JSON.stringify({ op, kind, at: now.toISOString(), by: request.requestedBy });
  // Why: the seal proves who wrote a record, not that it is the latest one; a restored older copy
  // (status "planned" again) would replay the plan. Its operation number is then already taken.
  if (!(await deps.store.createMarker(latest.orgId, latest.planId, op, marker)))
    throw new RemediationError(
      "PLAN_REPLAYED",
      `Plan ${latest.planId}'s record is older than operation ${op}, which was already started (a restored or replayed copy, or an earlier run that stopped before recording); nothing was changed: make a new plan`,
    );
  const record: RemediationPlan = {
    ...latest,
    status: kind === "apply" ? "applying" : "rolling-back",
    operations: op,
    journal: [...latest.journal],
  };
  try {
    await storeRecord(deps, record);
  } catch (error) {
    throw new RemediationError(
      "RECORD_NOT_STORED",
      `Could not record the start of the ${kind} of plan ${latest.planId} (${(error as Error).message}); nothing was changed`,
    );
  }
  return { record, op };
}

/**
 * Appends a journal entry and stores the record. An intent (`mustStore`) that cannot be stored throws,
 * so its write is never made; an outcome is stored with retries (if that fails too, the next intent
 * fails, or the final store tries again and announces the writes).
 */
async function journal(
  deps: RemediationDependencies,
  run: Operation,
  entry: Omit<JournalEntry, "op" | "at">,
  mustStore: boolean,
): Promise<void> {
  run.record.journal.push({ op: run.op, at: clockOf(deps)().toISOString(), ...entry });
  if (mustStore) await storeRecord(deps, run.record);
  else await storeWithRetry(deps, run.record);
}

async function runApply(
  deps: RemediationDependencies,
  run: Operation,
  actions: RemediationAction[],
  request: Requester,
): Promise<RemediationPlan> {
  const options = { confirmDelaysMs: deps.confirmDelaysMs ?? DEFAULT_CONFIRM_DELAYS_MS };
  const refs: CreatedRefs = new Map();
  const done: { action: RemediationAction; applied: Applied }[] = [];
  let failure: Error | undefined;
  for (const action of actions) {
    try {
      // Never write without a stored intent: a write the record does not know of could not be undone.
      await journal(deps, run, { step: "apply", actionId: action.id, state: "intent" }, true);
    } catch (error) {
      failure = new RemediationError(
        "RECORD_NOT_STORED",
        `Could not record the intent to ${action.description} (${(error as Error).message}); it was not made`,
      );
      break;
    }
    let applied: Applied;
    try {
      applied = await applyAction(deps.client, action, refs, options);
    } catch (error) {
      await journal(
        deps,
        run,
        { step: "apply", actionId: action.id, state: "failed", detail: (error as Error).message },
        false,
      );
      failure = error as Error;
      break;
    }
    done.push({ action, applied });
    await journal(
      deps,
      run,
      {
        step: "apply",
        actionId: action.id,
        state: applied.result.outcome,
        ...(applied.result.createdId ? { createdId: applied.result.createdId } : {}),
        ...(applied.leftAs !== undefined ? { leftAs: applied.leftAs } : {}),
        ...(applied.detail ? { detail: applied.detail } : {}),
      },
      false,
    );
    if (applied.result.outcome === "unknown") {
      failure = new RemediationError(
        "WRITE_UNCONFIRMED",
        `${action.description}: the write's outcome is still unknown (${applied.detail}); it is recorded as such, and a rollback re-reads it and undoes it only if it landed`,
      );
      break;
    }
    // A record that could not be stored after this write stops the next one at its intent; after the
    // last one, finish() tries again and announces the writes if it still fails.
  }
  const now = clockOf(deps)();
  if (failure) return failApply(deps, run, done, refs, failure);

  run.record.status = "applied";
  run.record.applied = {
    at: now.toISOString(),
    by: request.requestedBy,
    ...(request.reason ? { reason: request.reason } : {}),
    results: done.map((d) => d.applied.result),
    statusAfter: await statusesNow(deps, run.record),
  };
  await finish(deps, run, "applied");
  return run.record;
}

/**
 * After a failure: undoes what this apply changed (last first, journaled), so the error still means
 * nothing was changed, or says what is left; the plan can be applied again only when nothing is.
 */
async function failApply(
  deps: RemediationDependencies,
  run: Operation,
  done: { action: RemediationAction; applied: Applied }[],
  refs: CreatedRefs,
  failure: Error,
): Promise<never> {
  const options = { confirmDelaysMs: deps.confirmDelaysMs ?? DEFAULT_CONFIRM_DELAYS_MS };
  const left: string[] = [];
  for (const { action, applied } of [...done].reverse()) {
    if (applied.result.outcome === "already") continue;
    if (applied.result.outcome === "unknown") {
      left.push(`${action.description} (outcome unknown)`);
      continue;
    }
    const undone = await undoJournaled(
      deps,
      run,
      action,
      { ...applied.result, leftAs: applied.leftAs },
      refs,
      options,
    );
    if (undone.outcome !== "restored") left.push(action.description);
  }
  run.record.status = left.length === 0 ? "planned" : "failed";
  const wrote = done.some((d) => d.applied.result.outcome !== "already");
  loggerOf(deps).warn("Remediation apply failed; earlier changes undone", {
    planId: run.record.planId,
    applied: done.length,
    left: left.length,
  });
  const error = await storeWithRetry(deps, run.record);
  if (error) {
    const problem = `the record of plan ${run.record.planId} could not be stored (${error.message})`;
    if (wrote)
      await notify(
        deps,
        remediationAlert(run.record, "failed", `Apply failed (${failure.message}) and ${problem}.`),
      );
    throw new RemediationError(
      "RECORD_NOT_STORED",
      `${failure.message}; ${problem}${left.length ? `; left changed: ${left.join("; ")}` : ""}`,
    );
  }
  if (left.length === 0) throw failure;
  await notify(deps, remediationAlert(run.record, "failed", `Apply failed: ${failure.message}`));
  if (failure instanceof RemediationError && failure.code === "WRITE_UNCONFIRMED") throw failure;
  throw new RemediationError(
    "WRITE_FAILED",
    `${failure.message}; these earlier changes could not be undone, fix them by hand: ${left.join("; ")}`,
  );
}

async function runRollback(
  deps: RemediationDependencies,
  run: Operation,
  request: Requester,
): Promise<RemediationPlan> {
  const options = { confirmDelaysMs: deps.confirmDelaysMs ?? DEFAULT_CONFIRM_DELAYS_MS };
  const byId = new Map(planActions(run.record).map((a) => [a.id, a]));
  const { pending, refs } = toUndo(run.record);
  const outcomes: { actionId: string; outcome: UndoOutcome; detail?: string }[] = [];
  for (const [actionId, applied] of [...pending].reverse()) {
    const action = byId.get(actionId);
    if (!action) continue;
    let undone: Undone;
    try {
      undone = await undoJournaled(deps, run, action, applied, refs, options, true);
    } catch (error) {
      undone = {
        outcome: "failed",
        detail: `the intent could not be recorded (${(error as Error).message}); nothing was written`,
      };
      outcomes.push({ actionId, ...undone });
      break;
    }
    outcomes.push({ actionId, outcome: undone.outcome, ...(undone.detail ? { detail: undone.detail } : {}) });
  }
  const settled = outcomes.every((o) => o.outcome !== "failed" && o.outcome !== "unknown");
  run.record.status = settled ? "rolled-back" : "failed";
  run.record.rolledBack = {
    at: clockOf(deps)().toISOString(),
    by: request.requestedBy,
    ...(request.reason ? { reason: request.reason } : {}),
    outcomes,
    statusAfter: await statusesNow(deps, run.record),
  };
  await finish(deps, run, "rolled-back");
  return run.record;
}

/** One undo, journaled: the intent (stored first when `mustStore`), then the outcome. */
async function undoJournaled(
  deps: RemediationDependencies,
  run: Operation,
  action: RemediationAction,
  applied: { outcome: ApplyOutcome; createdId?: string; leftAs?: unknown },
  refs: CreatedRefs,
  options: { confirmDelaysMs: readonly number[] },
  mustStore = false,
): Promise<Undone> {
  await journal(deps, run, { step: "undo", actionId: action.id, state: "intent" }, mustStore);
  let undone: Undone;
  try {
    undone = await undoAction(deps.client, action, applied, refs, options);
  } catch (error) {
    undone = { outcome: "failed", detail: (error as Error).message };
  }
  await journal(
    deps,
    run,
    {
      step: "undo",
      actionId: action.id,
      state: undone.outcome,
      ...(undone.detail ? { detail: undone.detail } : {}),
    },
    false,
  );
  return undone;
}

/** What the journal says is still to undo, in plan order, and the ids of lists created by `ref`. */
function toUndo(record: RemediationPlan): {
  pending: Map<string, { outcome: ApplyOutcome; createdId?: string; leftAs?: unknown }>;
  refs: CreatedRefs;
} {
  const byId = new Map(planActions(record).map((a) => [a.id, a]));
  const pending = new Map<string, { outcome: ApplyOutcome; createdId?: string; leftAs?: unknown }>();
  const refs: CreatedRefs = new Map();
  for (const entry of record.journal) {
    if (entry.step === "apply") {
      // An intent without an outcome is a write that may or may not have landed.
      if (entry.state === "intent") pending.set(entry.actionId, { outcome: "unknown" });
      else if (entry.state === "applied" || entry.state === "already" || entry.state === "unknown") {
        pending.set(entry.actionId, {
          outcome: entry.state,
          ...(entry.createdId ? { createdId: entry.createdId } : {}),
          ...(entry.leftAs !== undefined ? { leftAs: entry.leftAs } : {}),
        });
        const action = byId.get(entry.actionId);
        if (action?.kind === "create-ip-list" && entry.createdId) refs.set(action.ref, entry.createdId);
      } else pending.delete(entry.actionId); // refused: it did not happen
    } else if (["restored", "nothing-to-undo", "changed-since", "cannot-restore"].includes(entry.state)) {
      pending.delete(entry.actionId); // settled by an earlier undo
    }
  }
  const order = planActions(record).map((a) => a.id);
  return {
    pending: new Map(order.filter((id) => pending.has(id)).map((id) => [id, pending.get(id) as never])),
    refs,
  };
}

/** Stores the final record (with retries) and announces it; writes are never left unrecorded and silent. */
async function finish(
  deps: RemediationDependencies,
  run: Operation,
  phase: "applied" | "rolled-back",
): Promise<void> {
  // The final record holds every journal entry: once it is stored, earlier failed stores do not matter.
  const error = await storeWithRetry(deps, run.record);
  if (!error) {
    await notify(deps, remediationAlert(run.record, phase));
    return;
  }
  const problem = `The record of plan ${run.record.planId} could not be stored (${error.message}): this message is the only record of these changes`;
  await notify(deps, remediationAlert(run.record, phase, problem));
  throw new RemediationError(
    "RECORD_NOT_STORED",
    `${phase === "applied" ? "Applied" : "Rolled back"} plan ${run.record.planId}, but its record could not be stored (${error.message}); the changes were announced on the alerts topic: ${planActions(
      run.record,
    )
      .map((a) => a.description)
      .join("; ")}`,
  );
}

/** Seals and stores a record; the storage key comes from validated ids only. */
async function storeRecord(deps: RemediationDependencies, record: RemediationPlan): Promise<void> {
  const key = remediationKeys.plan(record.orgId, record.planId);
  await deps.store.putRecord(record.orgId, record.planId, await sealRecord(deps.sealer, key, record));
}

/** Stores a record, retrying; returns the last error when every try failed. */
async function storeWithRetry(
  deps: RemediationDependencies,
  record: RemediationPlan,
): Promise<Error | undefined> {
  let last: Error | undefined;
  for (const delay of [0, ...(deps.storeRetryDelaysMs ?? DEFAULT_STORE_RETRY_DELAYS_MS)]) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      await storeRecord(deps, record);
      return undefined;
    } catch (error) {
      last = error as Error;
      loggerOf(deps).warn("Storing the remediation record failed", {
        planId: record.planId,
        error: last.message,
      });
    }
  }
  loggerOf(deps).error("The remediation record could not be stored", {
    planId: record.planId,
    error: last?.message,
  });
  return last;
}

/** The verified record of a plan: its seal checked before anything in it is used, then its shape and ids. */
async function loadRecord(
  deps: RemediationDependencies,
  orgId: string,
  planId: string,
): Promise<RemediationPlan> {
  const key = remediationKeys.plan(orgId, planId);
  const text = await deps.store.getRecord(orgId, planId);
  if (text === undefined)
    throw new RemediationError("PLAN_NOT_FOUND", `No plan ${planId} for organization ${orgId}`);
  const record = parseRecord(await openRecord(deps.sealer, key, text), key);
  if (record.planId !== planId || record.orgId !== orgId)
    throw new RemediationError(
      "PLAN_TAMPERED",
      `The record ${key} names plan ${record.planId} of organization ${record.orgId}; nothing was changed: make a new plan`,
    );
  return record;
}

function checkPlanId(planId: string): void {
  if (typeof planId !== "string" || !PLAN_ID_PATTERN.test(planId))
    throw new RemediationError(
      "INVALID_REQUEST",
      `Plan id ${JSON.stringify(planId)} is not a plan id returned by plan mode`,
    );
}

/** The organization: the request's, the client's, or the only one the key sees; validated like a request's. */
async function targetOrg(deps: RemediationDependencies, request: Requester): Promise<string> {
  const orgId = request.orgId ?? deps.client.orgId ?? (await resolveOrgId(deps.client));
  return checkedIds(orgId, "rp-00000000").orgId;
}

/** In AWS the configured ranges are given again at apply: a plan made with other ones is refused. */
function checkTrustedRanges(plan: RemediationPlan, given: readonly string[] | undefined): void {
  if (!given?.length || !plan.controls.some((c) => c.controlId === "3.1")) return;
  const same = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();
  if (!same(given, plan.trustedRanges ?? []))
    throw new RemediationError(
      "INVALID_REQUEST",
      `The trusted ranges given now (${given.join(", ")}) differ from those plan ${plan.planId} was made with (${(plan.trustedRanges ?? []).join(", ") || "none"}); make a new plan`,
    );
}

const rolledBack = (plan: RemediationPlan) =>
  new RemediationError("PLAN_ROLLED_BACK", `Plan ${plan.planId} was rolled back; make a new plan`);
const notApplied = (plan: RemediationPlan) =>
  new RemediationError(
    "PLAN_NOT_APPLIED",
    `Plan ${plan.planId} is ${plan.status}, not applied: there is nothing to roll back`,
  );
const incomplete = (plan: RemediationPlan) =>
  new RemediationError(
    "PLAN_INCOMPLETE",
    `Plan ${plan.planId}'s last ${plan.status === "rolling-back" ? "rollback" : "apply"} did not finish (status ${plan.status}); nothing was changed: roll it back (--rollback ${plan.planId}), then make a new plan`,
  );

async function withLock<T>(
  deps: RemediationDependencies,
  orgId: string,
  planId: string,
  requestedBy: string,
  work: () => Promise<T>,
): Promise<T> {
  const since = clockOf(deps)().toISOString();
  let lock = await deps.store.acquireLock(orgId, { planId, requestedBy, since });
  // A lock older than a Lambda can live was left by a run that died. It is removed only by a conditional
  // delete of that very lock: of two callers breaking it at once, exactly one succeeds and goes on.
  if (
    !lock.acquired &&
    lock.holder &&
    lock.tag &&
    Date.parse(since) - Date.parse(lock.holder.since) > STALE_LOCK_MS &&
    (await deps.store.breakLock(orgId, lock.tag))
  ) {
    loggerOf(deps).warn("Broke a stale remediation lock", {
      orgId,
      holder: lock.holder.planId,
      since: lock.holder.since,
    });
    lock = await deps.store.acquireLock(orgId, { planId, requestedBy, since });
  }
  if (!lock.acquired) {
    // The lock object is not trusted: its fields are shown as clean, capped text.
    const holder = lock.holder
      ? ` (plan ${clean(lock.holder.planId)} by ${clean(lock.holder.requestedBy)} since ${clean(lock.holder.since)})`
      : "";
    throw new RemediationError(
      "LOCKED",
      `Another remediation is running for organization ${orgId}${holder}; try again when it ends`,
    );
  }
  try {
    return await work();
  } finally {
    await deps.store.releaseLock(orgId, lock.tag).catch((error: Error) =>
      loggerOf(deps).error("Releasing the remediation lock failed; it expires after 20 minutes", {
        orgId,
        error: error.message,
      }),
    );
  }
}

/**
 * The change is made and recorded by now: a failing notification must not turn it into an error
 * (a retry would be a no-op and the message would never go), so it is logged loudly instead.
 */
async function notify(deps: RemediationDependencies, message: AlertMessage): Promise<void> {
  try {
    await deps.notifier?.publish(message);
  } catch (error) {
    loggerOf(deps).error("Remediation notification failed; the change was made and recorded", {
      subject: message.subject,
      error: (error as Error).message,
    });
  }
}

/** Statuses of the plan's controls now; ERROR for each when they cannot be read (the writes stand). */
async function statusesNow(
  deps: RemediationDependencies,
  plan: RemediationPlan,
): Promise<Record<string, ControlStatus>> {
  try {
    const report = await runAudit(
      { client: deps.client, ...(deps.clock ? { clock: deps.clock } : {}) },
      {
        controls: plan.controls.map((c) => c.controlId),
        orgId: plan.orgId,
        ...(deps.jumpcloudPlan ? { plan: deps.jumpcloudPlan } : {}),
      },
    );
    return Object.fromEntries(report.controls.map((f) => [f.controlId, f.status]));
  } catch (error) {
    loggerOf(deps).error("Re-audit after remediation failed", {
      planId: plan.planId,
      error: (error as Error).message,
    });
    return Object.fromEntries(plan.controls.map((c) => [c.controlId, "ERROR" as const]));
  }
}

const clockOf = (deps: RemediationDependencies) => deps.clock ?? (() => new Date());
const loggerOf = (deps: RemediationDependencies) => deps.logger ?? silentLogger;

export type { ActionResult };
