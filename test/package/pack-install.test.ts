/**
 * The package as a user gets it: `npm pack` (which builds through prepack), the tarball installed with
 * `npm i -g --prefix` into an empty folder without the network, and the installed `jc-audit` run with
 * a PATH that holds only that prefix and Node, from a folder outside the repository.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTROLS } from "../../lambdas/controls/registry.js";
import pkg from "../../package.json" with { type: "json" };

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** What `npm pack --json` says about one tarball. */
interface PackedFile {
  filename: string;
  files: { path: string }[];
}

let temp = "";
let prefix = "";
let home = "";
let packed: PackedFile;

/** The environment without npm's variables (an outer `npm test` sets npm_config_*), plus `extra`. */
function env(extra: Record<string, string>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.toLowerCase().startsWith("npm_")) clean[k] = v;
  return { ...clean, ...extra };
}

function npm(args: string[], cwd: string) {
  const result = spawnSync("npm", args, {
    cwd,
    env: env({ npm_config_cache: join(temp, "npm-cache"), npm_config_update_notifier: "false" }),
    encoding: "utf8",
    timeout: 50_000,
  });
  if (result.status !== 0)
    throw new Error(`npm ${args.join(" ")} exited ${result.status}: ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

/** Runs the installed binary with nothing from the repository reachable: no node_modules/.bin, no NODE_PATH. */
function jcAudit(args: string[]) {
  const bin = join(prefix, "bin");
  const result = spawnSync(join(bin, "jc-audit"), args, {
    cwd: home,
    env: { PATH: [bin, dirname(process.execPath)].join(delimiter), HOME: home, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), "jc-audit-pack-"));
  prefix = join(temp, "prefix");
  home = join(temp, "home");
  const out = npm(["pack", "--json", "--pack-destination", temp], ROOT);
  // prepack's build prints a line before npm's JSON.
  const json = JSON.parse(out.slice(out.search(/^\[/m))) as PackedFile[];
  packed = json[0] as PackedFile;
  npm(
    [
      "install",
      "--global",
      "--prefix",
      prefix,
      "--offline",
      "--no-audit",
      "--no-fund",
      join(temp, packed.filename),
    ],
    temp,
  );
  mkdirSync(home);
}, 120_000);

afterAll(() => {
  if (temp) rmSync(temp, { recursive: true, force: true });
});

describe("npm pack → npm i -g --prefix → jc-audit", () => {
  it("packs the compiled CLI, the Sigma rules, the finding schema and the README, and nothing else", () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain("dist/jc-audit.js");
    expect(paths).toContain("docs/finding.schema.json");
    expect(paths).toContain("README.md");
    expect(paths).toContain("package.json");
    const rules = readdirSync(join(ROOT, "detections")).filter((n) => n.endsWith(".yml"));
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(paths).toContain(`detections/${rule}`);
    const unexpected = paths.filter(
      (p) =>
        !/^dist\/[\w-]+\.js$/.test(p) &&
        !/^detections\/[\w-]+\.yml$/.test(p) &&
        !["docs/finding.schema.json", "README.md", "package.json"].includes(p),
    );
    expect(unexpected).toEqual([]);
  });

  it("installs without any dependency: no node_modules inside the package", () => {
    const installed = join(prefix, "lib", "node_modules", ...pkg.name.split("/"));
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(manifest.name).toBe("@jumpcloud-hardening/auditor");
    expect(manifest.dependencies).toBeUndefined();
    expect(existsSync(join(installed, "node_modules"))).toBe(false);
    expect(existsSync(join(installed, "dist", "jc-audit.js"))).toBe(true);
  });

  it("jc-audit --version prints the package's version", () => {
    const r = jcAudit(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("jc-audit controls lists the catalog", () => {
    const r = jcAudit(["controls"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(CONTROLS.map((c) => c.id));
  });

  it("jc-audit run --demo audits the bundled simulator and writes findings under --out (exit 1: the demo fails)", () => {
    const out = join(home, "out-table");
    const r = jcAudit(["run", "--demo", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL");
    expect(r.stdout).toContain(`Findings written to ${out}`);
    const runs = join(out, "runs");
    const [org] = readdirSync(runs);
    expect(readdirSync(join(runs, org as string))).toHaveLength(1);
  });

  it("jc-audit run --demo --format json prints a run report with every control", () => {
    const r = jcAudit(["run", "--demo", "--format", "json", "--out", join(home, "out-json")]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { controls: { controlId: string }[] };
    expect(report.controls.map((c) => c.controlId)).toEqual(CONTROLS.map((c) => c.id));
  });

  it("jc-audit run --demo --output-formats html,csv,ocsf writes the three reports of the run under --out/reports", () => {
    const out = join(home, "out-reports");
    const r = jcAudit(["run", "--demo", "--output-formats", "html,csv,ocsf", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const [org] = readdirSync(join(out, "runs"));
    const [runFile] = readdirSync(join(out, "runs", org as string));
    const run = JSON.parse(readFileSync(join(out, "runs", org as string, runFile as string), "utf8")) as {
      runId: string;
      controls: { results: unknown[] }[];
    };
    const base = join(out, "reports", `report-${run.runId}`);
    expect(readdirSync(join(out, "reports")).sort()).toEqual(
      [`report-${run.runId}.csv`, `report-${run.runId}.html`, `report-${run.runId}.ocsf.json`].sort(),
    );
    expect(readFileSync(`${base}.html`, "utf8")).toMatch(/^<!DOCTYPE html>/);
    expect(readFileSync(`${base}.csv`, "utf8")).toMatch(/^Control,/);
    const findings = JSON.parse(readFileSync(`${base}.ocsf.json`, "utf8")) as { class_uid: number }[];
    expect(findings).toHaveLength(run.controls.reduce((n, c) => n + c.results.length, 0));
    expect(new Set(findings.map((f) => f.class_uid))).toEqual(new Set([2003]));
  });

  it("jc-audit detect --demo reads the Sigma rules shipped in the package", () => {
    const r = jcAudit(["detect", "--demo"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\d+ rule\(s\) matched/);
  });
});
