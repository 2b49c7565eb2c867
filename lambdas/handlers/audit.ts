/**
 * Audit of one control (EventBridge → Lambda, or a Step Functions fan-out item), and the fan-out's
 * discovery step. Dependencies are built once per cold start.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { awsAuditDependencies } from "../adapters/aws-audit.js";
import { auditEventSchemaFor, loadAuditConfig } from "../service/config.js";
import { runDiscovery } from "../service/discover.js";
import { parseEvent } from "../service/parse-event.js";
import { runScheduledAudit } from "../service/scheduled-audit.js";

const logger = new Logger({ serviceName: "jumpcloud-audit" });
const metrics = new Metrics({ namespace: "JumpCloudHardening", serviceName: "jumpcloud-audit" });
const deps = awsAuditDependencies(loadAuditConfig(process.env), logger, metrics);

/** Audits the event's control for its organization or every configured one; or lists the organizations. */
export const handler = async (event: unknown) => {
  const input = parseEvent(auditEventSchemaFor(event), event);
  if ("action" in input) return runDiscovery(deps, input);
  logger.appendKeys({ controlId: input.controlId, eventId: input.eventId });
  // Metrics are emitted as each run is recorded (single metrics), so nothing is left to flush.
  return runScheduledAudit(deps, input);
};
