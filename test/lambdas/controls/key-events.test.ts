import { describe, expect, it } from "vitest";
import { collectSnapshot } from "../../../lambdas/collect/collectors.js";
import { KEY_EVENT_CLASSES } from "../../../lambdas/collect/key-events.js";
import type { KeyEvents } from "../../../lambdas/collect/snapshot.js";
import { EngineError } from "../../../lambdas/engine/errors.js";
import { insightsEvent } from "../../../sim/presets/catalog.js";
import { auditControl, auditPreset, failing, hexId, NOW, useFreshSimulator } from "../../helpers/audit.js";
import { simClient } from "../../helpers/simulator.js";

const { sim, org } = useFreshSimulator();
let next = 0;
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
/** Adds a Directory Insights event to the organization. */
const add = (type: string, opts: { success?: boolean; ip?: string; at?: Date; service?: string } = {}) => {
  const event = insightsEvent(hexId(++next, "5fea"), org().organization._id as string, {
    type,
    service: opts.service ?? "directory",
    at: opts.at ?? hoursAgo(2),
    ip: opts.ip ?? "203.0.113.10",
    ...(opts.success !== undefined ? { success: opts.success } : {}),
  });
  org().events.push(event);
  return event;
};
/** A recorded-shape `sso_auth` event: no `success`, the outcome in `sso_token_success`. */
const ssoAuth = (ok: boolean) => {
  const event = add("sso_auth", { service: "sso" });
  delete event.success;
  event.sso_token_success = ok;
  return event;
};
const failedAdminLogins = (n: number, ip = "192.0.2.66") => {
  for (let i = 0; i < n; i++) add("admin_login_attempt", { success: false, ip });
};
const resultOf = (finding: Awaited<ReturnType<typeof auditControl>>, check: string) =>
  finding.results.find((r) => r.check === check);

describe("5.2 Key Events to Monitor", () => {
  it("PASS on compliant, with one result per class and the counts as evidence", async () => {
    const finding = await auditControl(sim(), "5.2");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toEqual({ PASS: 6, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.results.map((r) => `${r.resourceName}: ${r.check}`)).toEqual([
      "Admin logins: failed-admin-logins",
      "Admin changes: admin-changes",
      "MFA disabled or bypassed: mfa-disable",
      "Failed authentication: failed-authentication",
      "New device enrollment: new-devices",
      "Policy changes: policy-changes",
    ]);
    expect(finding.summary).toBe(
      "Over the last 24 h: 0 failed admin logins (at most 5), 0 failed authentications (at most 100), 0 MFA disable events (at most 0), 4 admin logins, 0 admin changes, 0 new devices and 0 policy changes.",
    );
    expect(finding.evidence?.counts).toEqual({
      adminLogins: 4,
      adminChanges: 0,
      mfaDisable: 0,
      failedAuthentication: 0,
      newDevices: 0,
      policyChanges: 0,
    });
    expect(finding.evidence?.failedAdminLoginsByIp).toEqual({});
    expect(resultOf(finding, "failed-admin-logins")?.message).toBe(
      "4 admin login attempts in the last 24 h, 0 failed; at most 5 accepted",
    );
  });

  it("FAIL when failed admin logins exceed maxFailedAdminLogins, naming the source addresses", async () => {
    failedAdminLogins(4, "192.0.2.66");
    failedAdminLogins(2, "198.51.100.9");
    const finding = await auditControl(sim(), "5.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Admin logins: failed-admin-logins"]);
    expect(resultOf(finding, "failed-admin-logins")).toMatchObject({
      message:
        "10 admin login attempts in the last 24 h, 6 failed (by source address: 192.0.2.66: 4, 198.51.100.9: 2); at most 5 accepted",
      observed: 6,
      expected: "≤ 5",
      measure: { value: 6, unit: "events", worseWhen: "higher" },
    });
    expect(finding.evidence?.failedAdminLoginsByIp).toEqual({ "192.0.2.66": 4, "198.51.100.9": 2 });
    expect(finding.summary).toMatch(
      /^Over the last 24 h: 6 failed admin logins \(at most 5\).*; over threshold: Admin logins\.$/,
    );
  });

  it("PASS at exactly maxFailedAdminLogins", async () => {
    failedAdminLogins(5);
    expect((await auditControl(sim(), "5.2")).status).toBe("PASS");
  });

  it("honours maxFailedAdminLogins in both directions", async () => {
    failedAdminLogins(6);
    expect(
      (await auditControl(sim(), "5.2", { thresholds: { "5.2": { maxFailedAdminLogins: 6 } } })).status,
    ).toBe("PASS");
    const strict = await auditControl(sim(), "5.2", { thresholds: { "5.2": { maxFailedAdminLogins: 0 } } });
    expect(failing(strict)).toEqual(["Admin logins: failed-admin-logins"]);
  });

  it("FAIL on any MFA disable by default; maxMfaDisableEvents raises the bar", async () => {
    add("totp_delete_enrollment", { success: true });
    const finding = await auditControl(sim(), "5.2");
    expect(failing(finding)).toEqual(["MFA disabled or bypassed: mfa-disable"]);
    expect(resultOf(finding, "mfa-disable")?.message).toBe(
      "1 MFA disable event in the last 24 h (admin_totp_disable, totp_delete_enrollment); at most 0 accepted",
    );
    const relaxed = await auditControl(sim(), "5.2", { thresholds: { "5.2": { maxMfaDisableEvents: 1 } } });
    expect(relaxed.status).toBe("PASS");
  });

  it("counts failed authentication as JumpCloud records it: success false, RADIUS attempts, SSO token failures", async () => {
    add("user_login_attempt", { success: false, service: "directory" });
    add("radius_auth_attempt", { success: false, service: "radius" });
    add("radius_auth", { success: false, service: "radius" });
    add("ldap_bind", { success: false, service: "ldap" });
    // Real sso_auth events carry no `success`: the outcome is `sso_token_success` (notes §12.4).
    ssoAuth(false);
    ssoAuth(true);
    add("login_attempt", { success: true, service: "systems" });
    add("radius_auth_attempt", { success: true, service: "radius" });
    // An event type missing from the documented list is tolerated and not counted.
    add("ldap_srch", { success: false, service: "ldap" });
    const finding = await auditControl(sim(), "5.2");
    expect(finding.status).toBe("PASS");
    expect(resultOf(finding, "failed-authentication")?.observed).toBe(5);
    expect(finding.evidence?.failedAuthenticationByKind).toEqual({
      "User Portal, device and LDAP": 2,
      RADIUS: 2,
      SSO: 1,
    });
    const strict = await auditControl(sim(), "5.2", {
      thresholds: { "5.2": { maxFailedAuthentications: 4 } },
    });
    expect(failing(strict)).toEqual(["Failed authentication: failed-authentication"]);
    expect(resultOf(strict, "failed-authentication")?.message).toBe(
      "5 failed authentications in the last 24 h (User Portal, device and LDAP 2, RADIUS 2, SSO 1); at most 4 accepted",
    );
  });

  it("FAIL on 70 failed RADIUS attempts plus 60 failed SSO logins in a day, though each kind alone is under 100", async () => {
    for (let i = 0; i < 70; i++) add("radius_auth_attempt", { success: false, service: "radius" });
    for (let i = 0; i < 60; i++) ssoAuth(false);
    const finding = await auditControl(sim(), "5.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Failed authentication: failed-authentication"]);
    expect(resultOf(finding, "failed-authentication")).toMatchObject({
      observed: 130,
      message:
        "130 failed authentications in the last 24 h (User Portal, device and LDAP 0, RADIUS 70, SSO 60); at most 100 accepted",
    });
  });

  it("reports admin changes, new devices and policy changes without failing", async () => {
    add("admin_create");
    add("user_admin_granted");
    add("system_create", { service: "systems" });
    add("authpolicy_update");
    add("policy_delete");
    add("organization_update");
    const finding = await auditControl(sim(), "5.2");
    expect(finding.status).toBe("PASS");
    expect(finding.evidence?.counts).toMatchObject({ adminChanges: 2, newDevices: 1, policyChanges: 3 });
    expect(resultOf(finding, "new-devices")).toMatchObject({
      message:
        "1 event in the last 24 h (system_create, device_enrollment), reported for review (no threshold)",
      measure: { value: 1, unit: "events", worseWhen: "higher" },
    });
  });

  it("counts only the window; windowHours widens or narrows it (the collector uses it)", async () => {
    for (let i = 0; i < 6; i++) add("admin_login_attempt", { success: false, at: hoursAgo(30) });
    add("admin_totp_disable", { at: hoursAgo(10) });
    const day = await auditControl(sim(), "5.2");
    expect(failing(day)).toEqual(["MFA disabled or bypassed: mfa-disable"]);
    const twoDays = await auditControl(sim(), "5.2", { thresholds: { "5.2": { windowHours: 48 } } });
    expect(failing(twoDays)).toEqual([
      "Admin logins: failed-admin-logins",
      "MFA disabled or bypassed: mfa-disable",
    ]);
    expect(twoDays.evidence?.window).toEqual({
      hours: 48,
      start: hoursAgo(48).toISOString(),
      end: NOW.toISOString(),
    });
    const sixHours = await auditControl(sim(), "5.2", { thresholds: { "5.2": { windowHours: 6 } } });
    expect(sixHours.status).toBe("PASS");
    expect(sixHours.summary).toMatch(/^Over the last 6 h: /);
  });

  it("counts failed admin logins across pages of events (more than 1,000)", async () => {
    for (let i = 0; i < 1050; i++) {
      add("admin_login_attempt", {
        success: false,
        ip: i < 1000 ? "192.0.2.66" : "198.51.100.9",
        at: new Date(hoursAgo(12).getTime() + i * 1000),
      });
    }
    const finding = await auditControl(sim(), "5.2");
    expect(resultOf(finding, "failed-admin-logins")?.observed).toBe(1050);
    expect(finding.evidence?.failedAdminLoginsByIp).toEqual({ "192.0.2.66": 1000, "198.51.100.9": 50 });
  });

  it.each([
    ["windowHours", 0],
    ["windowHours", 2161],
    ["maxFailedAdminLogins", -1],
    ["maxFailedAuthentications", "100"],
    ["maxMfaDisableEvents", -1],
    ["maxFailedAdminLoginsPerIp", 3],
  ] as const)("rejects %s = %j", async (name, value) => {
    const attempt = auditControl(sim(), "5.2", { thresholds: { "5.2": { [name]: value } } });
    await expect(attempt).rejects.toBeInstanceOf(EngineError);
    await expect(attempt).rejects.toMatchObject({ code: "INVALID_THRESHOLD" });
  });

  it.each(["/insights/directory/v1/events/count", "/insights/directory/v1/events"])(
    "ERROR, never PASS, when key events cannot be read (%s)",
    async (path) => {
      sim().faults.add({ kind: "status", status: 500, path });
      const finding = await auditControl(sim(), "5.2");
      expect(finding.status).toBe("ERROR");
      expect(finding.results).toEqual([]);
      expect(finding.error?.datasets).toMatchObject([{ dataset: "keyEvents", status: 500 }]);
    },
  );

  it("ERROR with the --plan hint when Directory Insights answers 403", async () => {
    sim().faults.add({ kind: "status", status: 403, path: "/insights/directory/v1/**" });
    const finding = await auditControl(sim(), "5.2");
    expect(finding.status).toBe("ERROR");
    expect(finding.summary).toMatch(/declare the plan \(--plan core\)/);
  });

  it.each(["free", "core"] as const)(
    "evaluated on the %s plan (basic Directory Insights exists on every plan), the window capped at its 15-day retention",
    async (plan) => {
      add("admin_totp_disable", { at: hoursAgo(400) }); // 16.7 days ago: beyond the plan's retention
      add("admin_totp_disable", { at: hoursAgo(300) });
      const daily = await auditControl(sim(), "5.2", { plan });
      expect(daily.status).toBe("PASS");
      expect(daily.summary).toMatch(/^Over the last 24 h: /);
      const month = await auditControl(sim(), "5.2", { plan, thresholds: { "5.2": { windowHours: 720 } } });
      expect(month.status).toBe("FAIL");
      expect(resultOf(month, "mfa-disable")?.observed).toBe(1);
      expect(month.summary).toMatch(
        new RegExp(
          `^Over the last 360 h \\(capped from 720 h by the ${plan === "free" ? "Free" : "Core"} plan's 15-day retention\\): `,
        ),
      );
      expect(month.evidence?.window).toMatchObject({
        hours: 360,
        cappedBy: { requestedHours: 720, retentionDays: 15 },
      });
    },
  );

  it("a Platform plan keeps the requested window (90-day retention)", async () => {
    add("admin_totp_disable", { at: hoursAgo(400) });
    const month = await auditControl(sim(), "5.2", {
      plan: "platform",
      thresholds: { "5.2": { windowHours: 720 } },
    });
    expect(resultOf(month, "mfa-disable")?.observed).toBe(1);
    expect(month.evidence?.window).not.toHaveProperty("cappedBy");
  });

  it("NOT_APPLICABLE when every Directory Insights endpoint answers 402", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/insights/directory/v1/**" });
    const finding = await auditControl(sim(), "5.2");
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.summary).toMatch(/answered 402/);
    expect(finding.error?.datasets).toMatchObject([
      { dataset: "keyEvents", code: "NOT_ON_PLAN", status: 402 },
    ]);
  });

  it("ERROR, not NOT_APPLICABLE, when one Directory Insights endpoint answers 402 and another answers", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/insights/directory/v1/events" });
    const finding = await auditControl(sim(), "5.2");
    expect(finding.status).toBe("ERROR");
    expect(finding.error?.datasets).toMatchObject([{ dataset: "keyEvents", code: "PLAN_INCONSISTENT" }]);
    expect(finding.summary).toMatch(/answered 402 on \/insights\/directory\/v1\/events but .* answered/);
  });

  it("demo: FAIL on the burst of failed admin logins and the TOTP disable, with data in every class", async () => {
    const finding = await auditPreset("demo", "5.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual([
      "Admin logins: failed-admin-logins",
      "MFA disabled or bypassed: mfa-disable",
    ]);
    expect(finding.evidence?.counts).toEqual({
      adminLogins: 10,
      adminChanges: 1,
      mfaDisable: 1,
      failedAuthentication: 7,
      newDevices: 1,
      policyChanges: 4,
    });
    expect(finding.evidence?.failedAdminLoginsByIp).toEqual({ "192.0.2.66": 6 });
  });
});

describe("keyEvents collector (lambdas/collect/key-events.ts through the simulator)", () => {
  const collect = async (hours = 24): Promise<KeyEvents> => {
    const collected = await collectSnapshot(simClient(sim()), ["keyEvents"], {
      orgId: org().organization._id as string,
      now: NOW,
      activityWindowHours: 24,
      keyEventsWindowHours: hours,
    });
    const entry = collected.keyEvents;
    if (!entry?.ok) throw new Error(`keyEvents not collected: ${JSON.stringify(entry)}`);
    return entry.data;
  };

  it("maps the guide's six classes to distinct documented event types; only failed authentication is failures-only", () => {
    const types = Object.values(KEY_EVENT_CLASSES).flatMap((c) => [...c.eventTypes]);
    expect(new Set(types).size).toBe(types.length);
    expect(Object.keys(KEY_EVENT_CLASSES)).toEqual([
      "adminLogins",
      "adminChanges",
      "mfaDisable",
      "failedAuthentication",
      "newDevices",
      "policyChanges",
    ]);
    expect(
      Object.entries(KEY_EVENT_CLASSES)
        .filter(([, c]) => c.queries.some((q) => q.where.length > 0))
        .map(([name]) => name),
    ).toEqual(["failedAuthentication"]);
    // Recorded names (notes §12.4) besides the documented ones.
    expect(KEY_EVENT_CLASSES.failedAuthentication.eventTypes).toEqual(
      expect.arrayContaining(["radius_auth_attempt", "radius_auth", "sso_auth"]),
    );
    // The update event of authentication policies is documented as `authpolicy_update` (notes §9).
    expect(KEY_EVENT_CLASSES.policyChanges.eventTypes).toContain("authpolicy_update");
  });

  it("counts every event of a class, successful or not, except the failures-only class", async () => {
    add("admin_update", { success: false });
    add("admin_update", { success: true });
    add("user_login_attempt", { success: true, service: "sso" });
    add("user_login_attempt", { success: false, service: "sso" });
    const data = await collect();
    expect(data.classes.adminChanges).toEqual({
      count: 2,
      eventTypes: [...KEY_EVENT_CLASSES.adminChanges.eventTypes],
    });
    expect(data.classes.failedAuthentication.count).toBe(1);
    // 4 successful routine admin logins of the compliant preset: all counted as admin logins, none failed.
    expect(data.classes.adminLogins.count).toBe(4);
    expect(data.failedAdminLogins).toBe(0);
  });

  it("groups failed admin logins by client_ip, `not reported` when the event has none", async () => {
    failedAdminLogins(2, "192.0.2.66");
    delete add("admin_login_attempt", { success: false }).client_ip;
    add("admin_login_attempt", { success: true, ip: "192.0.2.66" });
    const data = await collect();
    expect(data.failedAdminLogins).toBe(3);
    expect(data.failedAdminLoginsByIp).toEqual({ "192.0.2.66": 2, "not reported": 1 });
  });

  it("uses the window it is given", async () => {
    add("system_create", { at: hoursAgo(30), service: "systems" });
    expect((await collect(24)).classes.newDevices.count).toBe(0);
    const wide = await collect(48);
    expect(wide.classes.newDevices.count).toBe(1);
    expect([wide.windowHours, wide.start, wide.end]).toEqual([
      48,
      hoursAgo(48).toISOString(),
      NOW.toISOString(),
    ]);
  });
});
