/**
 * End to end through `jc-audit run`: a user list whose second page comes back empty, or repeats the
 * first page, on both reads is never audited as complete: 2.1 is ERROR naming the inconsistency, exit 3.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunReport } from "../../lambdas/engine/findings.js";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import { systemUser } from "../../sim/presets/builders.js";
import { runCli } from "../helpers/cli.js";

const USERS = 250;
/** The one user without MFA, on the second page (sorted by `_id`, 100 per page). */
const UNENROLLED = "user173";

let out: string;
let sim: RunningSimulator;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), "jc-cli-incomplete-"));
  sim = await startSimulator({ scenario: "compliant" });
  const org = sim.scenario.organizations[0];
  if (!org) throw new Error("no organization");
  const orgId = org.organization._id as string;
  const now = new Date();
  org.systemUsers = Array.from({ length: USERS }, (_, i) =>
    systemUser(`5fd0${(i + 1).toString(16).padStart(20, "0")}`, orgId, now, {
      username: `user${i + 1}`,
      mfa: `user${i + 1}` === UNENROLLED ? "none" : "enrolled",
    }),
  );
});
afterEach(async () => {
  await sim.close();
  await rm(out, { recursive: true, force: true });
});

const run = (format: "table" | "json") =>
  runCli(
    [
      "run",
      "--controls",
      "2.1",
      "--format",
      format,
      "--base-url",
      sim.url,
      "--insights-url",
      sim.insightsUrl,
      "--out",
      out,
    ],
    { JC_API_KEY: sim.apiKey },
  );
const finding21 = (stdout: string) => {
  const report = JSON.parse(stdout) as RunReport;
  const finding = report.controls.find((f) => f.controlId === "2.1");
  if (!finding) throw new Error("no 2.1 finding");
  return finding;
};
const SECOND_PAGE = { path: "/api/systemusers", atSkip: 100 } as const;

describe("jc-audit run over an inconsistent user list", () => {
  it("consistent pages: 2.1 FAILs on the unenrolled user of the second page (exit 1)", async () => {
    const { code, stdout } = await run("table");
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL\s+2\.1/);
    expect(stdout).toContain(UNENROLLED);
  });

  it("second page empty on both reads: 2.1 ERROR naming it, exit 3, never PASS", async () => {
    sim.faults.add({ kind: "empty-page", ...SECOND_PAGE });
    const table = await run("table");
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/ERROR\s+2\.1/);
    expect(table.stdout).not.toMatch(/PASS\s+2\.1/);
    // The table wraps long summaries; compare with whitespace folded.
    expect(table.stdout.replace(/\s+/g, " ")).toContain(
      "users: Incomplete collection: the page at skip 100 came back empty before the reported total of 250",
    );

    const json = await run("json");
    expect(json.code).toBe(3);
    const finding = finding21(json.stdout);
    expect(finding.status).toBe("ERROR");
    expect(finding.summary).toContain(
      "users: Incomplete collection: the page at skip 100 came back empty before the reported total of 250 (100 of 250 read); read twice, inconsistent both times (GET /api/systemusers)",
    );
    expect(finding.results.filter((r) => r.status === "PASS")).toEqual([]);
  });

  it("second page repeating the first on both reads: 2.1 ERROR naming the duplicates, exit 3", async () => {
    sim.faults.add({ kind: "repeat-page", of: 0, ...SECOND_PAGE });
    const { code, stdout } = await run("json");
    expect(code).toBe(3);
    const finding = finding21(stdout);
    expect(finding.status).toBe("ERROR");
    expect(finding.summary).toMatch(
      /users: Incomplete collection: the page at skip 100 repeats 100 id\(s\) already read, .*read twice, inconsistent both times/,
    );
    expect(finding.error?.datasets).toMatchObject([{ dataset: "users", code: "INCOMPLETE_COLLECTION" }]);
  });

  it("an inconsistency on the first read only is healed by the re-read: the FAIL is found (exit 1)", async () => {
    sim.faults.add({ kind: "empty-page", times: 1, ...SECOND_PAGE });
    const { code, stdout } = await run("table");
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL\s+2\.1/);
    expect(stdout).toContain(UNENROLLED);
  });
});
