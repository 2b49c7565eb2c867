/** Builds remediation's dependencies from AWS services and the validated configuration. */
import type { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import type { RemediationDependencies } from "../remediation/service.js";
import type { RemediationConfig } from "../service/config.js";
import type { AwsClients } from "./aws-audit.js";
import { functionClient } from "./jumpcloud-client.js";
import { kmsSealer } from "./kms-sealer.js";
import { fromPowertools } from "./logger.js";
import { s3RemediationStore } from "./s3-remediation-store.js";
import { apiKeyReader } from "./secrets.js";
import { snsNotifier } from "./sns-notifier.js";

/** Dependencies for a request about one organization (the request's, the only configured one, or the key's). */
export function awsRemediationDependencies(
  config: RemediationConfig,
  logger: PowertoolsLogger,
  clients: AwsClients & { kms?: KMSClient } = {},
): (orgId?: string) => Promise<RemediationDependencies> {
  const log = fromPowertools(logger);
  const store = s3RemediationStore(clients.s3 ?? new S3Client({}), config.FINDINGS_BUCKET);
  const sealer = kmsSealer(clients.kms ?? new KMSClient({}), config.REMEDIATION_SEAL_KEY_ARN);
  const notifier = snsNotifier(clients.sns ?? new SNSClient({}), config.ALERTS_TOPIC_ARN);
  const readKey = apiKeyReader(config.API_KEY_SECRET_ARN, clients.secrets ?? new SecretsManagerClient({}));
  return async (orgId) => {
    const org = orgId ?? (config.JC_ORG_IDS.length === 1 ? config.JC_ORG_IDS[0] : undefined);
    const client = functionClient(config, await readKey(), org, log);
    return {
      client,
      store,
      sealer,
      notifier,
      logger: log,
      ...(config.JC_PLAN ? { jumpcloudPlan: config.JC_PLAN } : {}),
    };
  };
}
