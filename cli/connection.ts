/** The connection every command makes: the built-in demo simulator, or the tenant JC_API_KEY reaches. */
import { createJumpCloudClient, type JumpCloudClient } from "../lambdas/jumpcloud/client.js";
import type { JumpCloudRegion } from "../lambdas/jumpcloud/regions.js";
import { UsageError } from "./errors.js";

/** The connection flags shared by `run`, `remediate` and `detect`. */
export interface ConnectionFlags {
  demo?: boolean;
  region: string;
  baseUrl?: string;
  insightsUrl?: string;
  orgId?: string;
}

/** Runs `work` with a client; a demo simulator is started for it and stopped after. `keyOf` names whose key is expected. */
export async function withClient<T>(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
  keyOf: string,
  work: (client: JumpCloudClient) => Promise<T>,
): Promise<T> {
  // Imported only for --demo: the simulator (and its contract validator) is a large part of the CLI.
  const sim = flags.demo
    ? await (await import("../sim/index.js")).startSimulator({ scenario: "demo" })
    : undefined;
  try {
    const apiKey = sim ? sim.apiKey : env.JC_API_KEY;
    if (!apiKey)
      throw new UsageError(
        `JC_API_KEY is not set: export the API key of ${keyOf} (it is never taken as a flag)`,
      );
    const client = createJumpCloudClient({
      apiKey,
      region: flags.region as JumpCloudRegion,
      ...(sim ? { baseUrl: sim.url, insightsUrl: sim.insightsUrl } : {}),
      ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}),
      ...(flags.insightsUrl ? { insightsUrl: flags.insightsUrl } : {}),
      ...(flags.orgId ? { orgId: flags.orgId } : {}),
    });
    return await work(client);
  } finally {
    await sim?.close();
  }
}
