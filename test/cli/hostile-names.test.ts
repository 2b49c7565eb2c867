/**
 * Hostile names on the simulator, through the real CLI: device names and failed-login usernames and
 * user agents carrying ESC sequences, forged lines, Slack mentions and links, and 60,000 characters.
 * The table and `detect` output stay clean (no control character, no forged line, one line per
 * value), and `detect --format json` masks a RADIUS shared secret.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderRemediation } from "../../cli/render-plan.js";
import type { RemediationPlan } from "../../lambdas/remediation/record.js";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import type { Doc } from "../../sim/query.js";
import { event, userAuth } from "../detections/events.js";
import { runCli } from "../helpers/cli.js";
import { EVERY_HOSTILE_CLASS, FORGED_LINE, HOSTILE, UNSAFE } from "../lambdas/shared/hostile.js";

const EVIL = EVERY_HOSTILE_CLASS;
const LONG = `${EVIL}${HOSTILE.long}`.slice(0, 60_000);

let out: string;
let sim: RunningSimulator;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), "jc-hostile-"));
  sim = await startSimulator({ scenario: "compliant" });
});
afterEach(async () => {
  await sim.close();
  await rm(out, { recursive: true, force: true });
});

const org = () => sim.scenario.organizations[0] as (typeof sim.scenario.organizations)[number];
const target = () => ["--base-url", sim.url, "--insights-url", sim.insightsUrl];
const env = () => ({ JC_API_KEY: sim.apiKey });

/** Adds a macOS system without MFA at login, named `name`. */
function addFailingSystem(name: string, index: number): void {
  const template = org().systems.find((s) => s.osFamily === "darwin");
  if (!template) throw new Error("no macOS system in the compliant preset");
  org().systems.push({
    ...structuredClone(template),
    _id: `5e${String(index).padStart(22, "0")}`,
    displayName: name,
    hostname: name,
    allowMultiFactorAuthentication: false,
  } as Doc);
}

/** No match of `pattern` in `text` (a failure shows the match and where, not 60,000 characters). */
function expectNone(pattern: RegExp, text: string): void {
  const found = pattern.exec(text);
  expect(found ? { match: JSON.stringify(found[0]), at: found.index } : null).toBeNull();
}

/** Clean terminal text: no control or bidi character, no forged status line, no line over `width`. */
function expectCleanTable(stdout: string, width = 120): void {
  expectNone(UNSAFE, stdout);
  expectNone(FORGED_LINE, stdout);
  expect(Math.max(...stdout.split("\n").map((line) => line.length))).toBeLessThanOrEqual(width);
}

describe("jc-audit run with hostile device names", () => {
  it("the table (first run, then the regression) is clean, one line per value; findings keep the names whole", async () => {
    const first = await runCli(["run", "--controls", "2.2", "--out", out, ...target()], env());
    expect(first.code).toBe(0);

    addFailingSystem(EVIL, 1);
    addFailingSystem(LONG, 2);
    addFailingSystem(`${HOSTILE.here} ${HOSTILE.user}`, 3);
    const second = await runCli(["run", "--controls", "2.2", "--out", out, ...target()], env());
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(/^FAIL\s+2\.2 /m);
    expect(second.stdout).toMatch(/Regressions since the last run \(\d+\):/);
    // Not a terminal: lines are not cut to a width (each value is still capped: a name at 256
    // characters, a message at 512), so a resource line is whole.
    expectCleanTable(second.stdout, 800);
    expect(second.stdout).toMatch(/^ {12}✗ .*<https:\/\/evil\.example\|click here>: MFA at login is off$/m);
    // Neutralized, not hidden: the forged text is visible inside the value's own line.
    expect(second.stdout).toContain("x PASS   2.2 Enforce MFA");
    expect(second.stdout).toContain("\uFFFDwiped");

    const json = await runCli(
      ["run", "--controls", "2.2", "--format", "json", "--out", out, ...target()],
      env(),
    );
    expectNone(UNSAFE, json.stdout);
    const report = JSON.parse(json.stdout) as { controls: { results: { resourceName: string }[] }[] };
    expect(report.controls[0]?.results.map((r) => r.resourceName)).toEqual(
      expect.arrayContaining([EVIL, LONG]),
    );
  });
});

describe("jc-audit detect with hostile usernames and user agents", () => {
  /** A burst of 10 failed logins from one address by hostile usernames, and a RADIUS secret change. */
  function hostileEvents(): void {
    const events = org().events;
    events.splice(0);
    const start = Date.now() - 30 * 60_000;
    const names = [
      EVIL,
      LONG,
      HOSTILE.channel,
      HOSTILE.link,
      `${HOSTILE.forgedLine}\n${HOSTILE.windowTitle}`,
    ];
    for (let i = 0; i < 10; i++) {
      const name = names[i % names.length] as string;
      events.push(
        userAuth("user_login_attempt", false, {
          at: start + i * 30_000,
          client_ip: "203.0.113.77",
          username: name,
          initiated_by: { type: "user", username: name },
          useragent: name,
        }) as Doc,
      );
    }
    events.push(
      event("radiusserver_update", {
        at: start + 10 * 60_000,
        resource: { type: "radius_server", name: EVIL },
        changes: [{ field: "sharedSecret", from: "old-S3cret-value", to: "new-S3cret-value" }],
      }) as Doc,
    );
  }

  it("the table is clean: usernames neutralized, one line each, and the burst is still reported", async () => {
    hostileEvents();
    const { stdout, stderr } = await runCli(["detect", "--since", "1h", ...target()], env());
    expect(stdout).toMatch(/JumpCloud User Authentication Brute Force From One Address · 10 event\(s\)/);
    expect(stdout).toMatch(/JumpCloud RADIUS Server Created, Modified or Deleted/);
    expectCleanTable(stdout, 800);
    expectNone(UNSAFE, stderr);
    expect(stdout).toContain("(failed) by \uFFFD\uFFFDwiped");
    expect(stdout).toContain("by <!channel> wake up from 203.0.113.77");
  });

  it("--format json is terminal-safe, parses back to the events, and masks the shared secret", async () => {
    hostileEvents();
    const { stdout } = await runCli(["detect", "--since", "1h", "--format", "json", ...target()], env());
    expectNone(UNSAFE, stdout);
    expectNone(/S3cret/, stdout);
    const report = JSON.parse(stdout) as {
      matches: { title: string; events: { username?: string; changes?: unknown[] }[] }[];
    };
    const burst = report.matches.find((m) => m.title.startsWith("JumpCloud User Authentication Brute Force"));
    // JSON keeps the exact value (escaped as \u001b etc.), so tools reading it see what JumpCloud holds.
    expect(burst?.events.map((e) => e.username)).toContain(EVIL);
    const radius = report.matches.find((m) => m.title.startsWith("JumpCloud RADIUS Server"));
    expect(radius?.events[0]?.changes).toEqual([
      { field: "sharedSecret", from: "[REDACTED]", to: "[REDACTED]" },
    ]);
  });
});

describe("jc-audit remediate's table with hostile names and a hostile requestedBy", () => {
  it("every line is clean and no value starts a line", () => {
    // Only what the table reads; a stored plan may hold anything, so the renderer trusts none of it.
    const plan = {
      planId: "rp-20261203T084807Z-82ee9e2f",
      orgId: "5f0000000000000000000001",
      status: "planned",
      requestedBy: `mallory\u2028PASS   2.2 Enforce MFA ${HOSTILE.windowTitle}`,
      reason: `${HOSTILE.forgedLine} ${HOSTILE.screenClear}`,
      expiresAt: "2026-12-04T08:48:07.000Z",
      controls: [
        {
          controlId: "2.2",
          title: "Configure MFA for System Access",
          statusBefore: "FAIL",
          automated: "opt-in",
          manualSteps: [],
          warnings: [`${EVIL} is inactive`],
          actions: [
            {
              kind: "system-flag",
              id: "2.2:system:5e0000000000000000000001:allowMultiFactorAuthentication",
              controlId: "2.2",
              systemId: "5e0000000000000000000001",
              flag: "allowMultiFactorAuthentication",
              resource: { type: "system", id: "5e0000000000000000000001", name: LONG },
              field: "allowMultiFactorAuthentication",
              description: `Set allowMultiFactorAuthentication to true on ${LONG}`,
              before: false,
              after: true,
            },
          ],
        },
      ],
    } as unknown as RemediationPlan;
    const text = renderRemediation({ ok: true, mode: "plan", noop: false, plan }, false);
    expectNone(UNSAFE, text);
    expectNone(FORGED_LINE, text);
    expectNone(/^\s*PASS/m, text);
    expect(Math.max(...text.split("\n").map((line) => line.length))).toBeLessThanOrEqual(1010);
    expect(text).toContain(
      "requested by mallory PASS   2.2 Enforce MFA \uFFFDtitle (x PASS   2.2 Enforce MFA",
    );
  });
});
