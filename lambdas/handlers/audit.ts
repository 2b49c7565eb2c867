/** Scheduled audit of one control (EventBridge → Lambda). Dependencies are built once per cold start. */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { awsAuditDependencies } from "../adapters/aws-audit.js";
import { auditEventSchema, loadAuditConfig } from "../service/config.js";
import { parseEvent } from "../service/parse-event.js";
import { runScheduledAudit } from "../service/scheduled-audit.js";

const logger = new Logger({ serviceName: "jumpcloud-audit" });
const metrics = new Metrics({ namespace: "JumpCloudHardening", serviceName: "jumpcloud-audit" });
const deps = awsAuditDependencies(loadAuditConfig(process.env), logger, metrics);

/** Audits the event's control for every configured organization. */
export const handler = async (event: unknown) => {
  const input = parseEvent(auditEventSchema, event);
  logger.appendKeys({ controlId: input.controlId, eventId: input.eventId });
  // Metrics are emitted as each run is recorded (single metrics), so nothing is left to flush.
  return runScheduledAudit(deps, input);
};
