/** `jc-audit remediate`: plan (default), `--apply PLAN_ID` or `--rollback PLAN_ID`, locally or on the simulator. */
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { trustedRangeProblem } from "../lambdas/controls/conditional-access.js";
import { JumpCloudConfigError } from "../lambdas/jumpcloud/errors.js";
import { runRemediation } from "../lambdas/remediation/request.js";
import { localSealer } from "../lambdas/remediation/seal.js";
import { InvalidEventError, parseEvent } from "../lambdas/service/parse-event.js";
import { remediationRequestSchema } from "../lambdas/service/remediation-request.js";
import { clean } from "../lambdas/shared/output-safety.js";
import { localRemediationStore } from "../lambdas/store/local-remediation-store.js";
import { withClient } from "./connection.js";
import { EXIT, UsageError } from "./errors.js";
import { renderRemediation } from "./render-plan.js";
import type { CommandIo } from "./run-command.js";

/** Raw flags of `jc-audit remediate`. */
export interface RemediateFlags {
  controls?: string;
  apply?: string;
  rollback?: string;
  requestedBy?: string;
  reason?: string;
  trustedRanges?: string;
  region: string;
  baseUrl?: string;
  insightsUrl?: string;
  orgId?: string;
  out: string;
  format: string;
  demo?: boolean;
}

// Refusals that are about the request or the stored plan (exit 2) rather than about the organization's
// state or a write (exit 1).
const REQUEST_CODES = new Set([
  "INVALID_REQUEST",
  "PLAN_NOT_FOUND",
  "PLAN_EXPIRED",
  "PLAN_NOT_APPLIED",
  "PLAN_ROLLED_BACK",
  "PLAN_TAMPERED",
  "PLAN_MISMATCH",
  "PLAN_REPLAYED",
  "SEAL_KEY_INVALID",
  "NO_TRUSTED_RANGES",
]);

/** The file under `--out` holding the simulator's state between `remediate --demo` invocations. */
export const DEMO_STATE_FILE = "demo-state.json";

/** Runs one remediation request; returns the exit code. */
export async function remediateCommand(flags: RemediateFlags, io: CommandIo): Promise<number> {
  try {
    if (flags.apply && flags.rollback) throw new UsageError("--apply and --rollback cannot be combined");
    if (!["table", "json"].includes(flags.format))
      throw new UsageError(`--format must be table or json, got "${flags.format}"`);
    if (flags.demo && (flags.baseUrl || flags.insightsUrl || flags.orgId)) {
      throw new UsageError(
        "--demo runs on the built-in simulator: it cannot be combined with --base-url, --insights-url or --org-id",
      );
    }
    const request = parseEvent(remediationRequestSchema, {
      mode: flags.apply ? "apply" : flags.rollback ? "rollback" : "plan",
      ...(flags.controls !== undefined
        ? {
            controls: flags.controls
              .split(",")
              .map((id) => id.trim())
              .filter(Boolean),
          }
        : {}),
      ...(flags.apply || flags.rollback ? { planId: flags.apply ?? flags.rollback } : {}),
      requestedBy: flags.requestedBy ?? io.env.USER ?? userInfo().username,
      ...(flags.reason ? { reason: flags.reason } : {}),
      ...(flags.orgId ? { orgId: flags.orgId } : {}),
    });
    const trustedRanges =
      flags.trustedRanges
        ?.split(",")
        .map((r) => r.trim())
        .filter(Boolean) ?? [];
    // Every range is checked on every call, before anything is sent: the planner checks them only when
    // 3.1 has something to create, so a private range would otherwise pass silently (and be kept for apply).
    const problems = trustedRanges
      .map((range) => trustedRangeProblem(range))
      .filter((problem): problem is string => problem !== undefined);
    if (problems.length > 0)
      throw new UsageError(`Trusted ranges refused: ${clean(problems.join("; "), Number.POSITIVE_INFINITY)}`);
    const root = resolve(flags.out);
    return await withClient(
      flags,
      io.env,
      "an admin allowed to make these changes",
      async (client) => {
        // Records are sealed with a key file created under --out (mode 0600): an edited plan is refused.
        const result = await runRemediation(
          { client, store: localRemediationStore(root), sealer: localSealer(root) },
          request,
          trustedRanges,
        );
        if (!result.ok) {
          // Refusals may quote a stored file, a lock or JumpCloud: one clean line, whatever they hold.
          io.stderr.write(`jc-audit: ${clean(result.message, Number.POSITIVE_INFINITY)}\n`);
          return REQUEST_CODES.has(result.code) ? EXIT.usage : EXIT.failed;
        }
        io.stdout.write(
          flags.format === "json"
            ? `${JSON.stringify(result.plan, null, 2)}\n`
            : `${renderRemediation(result, io.stdout.isTTY === true)}\n`,
        );
        return EXIT.ok;
      },
      // With --demo the simulator's state lives beside the plans, so plan, apply and rollback see one organization.
      { demoState: join(root, DEMO_STATE_FILE) },
    );
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof InvalidEventError ||
      error instanceof JumpCloudConfigError
    ) {
      io.stderr.write(`jc-audit: ${error.message.replace(/^Invalid event: /, "invalid request: ")}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
