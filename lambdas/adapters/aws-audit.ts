/** Builds the scheduled audit's dependencies from AWS services and the validated configuration. */
import type { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { productTarget } from "../securityhub/asff.js";
import { securityHubExporter } from "../securityhub/importer.js";
import type { AuditConfig } from "../service/config.js";
import type { ScheduledAuditDependencies } from "../service/scheduled-audit.js";
import { layout } from "../store/findings-store.js";
import { functionClient } from "./jumpcloud-client.js";
import { fromPowertools } from "./logger.js";
import { powertoolsAuditMetrics } from "./metrics.js";
import { s3Store } from "./s3-store.js";
import { apiKeyReader } from "./secrets.js";
import { powertoolsExportMetrics, securityHubSink } from "./securityhub.js";
import { snsNotifier } from "./sns-notifier.js";

/** AWS clients, injectable for tests. */
export interface AwsClients {
  s3?: S3Client;
  sns?: SNSClient;
  secrets?: SecretsManagerClient;
  securityHub?: SecurityHubClient;
}

/** The scheduled audit's dependencies in AWS. */
export function awsAuditDependencies(
  config: AuditConfig,
  logger: PowertoolsLogger,
  metrics: Metrics,
  clients: AwsClients = {},
): ScheduledAuditDependencies {
  const log = fromPowertools(logger);
  const store = s3Store(clients.s3 ?? new S3Client({}), config.FINDINGS_BUCKET);
  const readKey = apiKeyReader(config.API_KEY_SECRET_ARN, clients.secrets ?? new SecretsManagerClient({}));
  const productArn = config.SECURITY_HUB_PRODUCT_ARN;
  // Off unless the stack set the product ARN (`jcAudit:securityHub`); the client calls the ARN's region.
  const target = productArn ? productTarget(productArn) : undefined;
  return {
    clientFor: async (orgId) => functionClient(config, await readKey(), orgId, log),
    store,
    state: store,
    notifier: snsNotifier(clients.sns ?? new SNSClient({}), config.ALERTS_TOPIC_ARN),
    logger: log,
    metrics: powertoolsAuditMetrics(metrics),
    ...(target
      ? {
          securityHub: securityHubExporter({
            sink: securityHubSink(clients.securityHub ?? new SecurityHubClient({ region: target.region })),
            state: store,
            target,
            logger: log,
            metrics: powertoolsExportMetrics(metrics),
          }),
        }
      : {}),
    locate: (orgId, controlId) => {
      const key = layout.latest(orgId, controlId);
      const region = config.AWS_REGION ?? "us-east-1";
      return {
        uri: `s3://${config.FINDINGS_BUCKET}/${key}`,
        consoleUrl: `https://${region}.console.aws.amazon.com/s3/object/${config.FINDINGS_BUCKET}?region=${region}&prefix=${encodeURIComponent(key)}`,
      };
    },
    settings: {
      orgIds: config.JC_ORG_IDS,
      excludeOrgIds: config.JC_ORG_EXCLUDE,
      ...(config.JC_PLAN ? { plan: config.JC_PLAN } : {}),
      thresholds: config.THRESHOLDS_JSON,
      announceRecoveries: config.ANNOUNCE_RECOVERIES,
      errorAlertAfter: config.ERROR_ALERT_AFTER,
    },
  };
}
