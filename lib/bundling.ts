/**
 * How the Lambda handlers are bundled: by esbuild, locally (no Docker), into one minified ES module
 * (`index.mjs`) per function, without source maps unless asked. `BUNDLING` is what the CDK functions use;
 * `LAMBDA_ESBUILD_OPTIONS` is the same build for esbuild's API (`bench/bundles.ts`), from the same values.
 * Every bundle stays under 1 MiB of JavaScript (`test/lib/bundling.test.ts`; `npm run bench:bundles`).
 */
import { fileURLToPath } from "node:url";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import type { BuildOptions } from "esbuild";

/** The repository root: esbuild resolves the stand-ins of {@link BUNDLE_ALIASES} from it. */
const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

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

/**
 * Packages replaced by a small stand-in in the bundles only (tests and the CLI keep the real ones), as
 * paths relative to the repository root: code a Lambda function can never reach, ~130 KB of each bundle.
 * The SDK's default credential chain becomes its first link, the environment's credentials (what Lambda
 * provides); got's HTTP/2 support, never turned on, fails loudly if it ever is. See each stand-in's header.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  "@aws-sdk/credential-provider-node": "./lambdas/bundle-aliases/credential-provider-node.ts",
  "http2-wrapper": "./lambdas/bundle-aliases/http2-wrapper.ts",
};

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
  // CDK runs esbuild in the project root (or its Docker mount), so the relative stand-in paths resolve.
  esbuildArgs: { "--alias": Object.entries(BUNDLE_ALIASES).map(([name, path]) => `${name}=${path}`) },
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
  alias: { ...BUNDLE_ALIASES },
  absWorkingDir: PROJECT_ROOT,
};
