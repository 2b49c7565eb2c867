/** `jc-audit run --org-id all` against a multi-tenant simulator over HTTP. */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_SIM_API_KEY, type RunningSimulator, startSimulator } from "../../sim/index.js";
import { hardenedOrg } from "../../sim/presets/compliant.js";
import { NOW } from "../helpers/audit.js";
import { runCli } from "../helpers/cli.js";

const ORG_A = "5f00000000000000000000a1";
const ORG_B = "5f00000000000000000000b2";

let out: string;
let sim: RunningSimulator;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), "jc-cli-msp-"));
  sim = await startSimulator({
    scenario: {
      name: "msp",
      plan: "platform",
      apiKey: DEFAULT_SIM_API_KEY,
      organizations: [
        hardenedOrg(NOW, { name: "Acme", orgId: ORG_A, users: 3, systems: 2 }),
        hardenedOrg(NOW, { name: "Beta", orgId: ORG_B, users: 3, systems: 2 }),
      ],
    },
    now: () => NOW,
  });
  // Beta drifts: a full administrator without MFA (1.1 fails there only).
  const bob = sim.scenario.organizations[1]?.admins.find((a) => a.email === "bob.admin@example.com");
  if (!bob) throw new Error("bob.admin not in the scenario");
  bob.enableMultiFactor = false;
});
afterEach(async () => {
  await sim.close();
  await rm(out, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  runCli(
    [
      "run",
      "--controls",
      "1.1",
      "--base-url",
      sim.url,
      "--insights-url",
      sim.insightsUrl,
      "--out",
      out,
      ...args,
    ],
    { JC_API_KEY: sim.apiKey },
  );

describe("jc-audit run --org-id all", () => {
  it("audits every organization the key sees: a line each, a total, findings per organization, exit = worst", async () => {
    const { code, stdout, stderr } = await run("--org-id", "all");
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split("\n");
    expect(lines.slice(0, 2).sort()).toEqual([
      `FAIL   ${ORG_B}  Beta  1 control: 0 PASS · 1 FAIL · 0 MANUAL · 0 ERROR · 0 NOT_APPLICABLE`,
      `PASS   ${ORG_A}  Acme  1 control: 1 PASS · 0 FAIL · 0 MANUAL · 0 ERROR · 0 NOT_APPLICABLE`,
    ]);
    expect(lines[2]).toBe(
      `2 organizations: 1 PASS · 1 FAIL · 0 ERROR. Findings written to ${out} (findings/{orgId}/, runs/{orgId}/)`,
    );
    expect((await readdir(join(out, "findings"))).sort()).toEqual([ORG_A, ORG_B]);
    expect((await readdir(join(out, "runs"))).sort()).toEqual([ORG_A, ORG_B]);
    // Discovery without x-org-id; every other request carries its organization's.
    const list = sim.requests.filter((r) => r.path === "/api/organizations");
    expect(list.every((r) => r.orgId === undefined)).toBe(true);
    expect(
      sim.requests
        .filter((r) => r.path === "/api/users")
        .map((r) => r.orgId)
        .sort(),
    ).toEqual([ORG_A, ORG_B]);
  });

  it("--org-exclude leaves an organization out", async () => {
    const { code, stdout } = await run("--org-id", "all", "--org-exclude", ORG_B);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS {3}5f00000000000000000000a1 {2}Acme /);
    expect(stdout).toContain("\n1 organization: 1 PASS · 0 FAIL · 0 ERROR.");
    expect(sim.requests.some((r) => r.orgId === ORG_B)).toBe(false);
  });

  it("--concurrency 1 audits one organization after the other (requests never interleave)", async () => {
    await run("--org-id", "all", "--concurrency", "1");
    const order = sim.requests.map((r) => r.orgId).filter((id) => id !== undefined);
    const switches = order.filter((id, i) => i > 0 && id !== order[i - 1]).length;
    expect(switches).toBe(1);
  });

  it("writes --output-formats per organization", async () => {
    const { code } = await run("--org-id", "all", "--output-formats", "csv");
    expect(code).toBe(1);
    expect((await readdir(join(out, "reports"))).filter((f) => f.endsWith(".csv"))).toHaveLength(2);
  });

  it("a display name is shown cleaned: no terminal escapes, one line", async () => {
    const org = sim.scenario.organizations[0]?.organization;
    if (!org) throw new Error("no organization");
    org.displayName = "Acme\u001b[2J\nPASS   forged line";
    const { stdout } = await run("--org-id", "all");
    expect(stdout).not.toContain("\u001b");
    expect(stdout.trimEnd().split("\n")).toHaveLength(3);
  });

  it("a lying organizations page is exit 3 and one clean line, nothing audited", async () => {
    sim.faults.add({ kind: "total", total: 3, path: "/api/organizations" });
    const { code, stdout, stderr } = await run("--org-id", "all");
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^jc-audit: Incomplete collection: .+\(GET \/api\/organizations\)\n$/);
    expect(sim.requests.some((r) => r.orgId !== undefined)).toBe(false);
  });

  it("excluding every organization is exit 3 with a clear message", async () => {
    const { code, stderr } = await run("--org-id", "all", "--org-exclude", `${ORG_A},${ORG_B}`);
    expect(code).toBe(3);
    expect(stderr).toBe("jc-audit: No organization is left to audit once --org-exclude is applied\n");
  });

  it.each([
    [["--org-exclude", ORG_A], "jc-audit: --org-exclude only applies with --org-id all\n"],
    [["--concurrency", "2"], "jc-audit: --concurrency only applies with --org-id all\n"],
    [
      ["--org-id", "all", "--concurrency", "0"],
      'jc-audit: --concurrency must be a whole number from 1 to 32, got "0"\n',
    ],
    [
      ["--org-id", "all", "--org-exclude", "acme"],
      'jc-audit: --org-exclude: organization ids are 24 hexadecimal characters, got "acme"\n',
    ],
    [
      ["--org-id", "all", "--format", "json"],
      "jc-audit: --org-id all prints one line per organization: --format must be table (write json reports with --output-formats json)\n",
    ],
    [["--org-id", "ALL"], 'jc-audit: --org-id must be 24 hexadecimal characters or all, got "ALL"\n'],
  ])("refuses %j before any request (exit 2)", async (args, message) => {
    const { code, stderr } = await run(...args);
    expect(stderr).toBe(message);
    expect(code).toBe(2);
    expect(sim.requests).toEqual([]);
  });
});
