/** The functions' code is really bundled, locally by esbuild (no Docker), into one lean ES module (source maps only on request). */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build, type Metafile } from "esbuild";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_ALIASES, BUNDLING, ESM_REQUIRE_BANNER, LAMBDA_ESBUILD_OPTIONS } from "../../lib/bundling.js";
import { resources, synth } from "./synth.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MIB = 1024 * 1024;
const HANDLERS = readdirSync(join(ROOT, "lambdas", "handlers")).filter((file) => file.endsWith(".ts"));
/** Marks of code a function can never reach, which the stand-ins of BUNDLE_ALIASES keep out. */
const UNREACHABLE = /node_modules\/(@aws-sdk\/(credential-provider-node|nested-clients)|http2-wrapper)\//;

/** The bundle of one handler, built with the functions' options, and the inputs it is made of. */
async function bundle(entry: string): Promise<{ bytes: number; inputs: string[] }> {
  const result = await build({
    ...LAMBDA_ESBUILD_OPTIONS,
    entryPoints: [entry],
    outfile: join(tmpdir(), "jc-audit-bundling-test", "index.mjs"),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs).find(
    (o): o is Metafile["outputs"][string] => o.entryPoint !== undefined,
  );
  return { bytes: output?.bytes ?? Number.NaN, inputs: Object.keys(output?.inputs ?? {}) };
}

describe("bundling", () => {
  it("bundles every handler into a minified ES module with the require banner, under 1 MiB, without source maps", () => {
    const { app, template } = synth({ "jcAudit:controls": ["1.1"] }, { bundle: true });
    const assets = Object.values(resources(template, "AWS::Lambda::Function")).map((fn) => {
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      return join(app.outdir, `asset.${key.replace(/\.zip$/, "")}`);
    });
    expect(assets.length).toBeGreaterThanOrEqual(3);
    // The detection function ships the Sigma rules beside its bundle.
    expect(
      assets.filter((dir) => existsSync(join(dir, "detections", "admin-login-failed.yml"))),
    ).toHaveLength(1);
    for (const dir of assets) {
      const code = readFileSync(join(dir, "index.mjs"), "utf8");
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(Buffer.byteLength(code), dir).toBeLessThanOrEqual(MIB);
      // CDK passed the aliases to esbuild: the SDK's credential chain (its debug lines) is not there.
      expect(code).not.toContain("defaultProvider::fromSSO");
      // Source maps ship only with jcAudit:sourceMaps.
      expect(existsSync(join(dir, "index.mjs.map"))).toBe(false);
    }
  }, 120_000);

  it.each(HANDLERS)(
    "%s: at most 1 MiB, zod only as zod/mini (tree-shaken, English messages only), no unreachable SDK code",
    async (file) => {
      const { bytes, inputs } = await bundle(join(ROOT, "lambdas", "handlers", file));
      expect(bytes).toBeLessThanOrEqual(MIB);
      const zod = inputs.filter((path) => path.includes("node_modules/zod/"));
      expect(zod.some((path) => path.includes("/v4/mini/"))).toBe(true);
      // Classic zod is 400 KB more; `import { z } from "zod/mini"` keeps every module (and locale) of it.
      expect(zod.filter((path) => !/\/v4\/(mini|core)\/|\/v4\/locales\/en\.js$/.test(path))).toEqual([]);
      expect(inputs.filter((path) => UNREACHABLE.test(path))).toEqual([]);
    },
    30_000,
  );

  it("uses the same esbuild settings for the stack and for esbuild's API", () => {
    expect(LAMBDA_ESBUILD_OPTIONS).toMatchObject({
      format: "esm",
      target: BUNDLING.target,
      mainFields: BUNDLING.mainFields,
      banner: { js: BUNDLING.banner },
      minify: BUNDLING.minify,
      sourcemap: BUNDLING.sourceMap,
      external: BUNDLING.externalModules,
      alias: BUNDLE_ALIASES,
    });
    expect(BUNDLING.esbuildArgs?.["--alias"]).toEqual(
      Object.entries(BUNDLE_ALIASES).map(([name, path]) => `${name}=${path}`),
    );
    for (const path of Object.values(BUNDLE_ALIASES)) expect(existsSync(join(ROOT, path)), path).toBe(true);
    expect(BUNDLING.forceDockerBundling).toBe(false);
  });
});

describe("a bundle with the stand-ins, in its own process", () => {
  const BUCKET = "bundle-probe";
  let dataDir: string;
  let s3rver: S3rver;
  let s3Endpoint: string;
  let http: Server;
  let httpUrl: string;
  let probe: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bundle-probe-"));
    s3rver = new S3rver({
      address: "127.0.0.1",
      port: 0,
      silent: true,
      directory: dataDir,
      configureBuckets: [{ name: BUCKET }],
    });
    s3Endpoint = `http://127.0.0.1:${(await s3rver.run()).port}`;
    http = createServer((_request, response) => response.end("pong"));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    probe = join(dataDir, "probe.mjs");
    await build({
      ...LAMBDA_ESBUILD_OPTIONS,
      entryPoints: [join(ROOT, "test", "lib", "fixtures", "bundle-probe.ts")],
      outfile: probe,
      logLevel: "silent",
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => http?.close(resolve));
    await s3rver?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** What the probe reports, with only the given AWS variables in its environment. */
  async function run(aws: Record<string, string>): Promise<Record<string, unknown>> {
    const { stdout } = await promisify(execFile)(process.execPath, [probe, BUCKET, httpUrl], {
      env: {
        PATH: process.env.PATH,
        HOME: dataDir, // no ~/.aws of the machine running the tests
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_S3: s3Endpoint,
        ...aws,
      },
    });
    return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
  }

  it("signs AWS calls with the environment's credentials, and got still speaks HTTP/1.1", async () => {
    const outcome = await run({ AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" });
    expect(outcome.s3).toBe(0);
    expect(outcome.got).toBe("pong");
  }, 30_000);

  it("names the missing credentials at once (no other link of the SDK's chain is tried)", async () => {
    const outcome = await run({ AWS_PROFILE: "someone" });
    expect(outcome.s3).toMatch(/Unable to find environment variable credentials/);
  }, 30_000);

  it("refuses got's http2 option with the stand-in's error instead of falling back", async () => {
    const outcome = await run({ AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" });
    expect(outcome.http2).toMatch(/HTTP\/2 is not bundled into the Lambda functions/);
  }, 30_000);
});
