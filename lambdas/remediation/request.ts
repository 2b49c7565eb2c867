/** One remediation request, from the Lambda or the CLI: validated input in, a result or a refusal out. */
import { JumpCloudError } from "../jumpcloud/errors.js";
import type { RemediationRequest } from "../service/remediation-request.js";
import { RemediationError } from "./errors.js";
import type { RemediationPlan } from "./record.js";
import { applyPlan, planRemediation, type RemediationDependencies, rollbackPlan } from "./service.js";

/** What a request returns: the plan as it now stands, or why nothing was changed. */
export type RemediationResult =
  | { ok: true; mode: RemediationRequest["mode"]; noop: boolean; plan: RemediationPlan }
  | { ok: false; code: string; message: string };

/** Runs a validated request; refusals (drift, lock, unknown plan, a rejected key…) are results, not exceptions. */
export async function runRemediation(
  deps: RemediationDependencies,
  request: RemediationRequest,
  trustedRanges: readonly string[],
): Promise<RemediationResult> {
  const who = {
    requestedBy: request.requestedBy,
    ...(request.reason ? { reason: request.reason } : {}),
    ...(request.orgId ? { orgId: request.orgId } : {}),
  };
  try {
    if (request.mode === "plan") {
      const plan = await planRemediation(deps, {
        ...who,
        ...(request.controls ? { controls: request.controls } : {}),
        ...(trustedRanges.length ? { trustedRanges } : {}),
      });
      return { ok: true, mode: "plan", noop: false, plan };
    }
    const planId = request.planId as string; // the schema requires it for apply and rollback
    if (request.mode === "apply") {
      // The configured ranges (AWS) or those given again (CLI) must be the plan's own.
      const { plan, noop } = await applyPlan(deps, {
        ...who,
        planId,
        ...(trustedRanges.length ? { trustedRanges } : {}),
      });
      return { ok: true, mode: "apply", noop, plan };
    }
    return { ok: true, mode: "rollback", noop: false, plan: await rollbackPlan(deps, { ...who, planId }) };
  } catch (error) {
    if (error instanceof RemediationError || error instanceof JumpCloudError)
      return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}
