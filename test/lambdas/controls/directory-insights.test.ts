import { describe, expect, it } from "vitest";
import { EngineError } from "../../../lambdas/engine/errors.js";
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
