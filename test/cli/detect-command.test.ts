import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../sim/index.js";
import { startSimulator } from "../../sim/index.js";
import { event, userAuth } from "../detections/events.js";
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

  it("on real-shaped events: RADIUS and SSO failures count together; each change of an update is judged on its own", async () => {
    const events = sim.scenario.organizations[0]?.events;
    if (!events) throw new Error("demo organization missing");
    events.splice(0);
    const start = Date.now() - 30 * 60_000;
    const ip = "203.0.113.200";
    const add = (e: object) => events.push(e as Record<string, unknown>);
    // 5 failed RADIUS logins and 5 failed SSO logins (no `success`, `sso_token_success: false`) in 5 minutes.
    for (let i = 0; i < 5; i++) {
      add(userAuth("radius_auth_attempt", false, { at: start + i * 60_000, client_ip: ip }));
      add(userAuth("sso_auth", false, { at: start + i * 60_000 + 30_000, client_ip: ip }));
    }
    // Failed logins without an address: not pooled into a burst of their own.
    for (let i = 0; i < 10; i++) {
      add(userAuth("radius_auth_attempt", false, { at: start + i * 10_000, client_ip: undefined }));
    }
    const change = (field: string, from: unknown, to: unknown) => ({ field, from, to });
    // Directory Insights off while another setting is turned on: detected.
    add(
      event("organization_update", {
        at: start + 10 * 60_000,
        changes: [
          change("settings.passwordPolicy.needsSymbolic", false, true),
          change("settings.features.directoryInsights.enabled", true, false),
        ],
      }),
    );
    // Admin MFA turned ON while another field goes to false: not "MFA disabled".
    add(
      event("admin_update", {
        at: start + 11 * 60_000,
        changes: [change("enableMultiFactor", false, true), change("suspended", true, false)],
      }),
    );
    const { code, stdout } = await runCli(["detect", "--since", "1h", "--format", "json", ...flags()], {
      JC_API_KEY: sim.apiKey,
    });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as {
      events: number;
      matches: { title: string; group?: Record<string, string>; events: { event_type: string }[] }[];
    };
    expect(report.events).toBe(22);
    const titles = report.matches.map((m) => m.title);
    expect(titles).toContain("JumpCloud Directory Insights Disabled");
    expect(titles).not.toContain("JumpCloud Administrator MFA Disabled");
    const bursts = report.matches.filter(
      (m) => m.title === "JumpCloud User Authentication Brute Force From One Address",
    );
    expect(bursts.map((m) => m.group)).toEqual([{ client_ip: ip }]);
    expect(bursts[0]?.events.map((e) => e.event_type).sort()).toEqual([
      ...Array(5).fill("radius_auth_attempt"),
      ...Array(5).fill("sso_auth"),
    ]);
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
