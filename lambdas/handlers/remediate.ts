/**
 * Manually invoked remediation (never scheduled). This release deploys the function, its role and its
 * own write-capable secret, and validates requests; planning and applying changes is not built yet,
 * so every valid request is refused with REMEDIATION_NOT_AVAILABLE and nothing is changed.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { parseEvent } from "../service/parse-event.js";
import { remediationRequestSchema } from "../service/remediation-request.js";

const logger = new Logger({ serviceName: "jumpcloud-remediation" });

/** Validates the request; refuses it, since remediation is not available in this release. */
export const handler = async (event: unknown) => {
  const request = parseEvent(remediationRequestSchema, event);
  logger.warn("Remediation requested but not available in this release", {
    mode: request.mode,
    requestedBy: request.requestedBy,
  });
  return {
    ok: false,
    code: "REMEDIATION_NOT_AVAILABLE",
    message: "Remediation is not available in this release; nothing was changed.",
  };
};
