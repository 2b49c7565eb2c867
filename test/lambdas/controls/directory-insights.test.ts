import { describe, expect, it } from "vitest";
import type { InsightsActivity } from "../../../lambdas/collect/snapshot.js";
import { directoryInsights } from "../../../lambdas/controls/directory-insights.js";
import { EngineError } from "../../../lambdas/engine/errors.js";
import { statusFromResults } from "../../../lambdas/engine/findings.js";
import type { Organization } from "../../../lambdas/jumpcloud/types.js";
import { startSimulator } from "../../../sim/index.js";
import { insightsEvent } from "../../../sim/presets/catalog.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl, auditPreset, failing, hexId, NOW, useFreshSimulator } from "../../helpers/audit.js";

const { sim, org } = useFreshSimulator();
const features = () => (org().organization.settings as Doc).features as Doc;
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const loginAt = (n: number, at: Date) =>
  insightsEvent(hexId(n, "5fea"), org().organization._id as string, {
    type: "user_login_attempt",
    service: "sso",
    at,
    success: true,
    actor: { username: `user${n}`, type: "systemuser" },
  });

describe("5.1 Enable Directory Insights", () => {
  it("PASS when Directory Insights is enabled and events arrive", async () => {
    const finding = await auditControl(sim(), "5.1");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toEqual({ PASS: 2, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.summary).toBe(
      "Directory Insights is enabled (expected enabled) and recorded 46 events in the last 24 h (expected at least one).",
    );
    expect(finding.results.find((r) => r.check === "event-activity")).toMatchObject({
      resourceName: "Acme Secure",
      observed: 46,
      measure: { value: 46, unit: "events", worseWhen: "lower" },
    });
    expect(finding.evidence).toEqual({
      enabled: true,
      window: { hours: 24, start: hoursAgo(24).toISOString(), end: NOW.toISOString() },
      eventCount: 46,
    });
  });

  it("FAIL when Directory Insights is disabled in the organization settings", async () => {
    features().directoryInsights = { enabled: false };
    const finding = await auditControl(sim(), "5.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Acme Secure: directory-insights-enabled"]);
    expect(finding.results.find((r) => r.status === "FAIL")?.message).toBe(
      "Directory Insights is disabled in the organization settings",
    );
    expect(finding.summary).toMatch(/^Directory Insights is disabled \(expected enabled\)/);
  });

  it("MANUAL when the API does not report the setting", async () => {
    delete features().directoryInsights;
    const finding = await auditControl(sim(), "5.1");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(["Acme Secure: directory-insights-enabled"]);
  });

  it("FAIL when the audit log is silent (no event in the window)", async () => {
    org().events = [];
    const finding = await auditControl(sim(), "5.1");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Acme Secure: event-activity"]);
    expect(finding.results.find((r) => r.status === "FAIL")).toMatchObject({
      message: `Audit log silent: no Directory Insights event between ${hoursAgo(24).toISOString()} and ${NOW.toISOString()} (24 h)`,
      observed: 0,
      measure: { value: 0, unit: "events", worseWhen: "lower" },
    });
    expect(finding.summary).toMatch(
      /recorded 0 events in the last 24 h \(expected at least one: the audit log is silent\)\.$/,
    );
  });

  it("counts only events inside the window; activityWindowHours widens it", async () => {
    org().events = [loginAt(1, hoursAgo(30))];
    expect(failing(await auditControl(sim(), "5.1"))).toEqual(["Acme Secure: event-activity"]);
    const wider = await auditControl(sim(), "5.1", { thresholds: { "5.1": { activityWindowHours: 48 } } });
    expect(wider.status).toBe("PASS");
    expect(wider.summary).toMatch(/recorded 1 event in the last 48 h/);
  });

  it("activityWindowHours narrows the window too", async () => {
    org().events = [loginAt(1, hoursAgo(10))];
    expect((await auditControl(sim(), "5.1")).status).toBe("PASS");
    const narrower = await auditControl(sim(), "5.1", { thresholds: { "5.1": { activityWindowHours: 6 } } });
    expect(failing(narrower)).toEqual(["Acme Secure: event-activity"]);
  });

  it.each([0, 2161, "24"])("rejects activityWindowHours %j", async (value) => {
    const attempt = auditControl(sim(), "5.1", { thresholds: { "5.1": { activityWindowHours: value } } });
    await expect(attempt).rejects.toBeInstanceOf(EngineError);
    await expect(attempt).rejects.toMatchObject({ code: "INVALID_THRESHOLD" });
  });

  it("counts more events than a page holds", async () => {
    for (let i = 0; i < 1500; i++) org().events.push(loginAt(i, new Date(hoursAgo(20).getTime() + i * 1000)));
    const finding = await auditControl(sim(), "5.1");
    expect(finding.results.find((r) => r.check === "event-activity")?.observed).toBe(1546);
  });

  it("ERROR when the organization cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/organizations/*" });
    const finding = await auditControl(sim(), "5.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error?.datasets).toMatchObject([{ dataset: "organization", status: 500 }]);
  });

  it("ERROR, never PASS, when the event count cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/insights/directory/v1/events/count" });
    const finding = await auditControl(sim(), "5.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error?.datasets).toMatchObject([{ dataset: "insightsActivity", status: 500 }]);
  });

  it("ERROR with the --plan hint when Directory Insights answers 403", async () => {
    sim().faults.add({ kind: "status", status: 403, path: "/insights/directory/v1/events/count" });
    const finding = await auditControl(sim(), "5.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.summary).toMatch(/declare the plan \(--plan core\)/);
  });

  it("evaluated on a declared Core plan: basic Directory Insights exists on every plan (notes §12.4)", async () => {
    const finding = await auditControl(sim(), "5.1", { plan: "core" });
    expect(finding.status).toBe("PASS");
    expect(finding.results.map((r) => `${r.check}: ${r.status}`)).toEqual([
      "directory-insights-enabled: PASS",
      "event-activity: PASS",
    ]);
  });

  it("--plan free evaluates over at most the plan's 15 days, and the summary says the window was capped", async () => {
    org().events = [loginAt(1, hoursAgo(400))]; // 16.7 days ago: beyond Free's retention
    const month = await auditControl(sim(), "5.1", {
      plan: "free",
      thresholds: { "5.1": { activityWindowHours: 720 } },
    });
    expect(failing(month)).toEqual(["Acme Secure: event-activity"]);
    expect(month.summary).toMatch(
      /recorded 0 events in the last 360 h \(capped from 720 h by the Free plan's 15-day retention\)/,
    );
    expect(month.evidence?.window).toMatchObject({
      hours: 360,
      cappedBy: { requestedHours: 720, retentionDays: 15 },
    });
    org().events = [loginAt(1, hoursAgo(300))];
    expect(
      (
        await auditControl(sim(), "5.1", {
          plan: "free",
          thresholds: { "5.1": { activityWindowHours: 720 } },
        })
      ).status,
    ).toBe("PASS");
  });

  it("NOT_APPLICABLE when JumpCloud answers 402 (plan without Directory Insights, not declared)", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/insights/directory/v1/events/count" });
    const finding = await auditControl(sim(), "5.1");
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.summary).toMatch(/answered 402/);
    expect(finding.error?.datasets).toMatchObject([
      { dataset: "insightsActivity", code: "NOT_ON_PLAN", status: 402 },
    ]);
  });

  it("demo: PASS (Directory Insights on, events arriving)", async () => {
    const finding = await auditPreset("demo", "5.1");
    expect(finding.status).toBe("PASS");
    expect(finding.summary).toMatch(/enabled \(expected enabled\) and recorded 69 events in the last 24 h/);
  });

  it("core preset: evaluated (Directory Insights answers on every plan)", async () => {
    const core = await startSimulator({ scenario: "core", now: () => NOW });
    try {
      expect((await auditControl(core, "5.1")).status).toBe("PASS");
    } finally {
      await core.close();
    }
  });
});

/**
 * Pure audits over hand-built data: `settings.features.directoryInsights.enabled` absent is not false, of
 * another type is not true, and an event count that is not a count is never a PASS; each check's verdict
 * stands beside the other's doubt.
 */
describe("5.1 on odd data (tolerant reading, check isolation)", () => {
  const LIMITS = { activityWindowHours: 24 } as const;
  const START = new Date(NOW.getTime() - 24 * 3_600_000).toISOString();
  const orgDoc = (settings: unknown) => ({
    _id: "5f0100000000000000000001",
    displayName: "Acme Secure",
    settings,
  });
  const enabledAs = (enabled: unknown) => orgDoc({ features: { directoryInsights: { enabled } } });
  const activity = (eventCount: unknown) => ({
    windowHours: 24,
    start: START,
    end: NOW.toISOString(),
    eventCount,
  });
  const run = (organization: unknown, insightsActivity: unknown = activity(12)) => {
    const outcome = directoryInsights.audit(
      { organization: organization as Organization, insightsActivity: insightsActivity as InsightsActivity },
      LIMITS,
      NOW,
    );
    return { ...outcome, status: statusFromResults(outcome.results) };
  };
  const rows = (outcome: ReturnType<typeof run>) => outcome.results.map((r) => `${r.check}: ${r.status}`);

  it.each([
    [true, "PASS"],
    ["true", "PASS"],
    [false, "FAIL"],
    ["FALSE", "FAIL"],
  ])("enabled %j is read as a boolean: %s", (enabled, status) => {
    expect(run(enabledAs(enabled)).results[0]?.status).toBe(status);
  });

  it.each([
    [
      "a word",
      enabledAs("yes"),
      "ERROR",
      /settings\.features\.directoryInsights\.enabled is "yes" \(expected a boolean\)/,
    ],
    ["a number", enabledAs(1), "ERROR", /settings\.features\.directoryInsights\.enabled is 1/],
    ["a list", enabledAs([true]), "ERROR", /enabled is \[true\] \(expected a boolean\)/],
    ["an object", enabledAs({ value: true }), "ERROR", /enabled is \{"value":true\}/],
    ["null", enabledAs(null), "MANUAL", /did not report features\.directoryInsights\.enabled/],
    ["absent", orgDoc({ features: { directoryInsights: {} } }), "MANUAL", /did not report/],
    [
      "directoryInsights a boolean",
      orgDoc({ features: { directoryInsights: true } }),
      "ERROR",
      /settings\.features\.directoryInsights is true \(expected an object\)/,
    ],
    [
      "features a list",
      orgDoc({ features: [] }),
      "ERROR",
      /settings\.features is \[\] \(expected an object\)/,
    ],
    ["settings a string", orgDoc("on"), "ERROR", /settings is "on" \(expected an object\)/],
    ["settings absent", orgDoc(undefined), "MANUAL", /did not report/],
  ])("enabled as %s is never PASS nor FAIL", (_kind, organization, status, reason) => {
    const outcome = run(organization);
    expect(outcome.results[0]).toMatchObject({
      check: "directory-insights-enabled",
      status,
      message: expect.stringMatching(reason),
    });
    expect(rows(outcome)).toEqual([`directory-insights-enabled: ${status}`, "event-activity: PASS"]);
    expect(outcome.summary).toMatch(
      /^Directory Insights is (not reported|unreadable \(.+\)) \(expected enabled\)/,
    );
  });

  it.each([
    ["a word", "many"],
    ["a negative number", -1],
    ["a fraction", 2.5],
    ["a list", [12]],
    ["an object", { count: 12 }],
    ["null", null],
  ])("an event count that is %s is ERROR naming it, never PASS", (_kind, eventCount) => {
    const outcome = run(enabledAs(true), activity(eventCount));
    expect(rows(outcome)).toEqual(["directory-insights-enabled: PASS", "event-activity: ERROR"]);
    expect(outcome.results[1]?.message).toMatch(
      /^The Directory Insights event count could not be read: eventCount is /,
    );
    expect(outcome.summary).toMatch(/its event count could not be read/);
  });

  it("an event count sent as a numeric string is read", () => {
    expect(run(enabledAs(true), activity("12")).results[1]).toMatchObject({ status: "PASS", observed: 12 });
  });

  it("either check meeting unjudgeable data leaves the other's FAIL standing: the control is FAIL", () => {
    const silent = run(enabledAs("yes"), activity(0));
    expect(silent.status).toBe("FAIL");
    expect(rows(silent)).toEqual(["directory-insights-enabled: ERROR", "event-activity: FAIL"]);
    const disabled = run(enabledAs(false), "not-an-object");
    expect(disabled.status).toBe("FAIL");
    expect(rows(disabled)).toEqual(["directory-insights-enabled: FAIL", "event-activity: ERROR"]);
    expect(disabled.summary).toMatch(
      /^Directory Insights is disabled \(expected enabled\) and its event count could not be read/,
    );
  });

  it("the planner plans from a value it read (or one not reported), never from one of another type", () => {
    const plan = (organization: unknown) =>
      directoryInsights.remediation.plan?.(
        { organization: organization as Organization, insightsActivity: activity(0) as InsightsActivity },
        {},
      );
    expect(plan(enabledAs("false"))?.actions.map((a) => a.before)).toEqual([false]);
    expect(plan(orgDoc({}))?.actions.map((a) => a.before)).toEqual([null]);
    expect(plan(enabledAs("true"))?.actions).toEqual([]);
    const odd = plan(enabledAs("yes"));
    expect(odd?.actions).toEqual([]);
    expect(odd?.warnings).toEqual([
      'Not planned: settings.features.directoryInsights.enabled is "yes" (expected a boolean); enable Directory Insights by hand in Settings → Directory Insights.',
    ]);
  });
});
