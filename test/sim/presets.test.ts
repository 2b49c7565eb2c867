/** The built-in scenarios (sim/presets/): they build, validate, and `large` is deterministic. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LOCK_TIMEOUT_FIELD } from "../../sim/presets/catalog.js";
import { HISTORY_DAYS } from "../../sim/presets/compliant.js";
import { buildPreset, isPresetName, PRESET_NAMES } from "../../sim/presets/index.js";
import { largeScenario } from "../../sim/presets/large.js";
import type { Doc } from "../../sim/query.js";
import { parseScenario, type Scenario } from "../../sim/scenario.js";
import { NOW } from "./support.js";

const SMALL = { users: 500, systems: 60 };
const hash = (scenario: Scenario) => createHash("sha256").update(JSON.stringify(scenario)).digest("hex");
const only = (scenario: Scenario) => {
  const [org] = scenario.organizations;
  if (!org || scenario.organizations.length !== 1) throw new Error("expected one organization");
  return org;
};

describe("every preset", () => {
  it("is listed and recognised", () => {
    expect(PRESET_NAMES).toEqual(["compliant", "demo", "large", "free", "core", "legacy"]);
    expect(isPresetName("demo")).toBe(true);
    expect(isPresetName("Demo")).toBe(false);
  });

  it.each(PRESET_NAMES)("%s builds a valid scenario with unique ids", (name) => {
    const scenario = buildPreset(name, NOW, SMALL);
    expect(scenario.name).toBe(name);
    expect(parseScenario(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
    const org = only(scenario);
    for (const [key, idField] of [
      ["admins", "_id"],
      ["systemUsers", "_id"],
      ["systems", "_id"],
      ["radiusServers", "_id"],
      ["authnPolicies", "id"],
      ["ipLists", "id"],
      ["policies", "id"],
      ["policyStatuses", "id"],
      ["policyTemplates", "id"],
      ["events", "id"],
    ] as const) {
      const ids = (org[key] as Doc[]).map((d) => d[idField]);
      expect(new Set(ids).size, `${name}.${key}`).toBe(ids.length);
    }
  });

  it("timestamps are relative to now: the last 24 hours, and daily history back to HISTORY_DAYS", () => {
    const org = only(buildPreset("compliant", NOW));
    const times = org.events.map((e) => Date.parse(String(e.timestamp)));
    expect(Math.max(...times)).toBeLessThan(NOW.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW.getTime() - HISTORY_DAYS * DAY);
    // Some history is older than the 15-day retention of Free/Core, so that retention is observable.
    expect(times.filter((t) => t < NOW.getTime() - 15 * DAY).length).toBeGreaterThan(0);
    expect(times.filter((t) => t >= NOW.getTime() - DAY)).toHaveLength(46);
  });

  it.each(PRESET_NAMES)("%s names device-policy templates <snake_case>_<os> (notes §12.1)", (name) => {
    const org = only(buildPreset(name, NOW, SMALL));
    const names = org.policyTemplates.map((t) => String(t.name));
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*_(darwin|windows|linux)$/);
    expect(names).toEqual(expect.arrayContaining(["lock_screen_darwin", "system_updates_windows"]));
    for (const t of org.policyTemplates) expect(t.name).toMatch(new RegExp(`_${t.osMetaFamily}$`));
  });

  it.each(PRESET_NAMES)("%s stores typed policy values matching their fields' display types", (name) => {
    const org = only(buildPreset(name, NOW, SMALL));
    const seen = new Set<string>();
    for (const policy of org.policies) {
      const tmpl = org.policyTemplates.find((t) => t.id === (policy.template as Doc).id) as Doc;
      expect("configFields" in policy, String(policy.name)).toBe(false);
      expect("configFields" in (policy.template as Doc)).toBe(false);
      const fields = tmpl.configFields as Doc[];
      expect(fields.length, String(tmpl.name)).toBeGreaterThan(0);
      for (const value of policy.values as Doc[]) {
        expect(Object.keys(value).sort()).toEqual(["configFieldID", "configFieldName", "sensitive", "value"]);
        const field = fields.find((f) => f.id === value.configFieldID) as Doc;
        expect(field.name).toBe(value.configFieldName);
        const type = Array.isArray(value.value) ? "array" : typeof value.value;
        expect(type, `${tmpl.name}.${field.name}`).toBe(EXPECTED_TYPE[String(field.displayType)]);
        seen.add(type);
      }
    }
    expect([...seen].sort()).toEqual(["array", "boolean", "number", "string"]);
  });
});

/** JSON type of a value per config-field display type (notes §12.1). */
const EXPECTED_TYPE: Record<string, string> = {
  number: "number",
  checkbox: "boolean",
  multilist: "array",
  select: "string",
  text: "string",
};

const DAY = 86_400_000;
const lockTimeout = (org: ReturnType<typeof only>, template: string) =>
  ((org.policies.find((p) => (p.template as Doc).name === template)?.values as Doc[]) ?? []).find(
    (v) => v.configFieldName === "timeout",
  )?.value;

describe("compliant", () => {
  it("has the documented sizes on the platform plan", () => {
    const scenario = buildPreset("compliant", NOW);
    const org = only(scenario);
    expect(scenario.plan).toBe("platform");
    expect([org.admins.length, org.systemUsers.length, org.systems.length]).toEqual([4, 24, 9]);
    expect(org.admins.every((a) => a.enableMultiFactor === true && a.totpEnrolled === true)).toBe(true);
    expect(org.policyStatuses.every((s) => s.success === true)).toBe(true);
  });

  it("locks macOS and Linux after 300 seconds, Windows after 5 (its label says minutes)", () => {
    const org = only(buildPreset("compliant", NOW));
    expect(lockTimeout(org, "lock_screen_darwin")).toBe(300);
    expect(lockTimeout(org, "lock_screen_linux")).toBe(300);
    expect(lockTimeout(org, "lock_screen_windows")).toBe(5);
    const windows = org.policyTemplates.find((t) => t.name === "lock_screen_windows") as Doc;
    expect((windows.configFields as Doc[])[0]?.label).toBe("Timeout (minutes)");
    const darwin = org.policyTemplates.find((t) => t.name === "lock_screen_darwin") as Doc;
    expect((darwin.configFields as Doc[])[0]).toMatchObject({ id: LOCK_TIMEOUT_FIELD, label: "Timeout" });
  });

  it("every system reports full-disk encryption active with a key (notes §12.2)", () => {
    const org = only(buildPreset("compliant", NOW));
    for (const system of org.systems) expect(system.fde).toEqual({ active: true, keyPresent: true });
  });
});

describe("demo", () => {
  const org = () => only(buildPreset("demo", NOW));
  const inLastDay = (events: Doc[]) =>
    events.filter((e) => Date.parse(String(e.timestamp)) >= NOW.getTime() - DAY);

  it("locks macOS after 900 seconds (15 minutes) and has no LUKS policy", () => {
    const o = org();
    expect(lockTimeout(o, "lock_screen_darwin")).toBe(900);
    expect(o.policies.some((p) => (p.template as Doc).name === "luks_full_disk_encryption_linux")).toBe(
      false,
    );
  });

  it("systems whose BitLocker result failed or is missing report fde inactive; the others active", () => {
    const o = org();
    const bitlocker = o.policies.find((p) => (p.template as Doc).name === "bitlocker_windows") as Doc;
    const results = o.policyStatuses.filter((s) => s.policyID === bitlocker.id);
    const windows = o.systems.filter((s) => s.osFamily === "windows");
    const ok = new Set(results.filter((r) => r.success === true).map((r) => r.systemID));
    const notEncrypted = windows.filter((s) => !ok.has(s._id)).map((s) => s.hostname);
    expect(notEncrypted).toHaveLength(3);
    for (const system of o.systems) {
      const expected = notEncrypted.includes(system.hostname);
      expect(system.fde, String(system.hostname)).toEqual({ active: !expected, keyPresent: !expected });
    }
  });

  it("adds 2 failed radius_auth_attempt and 2 failed sso_auth in the last 24 h, each from its own address", () => {
    const day = inLastDay(org().events);
    const radius = day.filter((e) => e.event_type === "radius_auth_attempt" && e.success === false);
    const sso = day.filter((e) => e.event_type === "sso_auth" && e.sso_token_success === false);
    expect(radius).toHaveLength(2);
    expect(sso).toHaveLength(2);
    const ips = [...radius, ...sso].map((e) => e.client_ip);
    expect(new Set(ips).size).toBe(4);
    expect(day.filter((e) => e.event_type === "user_login_attempt" && e.success === false)).toHaveLength(3);
  });

  it("carries event types absent from the documented list (notes §12.4)", () => {
    const types = new Set(org().events.map((e) => e.event_type));
    for (const type of ["command_result", "policy_result", "ldap_srch", "radius_auth_attempt"])
      expect(types.has(type), type).toBe(true);
    expect(types.has("radius_auth")).toBe(false);
  });
});

describe("legacy", () => {
  it("is compliant in the older shape: users without state or mfaEnrollment, detail without configFields", () => {
    const legacy = buildPreset("legacy", NOW);
    const compliant = only(buildPreset("compliant", NOW));
    const org = only(legacy);
    expect(legacy.plan).toBe("platform");
    expect(legacy.omitPolicyConfigFields).toBe(true);
    expect(org.systemUsers).toHaveLength(compliant.systemUsers.length);
    for (const user of org.systemUsers) {
      expect("state" in user).toBe(false);
      expect("mfaEnrollment" in user).toBe(false);
      expect(user).toMatchObject({
        activated: true,
        suspended: false,
        totp_enabled: true,
        enable_user_portal_multifactor: true,
        mfa: { exclusion: false, configured: true },
      });
      expect(Object.keys(user.mfa as Doc).sort()).toEqual(["configured", "exclusion"]);
    }
    expect(org.policies.map((p) => p.values)).toEqual(compliant.policies.map((p) => p.values));
    expect(org.policyStatuses.every((s) => s.success === true)).toBe(true);
  });
});

describe("free and core", () => {
  it.each(["free", "core"] as const)(
    "%s has no Conditional Access data but keeps Directory Insights and the demo's events",
    (plan) => {
      const scenario = buildPreset(plan, NOW);
      const org = only(scenario);
      expect(scenario.plan).toBe(plan);
      expect(org.authnPolicies).toEqual([]);
      expect(org.ipLists).toEqual([]);
      // Retention (15 days) is applied by the Insights route, not by the data.
      expect(org.events).toEqual(only(buildPreset("demo", NOW)).events);
      expect((org.organization.settings as { features: Doc }).features.directoryInsights).toEqual({
        enabled: true,
      });
    },
  );

  it("free keeps at most 10 users", () => {
    expect(only(buildPreset("free", NOW)).systemUsers).toHaveLength(10);
    expect(only(buildPreset("core", NOW)).systemUsers.length).toBeGreaterThan(10);
  });
});

describe("large", () => {
  it("honours the sizes", () => {
    const org = only(buildPreset("large", NOW, SMALL));
    expect([org.systemUsers.length, org.systems.length]).toEqual([500, 60]);
  });

  it("is deterministic for one seed and differs for another", () => {
    const a = largeScenario(NOW, { users: 2000, systems: 200, seed: 7 });
    const b = largeScenario(NOW, { users: 2000, systems: 200, seed: 7 });
    const c = largeScenario(NOW, { users: 2000, systems: 200, seed: 8 });
    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).not.toBe(hash(c));
  });

  it("about 3% of users lack MFA", () => {
    const org = only(largeScenario(NOW, { users: 2000, systems: 10 }));
    const without = org.systemUsers.filter((u) => u.totp_enabled === false).length;
    expect(without).toBeGreaterThan(20);
    expect(without).toBeLessThan(120);
  });

  it("defaults to 100000 users and 20000 systems", () => {
    const scenario = largeScenario(NOW);
    const org = only(scenario);
    expect(org.systemUsers).toHaveLength(100_000);
    expect(org.systems).toHaveLength(20_000);
    expect(scenario.plan).toBe("platform_plus");
  });
});
