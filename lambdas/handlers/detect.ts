/** Scheduled detection (every 15 minutes by default): the guide's Sigma rules over new Directory Insights events. */
import { Logger } from "@aws-lambda-powertools/logger";
import { awsDetectionDependencies } from "../adapters/aws-detection.js";
import { type DetectionOutcome, runDetection } from "../detections/service.js";
import { loadDetectionConfig } from "../service/config.js";

const logger = new Logger({ serviceName: "jumpcloud-detection" });
const config = loadDetectionConfig(process.env);
const dependenciesFor = awsDetectionDependencies(config, logger);

/**
 * Runs the rules for every configured organization; a failure is rethrown so the schedule retries. The
 * scheduled event is ignored: the window runs from the stored checkpoint to the wall clock, so no
 * event's time can steer it (unlike the audit, which refuses events far from the clock).
 */
export const handler = async (): Promise<DetectionOutcome[]> => {
  const outcomes: DetectionOutcome[] = [];
  for (const orgId of config.JC_ORG_IDS.length > 0 ? config.JC_ORG_IDS : [undefined]) {
    outcomes.push(await runDetection(await dependenciesFor(orgId)));
  }
  return outcomes;
};
