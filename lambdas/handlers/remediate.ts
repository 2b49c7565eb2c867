/** Manually invoked remediation (never scheduled): plan, apply or roll back, with the write-capable key. */
import { Logger } from "@aws-lambda-powertools/logger";
import { awsRemediationDependencies } from "../adapters/aws-remediation.js";
import { runRemediation } from "../remediation/request.js";
import { loadRemediationConfig } from "../service/config.js";
import { parseEvent } from "../service/parse-event.js";
import { remediationRequestSchema } from "../service/remediation-request.js";

const logger = new Logger({ serviceName: "jumpcloud-remediation" });
const config = loadRemediationConfig(process.env);
const dependenciesFor = awsRemediationDependencies(config, logger);

/** Validates the request, then plans, applies or rolls back. */
export const handler = async (event: unknown) => {
  const request = parseEvent(remediationRequestSchema, event);
  logger.appendKeys({
    mode: request.mode,
    requestedBy: request.requestedBy,
    ...(request.planId ? { planId: request.planId } : {}),
  });
  return runRemediation(await dependenciesFor(request.orgId), request, config.TRUSTED_RANGES);
};
