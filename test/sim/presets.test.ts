/** The built-in scenarios (sim/presets/): they build, validate, and `large` is deterministic. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
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
    expect(PRESET_NAMES).toEqual(["compliant", "demo", "large", "free", "core"]);
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

  it("timestamps are relative to now", () => {
    const org = only(buildPreset("compliant", NOW));
    const times = org.events.map((e) => Date.parse(String(e.timestamp)));
    expect(Math.max(...times)).toBeLessThan(NOW.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW.getTime() - 24 * 3_600_000);
  });
});

describe("compliant", () => {
  it("has the documented sizes on the platform plan", () => {
    const scenario = buildPreset("compliant", NOW);
    const org = only(scenario);
    expect(scenario.plan).toBe("platform");
    expect([org.admins.length, org.systemUsers.length, org.systems.length]).toEqual([4, 24, 9]);
    expect(org.admins.every((a) => a.enableMultiFactor === true && a.totpEnrolled === true)).toBe(true);
    expect(org.policyStatuses.every((s) => s.success === true)).toBe(true);
  });
});

describe("free and core", () => {
  it.each(["free", "core"] as const)(
    "%s has no Conditional Access data and Directory Insights off",
    (plan) => {
      const scenario = buildPreset(plan, NOW);
      const org = only(scenario);
      expect(scenario.plan).toBe(plan);
      expect(org.authnPolicies).toEqual([]);
      expect(org.ipLists).toEqual([]);
      expect(org.events).toEqual([]);
      expect((org.organization.settings as { features: Doc }).features.directoryInsights).toEqual({
        enabled: false,
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
