/** The connection every command makes: the built-in demo simulator, or the tenant JC_API_KEY reaches. */
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { createJumpCloudClient, type JumpCloudClient } from "../lambdas/jumpcloud/client.js";
import type { JumpCloudRegion } from "../lambdas/jumpcloud/regions.js";
import { clean } from "../lambdas/shared/output-safety.js";
import type { Scenario } from "../sim/index.js";
import { UsageError } from "./errors.js";

/** The connection flags shared by `run`, `remediate` and `detect`. */
export interface ConnectionFlags {
  demo?: boolean;
  region: string;
  baseUrl?: string;
  insightsUrl?: string;
  orgId?: string;
}

/** How a command connects beyond its flags. */
export interface ConnectionOptions {
  /**
   * With `--demo`: a file holding the simulator's state, loaded before `work` (the demo organization
   * when absent) and saved after it, so that successive invocations see each other's writes.
   */
  demoState?: string;
}

/** Runs `work` with a client; a demo simulator is started for it and stopped after. `keyOf` names whose key is expected. */
export async function withClient<T>(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
  keyOf: string,
  work: (client: JumpCloudClient) => Promise<T>,
  options: ConnectionOptions = {},
): Promise<T> {
  // Imported only for --demo: the simulator (and its contract validator) is a large part of the CLI.
  const simulator = flags.demo ? await import("../sim/index.js") : undefined;
  const scenario =
    simulator && options.demoState
      ? await loadDemoState(options.demoState, simulator.parseScenario)
      : undefined;
  const sim = simulator ? await simulator.startSimulator({ scenario: scenario ?? "demo" }) : undefined;
  let succeeded = false;
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
    const value = await work(client);
    succeeded = true;
    return value;
  } finally {
    await sim?.close();
    // Saved even when work failed: writes it made before failing happened, as they would on a tenant.
    if (sim && options.demoState) {
      const saving = saveDemoState(options.demoState, sim.scenario);
      // A failed save is reported only when it is the sole failure: the work's own error says more.
      if (succeeded) await saving;
      else await saving.catch(() => undefined);
    }
  }
}

/** The demo state file's scenario, or undefined when there is none yet. */
async function loadDemoState(
  path: string,
  parse: (input: unknown, source?: string) => Scenario,
): Promise<Scenario | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UsageError(`--demo state ${path} cannot be read: ${errorCode(error)}`);
  }
  try {
    return parse(JSON.parse(text), "demo state");
  } catch (error) {
    // The file is ours but lives in a folder anyone may edit: its problem is quoted cleaned.
    throw new UsageError(
      `--demo state ${path} is not a simulator state (${clean((error as Error).message)}): remove it to start again from the demo organization`,
    );
  }
}

/** Writes the simulator's state whole or not at all (a temporary file renamed over the old one), mode 0600. */
async function saveDemoState(path: string, scenario: Scenario): Promise<void> {
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    // The demo organization holds a RADIUS shared secret: fake, but kept as private as a real one would be.
    await writeFile(temporary, JSON.stringify(scenario), { mode: 0o600, flag: "wx" });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UsageError(`--demo state ${path} cannot be saved: ${errorCode(error)}`);
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
