/** `npm run sim -- --scenario demo --port 8787`: runs the simulator until interrupted. */
import { Command, InvalidArgumentError } from "commander";
import { PRESET_NAMES } from "./presets/index.js";
import { startSimulator } from "./server.js";

const integer = (name: string, min: number) => (text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
  return value;
};

const program = new Command("sim")
  .description("JumpCloud API simulator on loopback")
  .option(
    "-s, --scenario <name|file.json>",
    `preset (${PRESET_NAMES.join(", ")}) or scenario JSON file`,
    "demo",
  )
  .option("-p, --port <port>", "port (0 picks a free one)", integer("port", 0), 8787)
  .option("--host <host>", "address to listen on", "127.0.0.1")
  .option("--users <n>", "users in the large preset", integer("users", 0))
  .option("--systems <n>", "systems in the large preset", integer("systems", 0))
  .option("--seed <n>", "seed of the large preset", integer("seed", 0))
  .option(
    "--latency <ms>",
    "added delay on every request, like a real network round trip",
    integer("latency", 0),
  )
  .action(
    async (opts: {
      scenario: string;
      port: number;
      host: string;
      users?: number;
      systems?: number;
      seed?: number;
      latency?: number;
    }) => {
      const sim = await startSimulator({
        scenario: opts.scenario,
        port: opts.port,
        host: opts.host,
        large: { users: opts.users, systems: opts.systems, seed: opts.seed },
        faults: opts.latency ? [{ kind: "delay", ms: opts.latency, path: "/**" }] : [],
      });
      const org = sim.scenario.organizations[0]?.organization;
      console.log(
        `JumpCloud simulator: scenario "${sim.scenario.name}" (${sim.scenario.plan} plan), org ${org?.displayName} (${org?._id})`,
      );
      console.log(`  console API      ${sim.url}/api  and  ${sim.url}/api/v2`);
      console.log(`  Directory Insights ${sim.insightsUrl}`);
      console.log(`  API key (simulator only, not a secret): ${sim.apiKey}`);
      console.log("Ctrl-C to stop.");
      const stop = () => void sim.close().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    },
  );

program.parseAsync().catch((error: unknown) => {
  console.error(`sim: ${(error as Error).message}`);
  process.exit(1);
});
