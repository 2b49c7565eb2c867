/**
 * Start-up of `jc-audit`: `--version` and `--help` with the compiled CLI (dist/, built first) beside
 * the TypeScript sources through the tsx loader (how bin/jc-audit.js ran before 0.1.0 was packaged)
 * and bare Node. Run: `npm run bench:startup` (`-- --runs 21`). Prints numbers; asserts nothing.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildCli } from "../scripts/build-cli.js";
import { type ChildUsage, measureNode, median } from "./child-usage.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const runs = Number(values.runs);
const root = fileURLToPath(new URL("..", import.meta.url));
const built = await buildCli();

const variants: Record<string, string[]> = {
  "node -e 0 (Node alone)": ["-e", "0"],
  "compiled --version": [built.entry, "--version"],
  "compiled --help": [built.entry, "--help"],
  "tsx --version": ["--import", "tsx", join(root, "bin/jc-audit.ts"), "--version"],
};
const samples = new Map<string, ChildUsage[]>(Object.keys(variants).map((name) => [name, []]));
// Interleaved, so a burst of load on the machine hits every variant alike.
for (let i = 0; i < runs; i++)
  for (const [name, argv] of Object.entries(variants)) {
    const usage = await measureNode(argv, { cwd: root });
    if (usage.code !== 0) throw new Error(`${name} exited ${usage.code}: ${usage.stderrTail}`);
    samples.get(name)?.push(usage);
  }

console.log(
  `jc-audit start-up, ${runs} runs each (wall time from spawn to exit; peak RSS of the process)\n` +
    `compiled: ${Math.round(built.totalBytes / 1024)} KiB in dist/, ${Math.round(built.startupBytes / 1024)} KiB loaded at start-up\n`,
);
console.table(
  [...samples].map(([variant, usages]) => ({
    variant,
    medianMs: Math.round(median(usages.map((u) => u.ms))),
    minMs: Math.round(Math.min(...usages.map((u) => u.ms))),
    peakRssMiB: Math.round(median(usages.map((u) => u.peakRssMiB))),
  })),
);
console.log("\ntarget: compiled --version ≤ 300 ms");
