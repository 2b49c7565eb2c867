/**
 * Size of each Lambda bundle and its cold-start init time (module load and dependency set-up, no
 * network), built with the same esbuild options the CDK stack uses. Run: `npm run bench:bundles`.
 * Prints numbers; asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { LAMBDA_ESBUILD_OPTIONS } from "../lib/bundling.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, ".scratch", "bundles");
const HANDLERS = {
  audit: "lambdas/handlers/audit.ts",
  detect: "lambdas/handlers/detect.ts",
  remediate: "lambdas/handlers/remediate.ts",
};
// Dummy configuration: initialising must not need the network.
const ENV = {
  FINDINGS_BUCKET: "bench-bucket",
  ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:bench",
  API_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench",
  AWS_REGION: "us-east-1",
  POWERTOOLS_METRICS_NAMESPACE: "Bench",
  REMEDIATION_SEAL_KEY_ARN: "arn:aws:kms:us-east-1:123456789012:key/bench",
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// As the stack does: the detection function reads the Sigma rules shipped beside its bundle at cold start.
cpSync(join(root, "detections"), join(out, "detections"), { recursive: true });
const rows = [];
for (const [name, entry] of Object.entries(HANDLERS)) {
  const outfile = join(out, `${name}.mjs`);
  const started = performance.now();
  const result = await build({
    ...LAMBDA_ESBUILD_OPTIONS,
    entryPoints: [join(root, entry)],
    outfile,
    metafile: true,
    logLevel: "silent",
  });
  const buildMs = Math.round(performance.now() - started);
  const outputs = result.metafile?.outputs ?? {};
  const inputs = Object.entries(
    outputs[Object.keys(outputs).find((k) => k.endsWith(".mjs")) ?? ""]?.inputs ?? {},
  );
  const byPackage = new Map<string, number>();
  for (const [path, info] of inputs) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "(project)";
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
  }
  const largest = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([p, b]) => `${p} ${Math.round(b / 1024)}`);
  const inits = [1, 2, 3].map(() =>
    Number(
      execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log((performance.now() - t).toFixed(1));`,
        ],
        {
          env: { ...process.env, ...ENV },
          cwd: root,
        },
      )
        .toString()
        .trim(),
    ),
  );
  rows.push({
    function: name,
    bundleKB: Math.round(statSync(outfile).size / 1024),
    buildMs,
    initMsMedian: inits.sort((a, b) => a - b)[1],
    largestKB: largest.join(", "),
  });
}
console.log(
  `Lambda bundles (ESM, minified, target ${LAMBDA_ESBUILD_OPTIONS.target}; the AWS SDK is bundled, not taken from the runtime)\n`,
);
console.table(rows);
