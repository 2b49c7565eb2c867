/**
 * Control 2.1 on the simulator's `large` organization (100,000 users; the simulator in its own
 * process) with the compiled CLI (dist/, built first), the same with V8's default GC sizing, and the
 * TypeScript sources through the tsx loader: wall time and peak RSS of the `jc-audit run` process.
 * Run: `npm run bench:cli-audit` (`-- --users 20000 --controls 2.1,1.2 --runs 3`). Prints numbers;
 * asserts nothing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildCli } from "../scripts/build-cli.js";
import { type ChildUsage, measureNode, median } from "./child-usage.js";
import { spawnSimulator } from "./sim-process.js";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    systems: { type: "string", default: "20000" },
    controls: { type: "string", default: "2.1" },
    runs: { type: "string", default: "3" },
  },
});
const root = fileURLToPath(new URL("..", import.meta.url));
const built = await buildCli();
const sim = await spawnSimulator([
  "--scenario",
  "large",
  "--users",
  values.users,
  "--systems",
  values.systems,
]);
const out = await mkdtemp(join(tmpdir(), "jc-bench-cli-"));
try {
  const variants: Record<string, string[]> = {
    compiled: [built.entry],
    // The GC sizing bin/jc-audit.ts applies, turned back to V8's defaults (flags given to node win).
    "compiled, V8 GC defaults": ["--semi-space-growth-factor=2", "--heap-growing-percent=0", built.entry],
    tsx: ["--import", "tsx", join(root, "bin/jc-audit.ts")],
  };
  const samples = new Map<string, ChildUsage[]>(Object.keys(variants).map((name) => [name, []]));
  for (let i = 0; i < Number(values.runs); i++)
    for (const [name, argv] of Object.entries(variants)) {
      // A fresh findings folder per run: every run is a first audit, with nothing to compare against.
      const folder = join(out, `${name}-${i}`);
      const usage = await measureNode(
        [
          ...argv,
          "run",
          "--controls",
          values.controls,
          "--base-url",
          sim.url,
          "--insights-url",
          sim.insightsUrl,
          "--out",
          folder,
        ],
        { cwd: root, env: { ...process.env, JC_API_KEY: sim.apiKey, NO_COLOR: "1" } },
      );
      // 0 or 1 is an audit done (1: something FAILs); 2 or 3 is not a figure worth printing.
      if (usage.code !== 0 && usage.code !== 1)
        throw new Error(`${name} exited ${usage.code}: ${usage.stderrTail}`);
      samples.get(name)?.push(usage);
      await rm(folder, { recursive: true, force: true });
    }
  console.log(
    `jc-audit run --controls ${values.controls} on ${values.users} users and ${values.systems} systems (simulator in a separate process), ${values.runs} runs each\n`,
  );
  console.table(
    [...samples].map(([variant, usages]) => ({
      variant,
      exitCode: usages[0]?.code,
      medianSeconds: Number((median(usages.map((u) => u.ms)) / 1000).toFixed(1)),
      peakRssMiB: Math.round(median(usages.map((u) => u.peakRssMiB))),
      maxPeakRssMiB: Math.round(Math.max(...usages.map((u) => u.peakRssMiB))),
    })),
  );
  console.log("\ntarget: compiled peak RSS ≤ 192 MB (183 MiB)");
} finally {
  sim.stop();
  await rm(out, { recursive: true, force: true });
}
