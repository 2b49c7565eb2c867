/** The JumpCloud client of a deployed function: its key, region, optional host overrides and organization. */
import { createJumpCloudClient, type JumpCloudClient } from "../jumpcloud/client.js";
import type { JumpCloudRegion } from "../jumpcloud/regions.js";
import type { Logger } from "../shared/logger.js";

/** The connection settings every function's configuration carries. */
export interface ConnectionConfig {
  JC_REGION: JumpCloudRegion;
  JC_BASE_URL?: string | undefined;
  JC_INSIGHTS_URL?: string | undefined;
}

/** A client for one organization (`undefined`: the key's own), with the key just read from the secret. */
export function functionClient(
  config: ConnectionConfig,
  apiKey: string,
  orgId: string | undefined,
  logger: Logger,
): JumpCloudClient {
  return createJumpCloudClient({
    apiKey,
    region: config.JC_REGION,
    ...(config.JC_BASE_URL ? { baseUrl: config.JC_BASE_URL } : {}),
    ...(config.JC_INSIGHTS_URL ? { insightsUrl: config.JC_INSIGHTS_URL } : {}),
    ...(orgId ? { orgId } : {}),
    logger,
  });
}
