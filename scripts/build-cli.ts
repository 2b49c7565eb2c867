/**
 * `npm run build` (and `prepack`): compiles the `jc-audit` CLI into `dist/` with esbuild, every runtime
 * dependency bundled, so the installed package needs no node_modules. Split into chunks along the
 * CLI's dynamic imports: `jc-audit --version` loads the entry alone, each command its own code, and
 * only `--demo` the simulator.
 */
import { rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The CLI's code must not need these at start-up: they are loaded only by the commands using them. */
const LAZY_INPUTS = [/^sim\//, /^contract\//, /node_modules\/(zod|got|yaml|re2js|ajv)\//];

/** The compiled CLI is missing something or loads too much at start-up. */
export class CliBuildError extends Error {
  override readonly name = "CliBuildError";
  readonly code = "CLI_BUILD" as const;
}

/** What a build produced. */
export interface CliBuild {
  /** The executable entry, `<outdir>/jc-audit.js`. */
  entry: string;
  /** Bytes of all emitted files. */
  totalBytes: number;
  /** Bytes Node reads for `jc-audit --version`: the entry and the chunks it imports statically. */
  startupBytes: number;
  metafile: Metafile;
}

/**
 * Defines `require` in each ES module chunk for the CommonJS packages bundled into it (commander,
 * ajv...), under a private alias so no bundled top-level name collides with it.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __jcAuditCreateRequire } from 'node:module'; const require = __jcAuditCreateRequire(import.meta.url);";

/** Builds the CLI into `outdir` (emptied first); CliBuildError if a package is left out or start-up would load a lazy module. */
export async function buildCli(outdir = join(ROOT, "dist")): Promise<CliBuild> {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { "jc-audit": "bin/jc-audit.ts" },
    outdir,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // ES module entry points first: they tree-shake.
    mainFields: ["module", "main"],
    banner: { js: ESM_REQUIRE_BANNER },
    // Chunks stay beside the entry: cli/detect-command.ts finds the bundled rules at ../detections/
    // relative to its own file, which is then the package's detections/ folder.
    chunkNames: "[name]-[hash]",
    // No source maps shipped: stack traces of an unminified bundle are readable as they are.
    minify: false,
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
  });
  const outputs = result.metafile.outputs;
  const entryKey = relative(ROOT, join(outdir, "jc-audit.js"));
  if (!outputs[entryKey]) throw new CliBuildError(`esbuild did not emit ${entryKey}`);

  // Everything but Node's own modules is in dist/: the installed package has no node_modules.
  for (const [key, output] of Object.entries(outputs))
    for (const imported of output.imports)
      if (imported.external && !isBuiltin(imported.path))
        throw new CliBuildError(`${key} imports ${imported.path}, which is not bundled`);

  // The static import closure of the entry is what every invocation pays for.
  const startup = new Set<string>();
  const pending = [entryKey];
  for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
    if (startup.has(key)) continue;
    startup.add(key);
    for (const imported of outputs[key]?.imports ?? [])
      if (imported.kind === "import-statement" && !imported.external) pending.push(imported.path);
  }
  for (const key of startup) {
    const eager = Object.keys(outputs[key]?.inputs ?? {}).find((input) =>
      LAZY_INPUTS.some((re) => re.test(input)),
    );
    if (eager)
      throw new CliBuildError(
        `${eager} is loaded at start-up (through ${key}); import it dynamically where it is used`,
      );
  }
  const sum = (keys: Iterable<string>) => [...keys].reduce((n, k) => n + (outputs[k]?.bytes ?? 0), 0);
  return {
    entry: join(outdir, "jc-audit.js"),
    totalBytes: sum(Object.keys(outputs)),
    startupBytes: sum(startup),
    metafile: result.metafile,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const built = await buildCli();
  const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
  console.log(
    `Built ${relative(ROOT, built.entry)}: ${kib(built.totalBytes)} in ${Object.keys(built.metafile.outputs).length} files, ${kib(built.startupBytes)} loaded at start-up`,
  );
}
