import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RemediationPlan, remediationKeys } from "../../lambdas/remediation/record.js";
import { localSealer, sealRecord } from "../../lambdas/remediation/seal.js";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import { runCli } from "../helpers/cli.js";

let out: string;
let sim: RunningSimulator;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), "jc-remediate-"));
  sim = await startSimulator({ scenario: "compliant" });
});
afterEach(async () => {
  await sim.close();
  await rm(out, { recursive: true, force: true });
});

const flags = () => [
  "--base-url",
  sim.url,
  "--insights-url",
  sim.insightsUrl,
  "--out",
  out,
  "--requested-by",
  "alice@example.com",
];
const env = () => ({ JC_API_KEY: sim.apiKey });
const bob = () =>
  sim.scenario.organizations[0]?.admins.find((a) => a.email === "bob.admin@example.com") as Record<
    string,
    unknown
  >;
const ORG = "5f0000000000000000000001";
/** Control characters other than the final line feed. */
const controlsIn = (text: string) =>
  [...text.replace(/\n$/, "")].filter((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch.codePointAt(0) === 0x7f);
const planIdOf = (text: string) => /--apply (rp-[\w-]+)/.exec(text)?.[1] ?? "";

describe("jc-audit remediate", () => {
  it("plans without writing, applies, is a no-op the second time, rolls back", async () => {
    bob().enableMultiFactor = false;
    const planned = await runCli(["remediate", "--controls", "1.1", ...flags()], env());
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain("admin bob.admin@example.com · enableMultiFactor: false → true");
    expect(sim.writes()).toEqual([]);
    const planId = planIdOf(planned.stdout);

    const applied = await runCli(["remediate", "--apply", planId, ...flags()], env());
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("1.1 Secure Admin Portal Access · FAIL → PASS");
    expect(bob().enableMultiFactor).toBe(true);

    const again = await runCli(["remediate", "--apply", planId, ...flags()], env());
    expect(again.stdout).toContain(`Plan ${planId} was already applied; nothing was changed.`);
    expect(sim.writes()).toHaveLength(1);

    const rolledBack = await runCli(["remediate", "--rollback", planId, ...flags()], env());
    expect(rolledBack.code).toBe(0);
    expect(bob().enableMultiFactor).toBe(false);
  });

  it("exit 1 with one line when the state changed since the plan, and changes nothing", async () => {
    bob().enableMultiFactor = false;
    const planId = planIdOf((await runCli(["remediate", "--controls", "1.1", ...flags()], env())).stdout);
    bob().enableMultiFactor = true;
    const { code, stderr } = await runCli(["remediate", "--apply", planId, ...flags()], env());
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^jc-audit: State changed since plan rp-[\w-]+; nothing was changed: bob\.admin@example\.com enableMultiFactor: planned false → true, but an audit now plans no such change \(1\.1 is now PASS\)\n$/,
    );
    expect(sim.writes()).toEqual([]);
  });

  it.each([
    [
      ["remediate", "--apply", "rp-1", "--rollback", "rp-1"],
      /^jc-audit: --apply and --rollback cannot be combined\n$/,
    ],
    [["remediate", "--controls", "1.1,7.7"], /^jc-audit: invalid request: controls\.1: unknown control id/],
    [
      ["remediate", "--apply", "../../etc/passwd"],
      /^jc-audit: invalid request: planId: must be a plan id returned by plan mode\n$/,
    ],
    [
      ["remediate", "--apply", "rp-20991231T000000Z-deadbeef"],
      /^jc-audit: No plan rp-20991231T000000Z-deadbeef for organization /,
    ],
    [["remediate", "--controls", "3.1"], /^jc-audit: 3\.1 needs your corporate egress ranges/],
    [
      ["remediate", "--controls", "3.1", "--trusted-ranges", "10.0.0.0/8"],
      /^jc-audit: Trusted ranges refused: "10\.0\.0\.0\/8" overlaps 10\.0\.0\.0\/8, private/,
    ],
  ])("exit 2 and one line for %j", async (args, message) => {
    if (args.includes("3.1")) sim.scenario.organizations[0]?.authnPolicies.splice(1, 1); // no conditional-access policy left
    const { code, stderr, stdout } = await runCli([...args, ...flags()], env());
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(sim.writes()).toEqual([]);
  });

  it("seals plans with a key file under --out (mode 0600); an edited plan exits 2 with one line and changes nothing", async () => {
    bob().enableMultiFactor = false;
    const planId = planIdOf((await runCli(["remediate", "--controls", "1.1", ...flags()], env())).stdout);
    const key = join(out, "remediation-seal.key");
    expect(((await stat(key)).mode & 0o777).toString(8)).toBe("600");
    const file = join(out, "remediations", ORG, `${planId}.json`);
    const text = await readFile(file, "utf8");
    // An edit that keeps the plan well-formed: the swap of before and after on bob's change.
    const edited = text.replace('"before": false,\n', '"before": true,\n');
    expect(edited).not.toBe(text);
    await writeFile(file, edited);
    const requests = sim.requests.length;

    const { code, stdout, stderr } = await runCli(
      ["remediate", "--apply", planId, "--org-id", ORG, ...flags()],
      env(),
    );
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `jc-audit: The record remediations/${ORG}/${planId}.json does not match its seal: it was changed after remediation wrote it, or moved from another plan; nothing was read from JumpCloud and nothing was changed: make a new plan\n`,
    );
    expect(sim.requests).toHaveLength(requests);
    expect(sim.writes()).toEqual([]);

    await writeFile(file, text);
    await chmod(key, 0o644);
    const loose = await runCli(["remediate", "--apply", planId, ...flags()], env());
    expect(loose.code).toBe(2);
    expect(loose.stderr).toMatch(
      /^jc-audit: The remediation seal key .*remediation-seal\.key has mode 0644: other users can read or change it; make it 0600 \(chmod 600 .*\), or remove it and make new plans\n$/,
    );
    expect(sim.writes()).toEqual([]);
  });

  it("rollback says what it left alone because it changed since apply", async () => {
    const policies = sim.scenario.organizations[0]?.authnPolicies ?? [];
    policies.splice(
      policies.findIndex((p) => p.name === "Require MFA - All Users"),
      1,
    );
    const planId = planIdOf((await runCli(["remediate", "--controls", "2.1", ...flags()], env())).stdout);
    expect((await runCli(["remediate", "--apply", planId, ...flags()], env())).code).toBe(0);
    const created = policies.find((p) => p.name === "Require MFA - All Users (jc-audit)") as Record<
      string,
      unknown
    >;
    created.description = "Edited by the IT team";

    const { code, stdout } = await runCli(["remediate", "--rollback", planId, ...flags()], env());
    expect(code).toBe(0);
    expect(stdout).toContain(
      "Rolled back: 2.1:authn_policy:create changed-since (it was edited: changed since apply, left alone).",
    );
    expect(policies.some((p) => p === created)).toBe(true);
  });

  it("prints a refusal quoting a hostile stored file or lock as one clean line", async () => {
    bob().enableMultiFactor = false;
    const planId = planIdOf((await runCli(["remediate", "--controls", "1.1", ...flags()], env())).stdout);
    const key = remediationKeys.plan(ORG, planId);
    const file = join(out, key);
    const { record } = JSON.parse(await readFile(file, "utf8")) as { record: RemediationPlan };
    // Someone who can read the key file seals a record with a key that is a terminal escape sequence.
    const hostile = { ...record, "\u001b]0;pwned\u0007\nPASS 1.1": true } as unknown as RemediationPlan;
    await writeFile(file, await sealRecord(localSealer(out), key, hostile));
    const tampered = await runCli(["remediate", "--apply", planId, ...flags()], env());
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toMatch(
      /^jc-audit: The record .* is not a remediation record this version can use \(\(root\): Unrecognized key: "� PASS 1\.1"\); nothing was changed: make a new plan\n$/,
    );
    expect(controlsIn(tampered.stderr)).toEqual([]);

    await writeFile(file, await sealRecord(localSealer(out), key, record));
    await writeFile(
      join(out, remediationKeys.lock(ORG)),
      JSON.stringify({
        planId: "rp-x\u001b[2J",
        requestedBy: "mallory\nPASS 1.1",
        since: new Date().toISOString(),
      }),
    );
    const locked = await runCli(["remediate", "--apply", planId, ...flags()], env());
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(
      /^jc-audit: Another remediation is running for organization 5f0000000000000000000001 \(plan rp-x.*by mallory PASS 1\.1 since .*\); try again when it ends\n$/,
    );
    expect(controlsIn(locked.stderr)).toEqual([]);
    expect(sim.writes()).toEqual([]);
  });

  describe("--trusted-ranges is checked on every call, before anything is sent", () => {
    it.each([
      [["remediate", "--controls", "3.1"]],
      [["remediate"]],
      [["remediate", "--apply", "rp-20991231T000000Z-deadbeef"]],
      [["remediate", "--rollback", "rp-20991231T000000Z-deadbeef"]],
    ])("%j with a private range: exit 2, one line, no request", async (args) => {
      // The compliant organization already has a conditional-access policy: 3.1 plans nothing, so the
      // planner alone would never look at the ranges.
      const { code, stdout, stderr } = await runCli(
        [...args, "--trusted-ranges", "10.0.0.0/8", ...flags()],
        env(),
      );
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        'jc-audit: Trusted ranges refused: "10.0.0.0/8" overlaps 10.0.0.0/8, private (RFC 1918): conditional access sees public source addresses\n',
      );
      expect(sim.requests).toEqual([]);
    });

    it("names every bad range, not the good ones, on one clean line", async () => {
      const { code, stderr } = await runCli(
        [
          "remediate",
          "--trusted-ranges",
          "203.0.113.0/24, 192.168.1.0/24,0.0.0.0/0,bad\u001b[2J\nPASS",
          ...flags(),
        ],
        env(),
      );
      expect(code).toBe(2);
      expect(stderr).toMatch(
        /^jc-audit: Trusted ranges refused: "192\.168\.1\.0\/24" overlaps 192\.168\.0\.0\/16, .*; "0\.0\.0\.0\/0" (overlaps|is broader).*; "bad.* PASS" is not an IP address, CIDR or "a - b" range\n$/,
      );
      expect(stderr).not.toContain("203.0.113.0/24");
      expect(controlsIn(stderr)).toEqual([]);
      expect(sim.requests).toEqual([]);
    });

    it("public ranges within the limits reach the plan", async () => {
      sim.scenario.organizations[0]?.authnPolicies.splice(1, 1); // no conditional-access policy left
      const { code, stdout } = await runCli(
        ["remediate", "--controls", "3.1", "--trusted-ranges", "203.0.113.0/24,2001:db8:1::/48", ...flags()],
        env(),
      );
      expect(code).toBe(0);
      expect(stdout).toContain("with 203.0.113.0/24, 2001:db8:1::/48");
    });
  });

  describe("--demo keeps the simulator's state in --out between invocations", () => {
    const demo = ["--demo", "--out", () => out, "--requested-by", "alice@example.com"] as const;
    const args = () => demo.map((a) => (typeof a === "function" ? a() : a));
    const state = async () =>
      JSON.parse(await readFile(join(out, "demo-state.json"), "utf8")) as {
        organizations: { admins: Record<string, unknown>[]; authnPolicies: Record<string, unknown>[] }[];
      };
    const frank = (s: Awaited<ReturnType<typeof state>>) =>
      s.organizations[0]?.admins.find((a) => a.email === "frank.contractor@example.com");
    const ours = (s: Awaited<ReturnType<typeof state>>) =>
      s.organizations[0]?.authnPolicies.filter((p) => String(p.name).endsWith("(jc-audit)")) ?? [];

    it("plan → apply → apply again → rollback, and rollback really restores the organization", async () => {
      const planned = await runCli(["remediate", "--controls", "1.1,2.1", ...args()], {});
      expect(planned.code).toBe(0);
      expect(planned.stdout).toContain(
        "admin frank.contractor@example.com · enableMultiFactor: false → true",
      );
      const planId = planIdOf(planned.stdout);
      expect(((await stat(join(out, "demo-state.json"))).mode & 0o777).toString(8)).toBe("600");
      const before = await state();
      expect(frank(before)?.enableMultiFactor).toBe(false);
      expect(ours(before)).toEqual([]);

      const applied = await runCli(["remediate", "--apply", planId, ...args()], {});
      expect(applied.stderr).toBe("");
      expect(applied.code).toBe(0);
      const after = await state();
      expect(frank(after)?.enableMultiFactor).toBe(true);
      expect(ours(after)).toHaveLength(1);

      const again = await runCli(["remediate", "--apply", planId, ...args()], {});
      expect(again.stdout).toContain(`Plan ${planId} was already applied; nothing was changed.`);

      const rolledBack = await runCli(["remediate", "--rollback", planId, ...args()], {});
      expect(rolledBack.code).toBe(0);
      expect(rolledBack.stdout).not.toContain("changed-since");
      expect(rolledBack.stdout).toMatch(/Rolled back: .*1\.1:admin:\w+ restored/);
      // Exactly the organization the plan was made on: the admin's MFA off again, the created policy gone.
      expect(await state()).toEqual(before);
    });

    it("a state file that is not the simulator's: exit 2, one clean line", async () => {
      await writeFile(join(out, "demo-state.json"), '{"name": "x\u001b[2J", ');
      const { code, stdout, stderr } = await runCli(["remediate", ...args()], {});
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(
        /^jc-audit: --demo state .*demo-state\.json is not a simulator state \(.*\): remove it to start again from the demo organization\n$/,
      );
      expect(controlsIn(stderr)).toEqual([]);
    });

    it("a refused range leaves no state behind", async () => {
      const { code } = await runCli(["remediate", "--trusted-ranges", "10.0.0.0/8", ...args()], {});
      expect(code).toBe(2);
      await expect(stat(join(out, "demo-state.json"))).rejects.toMatchObject({ code: "ENOENT" });
    });
  });

  it("needs JC_API_KEY", async () => {
    const { code, stderr } = await runCli(["remediate", ...flags()], {});
    expect(code).toBe(2);
    expect(stderr).toMatch(/^jc-audit: JC_API_KEY is not set/);
  });
});
