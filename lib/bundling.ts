/**
 * How the Lambda handlers are bundled: by esbuild, locally (no Docker), into one minified ES module
 * (`index.mjs`) per function, without source maps unless asked. `BUNDLING` is what the CDK functions use;
 * `LAMBDA_ESBUILD_OPTIONS` is the same build for esbuild's API (`bench/bundles.ts`), from the same values.
 */
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import type { BuildOptions } from "esbuild";

/** The Node.js version the bundles target: the functions' runtime, Node.js 24. */
export const NODE_TARGET = "node24";

/**
 * Defines `require` in the ES module for the CommonJS dependencies bundled into it. `createRequire` is
 * imported under a private alias so no bundled module's top-level name can collide with it.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __jcAuditCreateRequire } from 'node:module'; const require = __jcAuditCreateRequire(import.meta.url);";

/** `module` entry points first (ES modules tree-shake), then `main`. */
export const MAIN_FIELDS = ["module", "main"];

/**
 * Packages left out of the bundle: none. The AWS SDK is bundled too, so the code that runs is the code
 * that was tested and pinned by package-lock.json, not whatever SDK version the runtime carries.
 */
export const EXTERNAL_MODULES: string[] = [];

/** NodejsFunction bundling of every function; source maps only when asked (`jcAudit:sourceMaps`). */
export function lambdaBundling(sourceMaps = false): nodejs.BundlingOptions {
  return { ...BUNDLING, sourceMap: sourceMaps };
}

/** NodejsFunction bundling of every function, without source maps (see {@link lambdaBundling}). */
export const BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  mainFields: MAIN_FIELDS,
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: false,
  sourcesContent: false,
  target: NODE_TARGET,
  externalModules: EXTERNAL_MODULES,
  forceDockerBundling: false,
};

/** The same build through esbuild's API (add `entryPoints` and `outfile`). */
export const LAMBDA_ESBUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: NODE_TARGET,
  mainFields: MAIN_FIELDS,
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  sourcemap: false,
  sourcesContent: false,
  external: EXTERNAL_MODULES,
};
