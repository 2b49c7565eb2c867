/** Evaluates one control over collected data: ERROR when its data is missing, NOT_APPLICABLE on plan gating. */
import {
  type CollectedSnapshot,
  DATASET_FEATURE,
  type DatasetError,
  type PlanFeature,
  type Snapshot,
} from "../collect/snapshot.js";
import type { AnyControl, ThresholdValues } from "../controls/types.js";
import { type ControlFinding, countResults, SCHEMA_VERSION, statusFromResults } from "./findings.js";

/** JumpCloud plans (hardening guide, Appendix A). */
export type Plan = "free" | "core" | "platform" | "platform_plus";

// Directory Insights' basic API exists on every plan (notes §12.4 corrects the guide's Appendix A,
// which describes the full feature); what differs is how long events are kept.
const FEATURE_PLANS: Record<PlanFeature, { name: string; plans: Plan[] }> = {
  conditionalAccess: { name: "Conditional Access", plans: ["platform", "platform_plus"] },
  directoryInsights: { name: "Directory Insights", plans: ["free", "core", "platform", "platform_plus"] },
};

/** Days of Directory Insights events each plan keeps: 15 on the lowest plans (§12.4), 90 otherwise (§9). */
const INSIGHTS_RETENTION_DAYS: Record<Plan, number> = { free: 15, core: 15, platform: 90, platform_plus: 90 };

/** How long a plan keeps Directory Insights events. */
export function insightsRetentionDays(plan: Plan): number {
  return INSIGHTS_RETENTION_DAYS[plan];
}

/** Whether a plan includes a feature (Appendix A). */
export function planHas(plan: Plan, feature: PlanFeature): boolean {
  return FEATURE_PLANS[feature].plans.includes(plan);
}

/** Names a plan for messages. */
export function planName(plan: Plan): string {
  return { free: "Free", core: "Core", platform: "Platform", platform_plus: "Platform Plus" }[plan];
}

/** Context of one evaluation. */
export interface EvaluationContext {
  runId: string;
  orgId: string;
  now: Date;
  /** The plan, when the operator declared it; otherwise plan gating is inferred only from a 402. */
  plan?: Plan;
}

/** The finding of a control that could not be evaluated at all (e.g. the key was rejected before collecting). */
export function unevaluatedFinding(
  control: AnyControl,
  error: { code: string; message: string; status?: number },
  ctx: EvaluationContext,
): ControlFinding {
  const datasets = control.needs.map((dataset: keyof Snapshot) => ({ dataset, ...error }));
  return evaluateControl(
    control,
    Object.fromEntries(datasets.map((d) => [d.dataset, { ok: false, error: d }])),
    {},
    ctx,
  );
}

/** Evaluates a control; never throws. */
export function evaluateControl(
  control: AnyControl,
  collected: CollectedSnapshot,
  thresholds: ThresholdValues,
  ctx: EvaluationContext,
): ControlFinding {
  const started = performance.now();
  const base: Omit<ControlFinding, "status" | "summary" | "results" | "counts" | "durationMs"> = {
    schemaVersion: SCHEMA_VERSION,
    runId: ctx.runId,
    orgId: ctx.orgId,
    controlId: control.id,
    title: control.title,
    section: control.section,
    level: control.level,
    severity: control.severity,
    frameworks: {
      cis: [...control.mappings.cis],
      nist: [...control.mappings.nist],
      soc2: [...control.mappings.soc2],
    },
    evaluatedAt: ctx.now.toISOString(),
  };
  const finish = (
    rest: Pick<ControlFinding, "status" | "summary" | "results"> & Partial<ControlFinding>,
  ): ControlFinding => ({
    ...base,
    counts: countResults(rest.results),
    durationMs: Math.round(performance.now() - started),
    ...rest,
  });

  const feature = control.plans.requires;
  if (feature && ctx.plan && !planHas(ctx.plan, feature)) {
    const { name, plans } = FEATURE_PLANS[feature];
    return finish({
      status: "NOT_APPLICABLE",
      summary: `${name} is not part of the ${planName(ctx.plan)} plan (it needs ${plans.map(planName).join(" or ")}).`,
      results: [],
    });
  }

  const failures: DatasetError[] = [];
  const data: Partial<Snapshot> = {};
  const gatedAway = (dataset: keyof Snapshot) => {
    const needed = DATASET_FEATURE[dataset];
    return needed !== undefined && ctx.plan !== undefined && !planHas(ctx.plan, needed);
  };
  for (const dataset of control.needs as (keyof Snapshot)[]) {
    const entry = collected[dataset];
    if (!entry) failures.push({ dataset, code: "NOT_COLLECTED", message: `${dataset} was not collected` });
    else if (!entry.ok) failures.push(entry.error);
    else (data as Record<string, unknown>)[dataset] = entry.data;
  }
  for (const dataset of (control.optionalNeeds ?? []) as (keyof Snapshot)[]) {
    const entry = collected[dataset];
    if (gatedAway(dataset)) continue;
    if (entry?.ok) (data as Record<string, unknown>)[dataset] = entry.data;
    else if (entry && entry.error.code !== "NOT_ON_PLAN") failures.push(entry.error);
    else if (!entry)
      failures.push({ dataset, code: "NOT_COLLECTED", message: `${dataset} was not collected` });
  }
  if (failures.length > 0) {
    const error = {
      code: failures[0]?.code ?? "DATA_UNAVAILABLE",
      message: failures.map((f) => `${f.dataset}: ${f.message}`).join("; "),
      datasets: failures,
    };
    // Only a 402 is an unambiguous "not on this plan"; a 403 may also be a role without access. The
    // collectors already turned a 402 that another endpoint of the feature contradicts into an error.
    if (feature && failures.every((f) => f.code === "NOT_ON_PLAN")) {
      return finish({
        status: "NOT_APPLICABLE",
        summary: `${FEATURE_PLANS[feature].name} is not available on this organization's plan (JumpCloud answered 402 on every ${FEATURE_PLANS[feature].name} endpoint${feature === "conditionalAccess" ? "; it needs Platform or Platform Plus" : ""}).`,
        results: [],
        error,
      });
    }
    const forbiddenFeature = failures
      .map((f) => f.code === "FORBIDDEN" && DATASET_FEATURE[f.dataset])
      .find(Boolean);
    const hint = forbiddenFeature
      ? ` If the plan lacks ${FEATURE_PLANS[forbiddenFeature].name}, declare the plan (--plan core) ${forbiddenFeature === feature ? "to mark this control not applicable" : "so the control is judged without it"}.`
      : "";
    return finish({
      status: "ERROR",
      summary: `Could not evaluate: ${error.message}.${hint}`,
      results: [],
      error,
    });
  }

  try {
    const outcome = control.audit(data, thresholds, ctx.now);
    const status = outcome.status ?? statusFromResults(outcome.results);
    const checkErrors = outcome.results.filter((r) => r.status === "ERROR");
    return finish({
      status,
      summary: outcome.summary,
      results: outcome.results,
      ...(outcome.evidence ? { evidence: outcome.evidence } : {}),
      // Checks that could not be judged are named even when a FAIL decides the control's status.
      ...(checkErrors.length > 0
        ? {
            error: {
              code: "CHECK_NOT_EVALUATED",
              message: checkErrors.map((r) => `${r.check} (${r.resourceName}): ${r.message}`).join("; "),
              datasets: [],
            },
          }
        : {}),
    });
  } catch (error) {
    const message = `The audit itself failed: ${(error as Error).message}`;
    return finish({
      status: "ERROR",
      summary: message,
      results: [],
      error: { code: "AUDIT_FAILED", message, datasets: [] },
    });
  }
}
