/**
 * Plans remediation from a fresh read of the organization: the same code at plan time and at apply, so
 * apply can prove that every stored action is one an audit would plan now, and execute only those.
 */
import { isDeepStrictEqual } from "node:util";
import { collectSnapshot } from "../collect/collectors.js";
import type { DatasetName, Snapshot } from "../collect/snapshot.js";
import { controlById } from "../controls/registry.js";
import type { AnyControl, ControlStatus } from "../controls/types.js";
import { evaluateControl, type Plan } from "../engine/evaluate.js";
import { resolveThresholds } from "../engine/thresholds.js";
import type { JumpCloudClient } from "../jumpcloud/client.js";
import type { RemediationAction } from "./actions.js";
import { RemediationError } from "./errors.js";
import type { PlannedControl } from "./record.js";

/** What planning needs: whom to read, when, and the options the plan is made with. */
export interface PlanContext {
  client: JumpCloudClient;
  orgId: string;
  now: Date;
  runId: string;
  jumpcloudPlan?: Plan;
  trustedRanges?: readonly string[];
}

/** Each control's status and planned actions now; controls whose state could not be read are named apart. */
export async function planControls(
  controls: readonly AnyControl[],
  context: PlanContext,
): Promise<{ planned: PlannedControl[]; unreadable: { controlId: string; reason: string }[] }> {
  const needs = controls.flatMap((c) => [...c.needs, ...(c.optionalNeeds ?? [])] as DatasetName[]);
  const collected = await collectSnapshot(context.client, needs, {
    orgId: context.orgId,
    now: context.now,
    activityWindowHours: 24,
    keyEventsWindowHours: 24,
  });
  const unreadable: { controlId: string; reason: string }[] = [];
  const planned = controls.map((control): PlannedControl => {
    const finding = evaluateControl(control, collected, resolveThresholds(control), {
      runId: context.runId,
      orgId: context.orgId,
      now: context.now,
      ...(context.jumpcloudPlan ? { plan: context.jumpcloudPlan } : {}),
    });
    const base = {
      controlId: control.id,
      title: control.title,
      statusBefore: finding.status,
      automated: control.remediation.automated,
      manualSteps: [...control.manualSteps],
    };
    if (finding.status === "ERROR") {
      unreadable.push({ controlId: control.id, reason: finding.error?.message ?? finding.summary });
      return { ...base, actions: [], warnings: [] };
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
      ...(context.trustedRanges ? { trustedRanges: context.trustedRanges } : {}),
    });
    return { ...base, actions: outcome.actions, warnings: outcome.warnings };
  });
  return { planned, unreadable };
}

/** The controls a stored plan names, from the registry (never from the file). */
export function controlsOf(ids: readonly string[]): AnyControl[] {
  return ids.map((id) => {
    const control = controlById(id);
    if (!control) throw new RemediationError("PLAN_TAMPERED", `The plan names an unknown control ${id}`);
    return control;
  });
}

/** The outcome of proving a stored plan against a fresh one. */
export type Proof =
  | { ok: true; actions: RemediationAction[] }
  | { ok: false; code: "STATE_CHANGED" | "PLAN_MISMATCH"; problems: string[] };

/**
 * Every stored action must equal a freshly planned action with the same id, field for field (kind,
 * resource, field, before, after, body, description); the fresh actions are what is executed. A stored
 * action that differs only in "before", or that an audit no longer plans, means the state changed; any
 * other difference means the stored plan is not what this code plans (PLAN_MISMATCH).
 */
export function proveStoredActions(
  stored: readonly PlannedControl[],
  fresh: readonly PlannedControl[],
): Proof {
  const freshById = new Map(fresh.flatMap((c) => c.actions).map((a) => [a.id, a]));
  const statusOf = new Map<string, ControlStatus>(fresh.map((c) => [c.controlId, c.statusBefore]));
  const actions: RemediationAction[] = [];
  const drift: string[] = [];
  const mismatch: string[] = [];
  for (const action of stored.flatMap((c) => c.actions)) {
    const now = freshById.get(action.id);
    const where = `${action.resource.name} ${action.field}`;
    if (!now) {
      drift.push(
        `${where}: planned ${JSON.stringify(action.before)} → ${JSON.stringify(action.after)}, but an audit now plans no such change (${action.controlId} is now ${statusOf.get(action.controlId) ?? "not planned"})`,
      );
      continue;
    }
    const a = JSON.parse(JSON.stringify(action)) as Record<string, unknown>;
    const b = JSON.parse(JSON.stringify(now)) as Record<string, unknown>;
    if (isDeepStrictEqual(a, b)) {
      actions.push(now);
      continue;
    }
    const differing = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
      (key) => !isDeepStrictEqual(a[key], b[key]),
    );
    // The description names the value before in some controls; "before" alone is drift.
    if (differing.every((key) => key === "before" || key === "description") && differing.includes("before"))
      drift.push(
        `${where}: planned from ${JSON.stringify(action.before)}, now ${JSON.stringify(now.before)}`,
      );
    else
      mismatch.push(
        `${action.id} (${where}): its ${differing.join(", ")} differ from what an audit plans now`,
      );
  }
  if (mismatch.length > 0) return { ok: false, code: "PLAN_MISMATCH", problems: [...mismatch, ...drift] };
  if (drift.length > 0) return { ok: false, code: "STATE_CHANGED", problems: drift };
  return { ok: true, actions };
}
