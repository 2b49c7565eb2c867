/** Builds the detection run's dependencies from AWS services, the configuration and the shipped rules. */
import { fileURLToPath } from "node:url";
import type { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { loadRules } from "../detections/engine/index.js";
import { readRuleFiles } from "../detections/rule-files.js";
import type { DetectionDependencies } from "../detections/service.js";
import type { DetectionConfig } from "../service/config.js";
import type { AwsClients } from "./aws-audit.js";
import { functionClient } from "./jumpcloud-client.js";
import { fromPowertools } from "./logger.js";
import { s3Store } from "./s3-store.js";
import { apiKeyReader } from "./secrets.js";
import { snsNotifier } from "./sns-notifier.js";

/** Dependencies per organization (each configured one, or the key's only one); rules load once, at cold start. */
export function awsDetectionDependencies(
  config: DetectionConfig,
  logger: PowertoolsLogger,
  clients: AwsClients = {},
): (orgId?: string) => Promise<DetectionDependencies> {
  const log = fromPowertools(logger);
  // The stack copies detections/ beside the bundle; RULES_DIR overrides it (tests, local runs).
  const rules = loadRules(
    readRuleFiles(config.RULES_DIR ?? fileURLToPath(new URL("./detections/", import.meta.url))),
  );
  const state = s3Store(clients.s3 ?? new S3Client({}), config.FINDINGS_BUCKET);
  const notifier = snsNotifier(clients.sns ?? new SNSClient({}), config.ALERTS_TOPIC_ARN);
  const readKey = apiKeyReader(config.API_KEY_SECRET_ARN, clients.secrets ?? new SecretsManagerClient({}));
  return async (orgId) => ({
    client: functionClient(config, await readKey(), orgId, log),
    state,
    notifier,
    logger: log,
    rules,
    settings: {
      ...(orgId ? { orgId } : {}),
      overlapMs: config.OVERLAP_MINUTES * 60_000,
      silenceHours: config.SILENCE_HOURS,
      minLevel: config.MIN_ALERT_LEVEL,
    },
  });
}
