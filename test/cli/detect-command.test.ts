import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../sim/index.js";
import { startSimulator } from "../../sim/index.js";
import { runCli } from "../helpers/cli.js";

let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({ scenario: "demo" });
});
afterEach(async () => {
  await sim.close();
});
const flags = () => ["--base-url", sim.url, "--insights-url", sim.insightsUrl];

describe("jc-audit detect", () => {
  it("prints the demo's matches, the failed-admin-login burst among them, and exits 1", async () => {
    const { code, stdout } = await runCli(["detect", "--since", "24h", ...flags()], {
      JC_API_KEY: sim.apiKey,
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /HIGH\s+JumpCloud Admin Portal Login Brute Force From One Address · 6 event\(s\) · client_ip=192\.0\.2\.66/,
    );
    expect(stdout).toMatch(/JumpCloud Administrator MFA Disabled/);
    expect(stdout).not.toMatch(/User Authentication Brute Force/);
    expect(sim.writes()).toEqual([]);
  });

  it("--format json lists matches with their events", async () => {
    const { stdout } = await runCli(["detect", "--since", "24h", "--format", "json", ...flags()], {
      JC_API_KEY: sim.apiKey,
    });
    const report = JSON.parse(stdout) as {
      rules: number;
      matches: { title: string; group?: Record<string, string>; events: unknown[] }[];
    };
    expect(report.rules).toBeGreaterThanOrEqual(20);
    const burst = report.matches.find(
      (m) => m.title === "JumpCloud Admin Portal Login Brute Force From One Address",
    );
    expect(burst).toMatchObject({ group: { client_ip: "192.0.2.66" } });
    expect(burst?.events).toHaveLength(6);
  });

  it("exits 0 when nothing matches", async () => {
    sim.scenario.organizations[0]?.events.splice(0);
    const { code, stdout } = await runCli(["detect", "--since", "1h", ...flags()], {
      JC_API_KEY: sim.apiKey,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/No rule matched\./);
  });

  it.each([
    [
      ["detect", "--since", "yesterday"],
      /^jc-audit: --since must be a duration like 30m, 24h or 7d, at most 90d; got "yesterday"\n$/,
    ],
    [["detect", "--since", "91d"], /^jc-audit: --since must be a duration/],
    [
      ["detect", "--rules", "/nonexistent"],
      /^jc-audit: Cannot read the rules folder \/nonexistent: ENOENT\n$/,
    ],
    [["detect", "--format", "csv"], /^jc-audit: --format must be table or json/],
  ])("exit 2 and one line for %j", async (args, message) => {
    const { code, stderr } = await runCli([...args, ...flags()], { JC_API_KEY: sim.apiKey });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(sim.requests).toEqual([]);
  });
});
