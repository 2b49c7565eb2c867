/** Starts the simulator CLI in a child process (so benchmarks measure the client alone) and stops it. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A simulator running in its own process. */
export interface SimProcess {
  url: string;
  insightsUrl: string;
  apiKey: string;
  stop(): void;
}

/** Spawns `sim/cli.ts` with the given arguments and waits until it prints where it listens. */
export function spawnSimulator(args: string[]): Promise<SimProcess> {
  const cli = fileURLToPath(new URL("../sim/cli.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", cli, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /console API\s+(\S+)\/api\s/.exec(out)?.[1];
      const insightsUrl = /Directory Insights\s+(\S+)/.exec(out)?.[1];
      const apiKey = /API key \(simulator only, not a secret\): (\S+)/.exec(out)?.[1];
      if (url && insightsUrl && apiKey) {
        child.removeAllListeners("exit");
        resolve({ url, insightsUrl, apiKey, stop: () => child.kill("SIGTERM") });
      }
    });
  });
}
