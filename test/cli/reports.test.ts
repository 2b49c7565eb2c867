/**
 * `jc-audit run` reports: `--format` on stdout, `--output-formats` written under `--out/reports/`, the
 * filters (which never change the findings or the exit code), the table's severity column, legend,
 * totals, and lines kept whole when stdout is not a terminal.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../cli/program.js";
import { LEGEND } from "../../cli/render.js";
import type { RunReport } from "../../lambdas/engine/findings.js";
import { CSV_COLUMNS } from "../../lambdas/reports/csv.js";
import { HTML_REPORT_CSP } from "../../lambdas/reports/html.js";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import { runCli } from "../helpers/cli.js";
import { findingSchemaErrors } from "../helpers/schema.js";
import { ocsfErrors } from "../lambdas/reports/ocsf-schema.js";

let out: string;
let sim: RunningSimulator;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), "jc-reports-"));
  sim = await startSimulator({ scenario: "compliant" });
});
afterEach(async () => {
  await sim.close();
  await rm(out, { recursive: true, force: true });
});

const target = () => ["--base-url", sim.url, "--insights-url", sim.insightsUrl, "--out", out];
const env = () => ({ JC_API_KEY: sim.apiKey });
const demo = (...args: string[]) => runCli(["run", "--demo", "--out", out, ...args], {});

/** Rows of a CSV whose cells hold no quote, comma or line break (the demo's, checked by csv.test.ts). */
function csvLines(text: string): string[] {
  expect(text.endsWith("\r\n")).toBe(true);
  return text.slice(0, -2).split("\r\n");
}

/** The stored run report (the whole run, whatever the filters). */
async function storedRun(stdoutOrReport: { orgId: string; runId: string }): Promise<RunReport> {
  return JSON.parse(
    await readFile(join(out, "runs", stdoutOrReport.orgId, `${stdoutOrReport.runId}.json`), "utf8"),
  ) as RunReport;
}

const RESULT_TOTAL = (report: RunReport) =>
  report.controls.reduce((n, c) => n + Math.max(c.results.length, 1), 0);

describe("--output-formats writes every report under --out/reports/", () => {
  it("table, json, csv, html and ocsf of the demo, named after the run, and says where", async () => {
    const { code, stdout, stderr } = await demo("--output-formats", "table,json,csv,html,ocsf");
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const runId = /^run (\S+) · /m.exec(stdout)?.[1] ?? "";
    expect(runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    const files = ["txt", "json", "csv", "html", "ocsf.json"].map((ext) => `report-${runId}.${ext}`);
    expect((await readdir(join(out, "reports"))).sort()).toEqual([...files].sort());
    expect(stdout).toContain(`Reports written to ${join(out, "reports")}: ${files.join(", ")}\n`);
    const read = (ext: string) => readFile(join(out, "reports", `report-${runId}.${ext}`), "utf8");

    const json = JSON.parse(await read("json")) as RunReport;
    expect(findingSchemaErrors(json)).toEqual([]);
    expect(json).toEqual(await storedRun(json));

    const csv = csvLines(await read("csv"));
    expect(csv[0]).toBe(CSV_COLUMNS.join(","));
    expect(csv).toHaveLength(1 + RESULT_TOTAL(json));

    const ocsf = JSON.parse(await read("ocsf.json")) as unknown[];
    expect(ocsf).toHaveLength(RESULT_TOTAL(json));
    for (const finding of ocsf) expect(ocsfErrors(finding)).toEqual([]);

    const html = await read("html");
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(HTML_REPORT_CSP);

    const table = await read("txt");
    expect(table).not.toContain("\u001b[");
    expect(table).toContain("10 controls: 1 PASS · 9 FAIL · 0 MANUAL · 0 ERROR · 0 NOT_APPLICABLE · 0 MUTED");
  });

  it("with a machine format on stdout, stdout holds only that format and the paths go to stderr", async () => {
    const { code, stdout, stderr } = await demo("--format", "csv", "--output-formats", "ocsf");
    expect(code).toBe(1);
    const lines = csvLines(stdout);
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(stderr).toMatch(/^Reports written to .*reports: report-\S+\.ocsf\.json\n$/);
  });

  it("a file in the way of reports/ is refused before anything is sent", async () => {
    await writeFile(join(out, "reports"), "not a folder\n");
    const { code, stdout, stderr } = await runCli(["run", "--output-formats", "csv", ...target()], env());
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toBe(
      `jc-audit: --out ${out} is not a writable folder: ${join(out, "reports")} is a file\n`,
    );
    expect(sim.requests).toEqual([]);
  });
});

describe("--format on stdout", () => {
  it("csv: one header row and one row per result", async () => {
    const json = JSON.parse((await demo("--format", "json")).stdout) as RunReport;
    const { code, stdout } = await demo("--format", "csv");
    expect(code).toBe(1);
    expect(csvLines(stdout)).toHaveLength(1 + RESULT_TOTAL(json));
  });

  it("ocsf: a JSON array of valid Compliance Findings", async () => {
    const { code, stdout } = await demo("--format", "ocsf");
    expect(code).toBe(1);
    const findings = JSON.parse(stdout) as { class_uid: number }[];
    expect(findings.length).toBeGreaterThan(200);
    for (const f of findings) expect(ocsfErrors(f)).toEqual([]);
  });

  it("html: the self-contained page", async () => {
    const { code, stdout } = await demo("--format", "html");
    expect(code).toBe(1);
    expect(stdout).toMatch(/^<!DOCTYPE html>/);
    expect(stdout).toContain("Globex Corporation");
  });
});

describe("filters narrow what is shown and written, never the findings or the exit code", () => {
  it("--status PASS --severity low shows nothing failing, yet exits 1 and stores the whole run", async () => {
    const { code, stdout } = await demo("--status", "PASS", "--severity", "low", "--format", "json");
    expect(code).toBe(1);
    const view = JSON.parse(stdout) as RunReport;
    expect(view.controls).toEqual([]);
    expect(findingSchemaErrors(view)).toEqual([]);
    const stored = await storedRun(view);
    expect(stored.controls).toHaveLength(10);
    expect(stored.controls.filter((c) => c.status === "FAIL")).toHaveLength(9);
    const latest = JSON.parse(
      await readFile(join(out, "findings", view.orgId, "1.1", "latest.json"), "utf8"),
    ) as RunReport["controls"][number];
    expect(latest.results.some((r) => r.status === "FAIL")).toBe(true);
  });

  it("--status FAIL in the table lists failing controls and resources only, and says it is a view", async () => {
    const { code, stdout } = await demo("--status", "FAIL", "--severity", "critical");
    expect(code).toBe(1);
    expect(stdout).toContain(
      "view: --status FAIL · --severity critical · 2 of 10 controls shown; findings and the exit code cover the whole run",
    );
    expect(stdout.match(/^(PASS|FAIL|MANUAL|ERROR|N\/A|MUTED) +\d\.\d /gm)).toEqual([
      "FAIL   1.1 ",
      "FAIL   2.1 ",
    ]);
    expect(stdout).not.toMatch(/^ {12}[?!~✓] /m);
    // Totals still count the whole run.
    expect(stdout).toContain("10 controls: 1 PASS · 9 FAIL");
  });

  it("--compliance soc2: the table is the requirement → status list; json and csv carry that rollup", async () => {
    const table = await demo("--compliance", "soc2");
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^SOC 2 TSC: \d+ requirements$/m);
    expect(table.stdout).toMatch(/^FAIL {3}CC6\.1 +1\.1 FAIL · 2\.1 FAIL$/m);
    expect(table.stdout).toMatch(/^PASS {3}CC7\.2 +5\.1 PASS$/m);

    const json = JSON.parse((await demo("--compliance", "soc2", "--format", "json")).stdout) as RunReport;
    expect(json.compliance.length).toBeGreaterThan(0);
    expect(json.compliance.every((e) => e.framework === "SOC 2 TSC")).toBe(true);
    expect(findingSchemaErrors(json)).toEqual([]);

    const csv = csvLines((await demo("--compliance", "soc2", "--format", "csv")).stdout);
    expect(csv).toEqual([
      "Framework,Requirement,Status,Controls",
      ...json.compliance.map((e) => `${e.framework},${e.requirement},${e.status},${e.controls.join(" ")}`),
    ]);
  });

  it("the HTML report always shows the whole run: its counts cannot say they describe a view", async () => {
    const { code, stdout } = await demo("--status", "PASS", "--format", "html");
    expect(code).toBe(1);
    // A failing result, which the PASS view leaves out of every other format.
    expect(stdout).toContain("MFA not required, no TOTP enrolled");
  });

  it("--help says filters never change the findings, the HTML report or the exit code", async () => {
    const { stdout } = await runCli(["run", "--help"]);
    expect(stdout.replace(/\s+/g, " ")).toContain(
      "the HTML report, the findings folder and the exit code always cover the whole run",
    );
  });
});

describe("the table", () => {
  it("a severity column, a legend, every status counted, and whole lines when stdout is not a terminal", async () => {
    const org = sim.scenario.organizations[0];
    const admin = org?.admins[1] as Record<string, unknown>;
    admin.enableMultiFactor = false;
    admin.email = `${"very-long-mailbox-name.".repeat(8)}@example.com`;
    const { code, stdout } = await runCli(["run", "--controls", "1.1,1.2", ...target()], env());
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL {3}1\.1 L1 critical Secure Admin Portal Access$/m);
    expect(stdout).toMatch(/^PASS {3}1\.2 L1 high {5}Implement Least Privilege Administration$/m);
    expect(stdout).toContain(`${LEGEND}\n`);
    expect(stdout).toContain(
      "2 controls: 1 PASS · 1 FAIL · 0 MANUAL · 0 ERROR · 0 NOT_APPLICABLE · 0 MUTED\n",
    );
    expect(stdout).toMatch(/^\d+ results: \d+ PASS · 1 FAIL · 0 MANUAL · 0 ERROR · 0 MUTED$/m);
    // Not cut to any width: the resource line holds the whole address and message.
    const line = stdout.split("\n").find((l) => l.includes("✗"));
    expect(line).toBe(`            ✗ ${admin.email}: MFA not required`);
    expect(line?.length).toBeGreaterThan(200);
    expect(stdout).not.toContain("…");
    expect(stdout).not.toContain("\u001b[");
  });

  it("on a terminal: colours, and lines cut to its width; NO_COLOR turns colours off", async () => {
    (sim.scenario.organizations[0]?.admins[1] as Record<string, unknown>).enableMultiFactor = false;
    (sim.scenario.organizations[0]?.admins[1] as Record<string, unknown>).email =
      `${"very-long-mailbox-name.".repeat(8)}@example.com`;
    const tty = async (environment: Record<string, string>) => {
      let text = "";
      const stdout = Object.assign(
        new Writable({
          write(chunk, _encoding, done) {
            text += String(chunk);
            done();
          },
        }),
        { isTTY: true, columns: 80 },
      );
      const stderr = new Writable({ write: (_c, _e, done) => done() });
      const code = await main(["run", "--controls", "1.1", ...target()], {
        stdout,
        stderr,
        env: environment,
      });
      return { code, text };
    };
    const colored = await tty(env());
    expect(colored.code).toBe(1);
    expect(colored.text).toContain("\u001b[");
    const visible = stripVTControlCharacters(colored.text);
    const resource = visible.split("\n").find((l) => l.includes("✗")) ?? "";
    expect(resource.length).toBeLessThanOrEqual(80);
    expect(resource.endsWith("…")).toBe(true);
    const plain = await tty({ ...env(), NO_COLOR: "1" });
    expect(plain.text).not.toContain("\u001b[");
  });
});

describe("bad report flags: exit 2, one line naming the problem, nothing sent", () => {
  it.each([
    [["--format", "xml"], 'jc-audit: --format must be one of table, json, csv, html, ocsf, got "xml"'],
    [
      ["--output-formats", ""],
      "jc-audit: --output-formats needs at least one of table, json, csv, html, ocsf",
    ],
    [
      ["--output-formats", " , "],
      "jc-audit: --output-formats needs at least one of table, json, csv, html, ocsf",
    ],
    [
      ["--output-formats", "csv,pdf"],
      'jc-audit: --output-formats must be one of table, json, csv, html, ocsf, got "pdf"',
    ],
    [
      ["--status", "FAIL,OK"],
      'jc-audit: --status: unknown value "OK" (allowed: PASS, FAIL, MANUAL, ERROR, NOT_APPLICABLE, MUTED)',
    ],
    [
      ["--severity", "urgent"],
      'jc-audit: --severity: unknown value "urgent" (allowed: critical, high, medium, low)',
    ],
    [["--compliance", "iso27001"], 'jc-audit: --compliance must be one of cis, nist, soc2, got "iso27001"'],
    [["--compliance", "cis,nist"], 'jc-audit: --compliance must be one of cis, nist, soc2, got "cis,nist"'],
  ])("%j", async (args, message) => {
    const { code, stdout, stderr } = await runCli(["run", ...args, ...target()], env());
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: "", stderr: `${message}\n` });
    expect(sim.requests).toEqual([]);
    expect(await readdir(out)).toEqual([]);
  });
});
