/** The functions' code is really bundled, locally by esbuild (no Docker), into one ES module (source maps only on request). */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLING, ESM_REQUIRE_BANNER, LAMBDA_ESBUILD_OPTIONS } from "../../lib/bundling.js";
import { resources, synth } from "./synth.js";

describe("bundling", () => {
  it("bundles the audit, detection and remediation handlers into minified ES modules with the require banner", () => {
    const { app, template } = synth({ "jcAudit:controls": ["1.1"] }, { bundle: true });
    const assets = Object.values(resources(template, "AWS::Lambda::Function")).map((fn) => {
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      return join(app.outdir, `asset.${key.replace(/\.zip$/, "")}`);
    });
    expect(assets).toHaveLength(3);
    // The detection function ships the Sigma rules beside its bundle.
    expect(
      assets.filter((dir) => existsSync(join(dir, "detections", "admin-login-failed.yml"))),
    ).toHaveLength(1);
    for (const dir of assets) {
      const code = readFileSync(join(dir, "index.mjs"), "utf8");
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      // Source maps ship only with jcAudit:sourceMaps.
      expect(existsSync(join(dir, "index.mjs.map"))).toBe(false);
    }
  }, 60_000);

  it("uses the same esbuild settings for the stack and for esbuild's API", () => {
    expect(LAMBDA_ESBUILD_OPTIONS).toMatchObject({
      format: "esm",
      target: BUNDLING.target,
      mainFields: BUNDLING.mainFields,
      banner: { js: BUNDLING.banner },
      minify: BUNDLING.minify,
      sourcemap: BUNDLING.sourceMap,
      external: BUNDLING.externalModules,
    });
    expect(BUNDLING.forceDockerBundling).toBe(false);
  });
});
