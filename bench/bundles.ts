/**
 * Size of each Lambda bundle (every handler in lambdas/handlers/), its deflated size, its largest
 * packages and its cold-start init time (loading the module and building its dependencies, no network),
 * built with the esbuild options the CDK stack uses, beside the figures from before the bundles were
 * trimmed (issue 12). Run: `npm run bench:bundles` (`-- --runs 9`). Prints numbers; asserts nothing.
 *
 * Init runs on the functions' runtime, Node.js 24, when it is at hand: `BENCH_NODE=/path/to/node`, else
 * `.scratch/node24/bin/node` (put there by `bench/fetch-node24.sh`), else this Node, labelled.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { deflateRawSync } from "node:zlib";
import { build } from "esbuild";
import { LAMBDA_ESBUILD_OPTIONS } from "../lib/bundling.js";
import { DETECTION_HANDLER, RULES_FOLDER } from "../lib/detection-function.js";
import { median } from "./child-usage.js";

/**
 * Before the trim (commit cfea19c: zod 445 KB in each bundle, the SDK's whole credential chain), measured
 * with this script; init medians of 15 on Node.js 20.20 and 24.22 (the Security Hub client, 174 KB of
 * today's audit bundle, came later).
 */
const BEFORE: Record<string, { kb: number; initMsNode20: number; initMsNode24: number; largest: string }> = {
  audit: {
    kb: 1264,
    initMsNode20: 241,
    initMsNode24: 231,
    largest: "zod 445, (project) 160, @smithy/core 139, @aws-sdk/client-s3 101, @aws-sdk/nested-clients 58",
  },
  detect: {
    kb: 1514,
    initMsNode20: 343,
    initMsNode24: 340,
    largest: "zod 445, (project) 159, re2js 147, @smithy/core 139, yaml 113",
  },
  remediate: {
    kb: 1301,
    initMsNode20: 236,
    initMsNode24: 256,
    largest: "zod 445, (project) 179, @smithy/core 139, @aws-sdk/client-s3 101, @aws-sdk/nested-clients 58",
  },
};
const MIB = 1024 * 1024;

const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
const runs = Number(values.runs);
const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, ".scratch", "bundles");
const node24 = join(root, ".scratch", "node24", "bin", "node");
const node = process.env.BENCH_NODE || (existsSync(node24) ? node24 : process.execPath);
const nodeVersion = execFileSync(node, ["--version"]).toString().trim();
const handlers = readdirSync(join(root, "lambdas", "handlers"))
  .filter((file) => file.endsWith(".ts"))
  .sort()
  .map((file) => ({ name: file.replace(/\.ts$/, ""), entry: `lambdas/handlers/${file}` }));
// Dummy configuration of every function: initialising must not need the network.
const ENV = {
  FINDINGS_BUCKET: "bench-bucket",
  ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:bench",
  API_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench",
  AWS_REGION: "us-east-1",
  POWERTOOLS_METRICS_NAMESPACE: "Bench",
  REMEDIATION_SEAL_KEY_ARN: "arn:aws:kms:us-east-1:123456789012:key/bench",
  CONTROL_IDS: "1.1,2.1",
  STALE_AFTER_JSON: '{"1.1": 172800, "2.1": 172800}',
};

/** Milliseconds to import the bundle in a fresh `node`, or the first line of its error. */
function initMs(file: string): number | string {
  try {
    const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log((performance.now() - t).toFixed(1));`;
    return Number(
      execFileSync(node, ["--input-type=module", "-e", script], {
        env: { ...process.env, ...ENV },
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      })
        .toString()
        .trim(),
    );
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? error);
    return `init failed: ${stderr.split("\n").find((line) => /Error/.test(line)) ?? stderr.slice(0, 120)}`;
  }
}

rmSync(out, { recursive: true, force: true });
const rows = [];
for (const { name, entry } of handlers) {
  const dir = join(out, name);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, "index.mjs");
  const result = await build({
    ...LAMBDA_ESBUILD_OPTIONS,
    entryPoints: [join(root, entry)],
    outfile,
    metafile: true,
    logLevel: "silent",
  });
  // As the stack does: the detection function reads the Sigma rules shipped beside its bundle.
  if (entry === DETECTION_HANDLER)
    cpSync(join(root, RULES_FOLDER), join(dir, RULES_FOLDER), { recursive: true });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  const byPackage = new Map<string, number>();
  for (const [path, info] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "(project)";
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
  }
  const code = readFileSync(outfile);
  const inits = Array.from({ length: runs }, () => initMs(outfile));
  const failed = inits.find((ms) => typeof ms === "string");
  const before = BEFORE[name];
  rows.push({
    function: name,
    KB: Math.round(code.length / 1024),
    "≤ 1 MiB": code.length <= MIB ? "yes" : "NO",
    deflateKB: Math.round(deflateRawSync(code).length / 1024),
    initMs: failed ?? Math.round(median(inits as number[])),
    beforeKB: before?.kb ?? "(new)",
    beforeInitMs: before ? (nodeVersion.startsWith("v20.") ? before.initMsNode20 : before.initMsNode24) : "",
    largestKB: [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([p, b]) => `${p} ${Math.round(b / 1024)}`)
      .join(", "),
  });
}

console.log(
  `Lambda bundles (ESM, minified, target ${LAMBDA_ESBUILD_OPTIONS.target}; the AWS SDK bundled, not taken from the runtime)\n` +
    `init: median of ${runs} fresh processes importing the bundle, on Node.js ${nodeVersion} (${node})` +
    (nodeVersion.startsWith("v24.") ? "" : " — not the functions' Node.js 24: run bench/fetch-node24.sh") +
    "\nbefore: the same functions before the trim (issue 12), init on the same major Node version\n",
);
console.table(rows);
console.log("\nbefore, largest packages (KB):");
for (const [name, before] of Object.entries(BEFORE)) console.log(`  ${name}: ${before.largest}`);
