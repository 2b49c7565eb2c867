/**
 * 4.1 on the shapes real tenants send (notes §12.1/§12.2), as pure audits over hand-built data: the
 * lock-screen `timeout` in seconds as a JSON number, typed values found by `configFieldName`, field
 * definitions from the template, systems' `fde`, and odd types that must never PASS nor sink the control.
 */
import { describe, expect, it } from "vitest";
import type { DevicePolicy } from "../../../lambdas/collect/snapshot.js";
import { systemPolicies } from "../../../lambdas/controls/system-policies.js";
import type { ResourceResult } from "../../../lambdas/controls/types.js";
import { statusFromResults } from "../../../lambdas/engine/findings.js";
import type { JcSystem } from "../../../lambdas/jumpcloud/types.js";

const NOW = new Date("2026-11-28T12:00:00.000Z");
const MAC = "5f0000000000000000000001";
const KINDS = [
  ["lock_screen_darwin", "Lock Screen"],
  ["filevault_2_darwin", "FileVault 2"],
  ["local_firewall_controls_darwin", "Local Firewall Controls"],
  ["software_update_settings_darwin", "Software Update Settings"],
] as const;

/** One compliant macOS system and its four policies, the lock screen set to 300 seconds. */
function compliant(): { systems: JcSystem[]; devicePolicies: DevicePolicy[] } {
  const systems: JcSystem[] = [
    { _id: MAC, hostname: "mac-001", osFamily: "darwin", fde: { active: true, keyPresent: true } },
  ];
  const devicePolicies = KINDS.map(([name, displayName], i): DevicePolicy => {
    const id = `5f100000000000000000000${i}`;
    const lock = name === "lock_screen_darwin";
    return {
      id,
      name: `${displayName} (darwin)`,
      template: { id: `5f200000000000000000000${i}`, name, displayName, osMetaFamily: "darwin" },
      values: lock ? [{ configFieldID: "f1", configFieldName: "timeout", value: 300 }] : [],
      configFields: lock ? [{ id: "f1", name: "timeout", label: "Timeout", displayType: "number" }] : [],
      configFieldsSource: "policy",
      statuses: [
        { policyID: id, systemID: MAC, success: true, state: "success", endedAt: NOW.toISOString() },
      ],
    };
  });
  return { systems, devicePolicies };
}

function audit(data = compliant()) {
  const outcome = systemPolicies.audit(data, { maxScreenLockMinutes: 5 }, NOW);
  return { ...outcome, status: outcome.status ?? statusFromResults(outcome.results) };
}
const lockPolicy = (data: ReturnType<typeof compliant>) => data.devicePolicies[0] as DevicePolicy;
const timeoutResult = (results: ResourceResult[]) => results.find((r) => r.check === "screen-lock-timeout");
const withTimeout = (value: unknown, extra: Record<string, unknown> = {}) => {
  const data = compliant();
  lockPolicy(data).values = [{ configFieldID: "f1", configFieldName: "timeout", value, ...extra }];
  return data;
};

describe("4.1 lock-screen timeout as real tenants send it", () => {
  it("PASS at 300 (a JSON number of seconds: 5 minutes)", () => {
    const outcome = audit();
    expect(outcome.status).toBe("PASS");
    expect(timeoutResult(outcome.results)).toMatchObject({
      status: "PASS",
      observed: 5,
      message: 'Locks after 5 minutes of inactivity (timeout ("Timeout") = 300 seconds); expected at most 5',
    });
  });

  it("FAIL at 900 (15 minutes), naming the policy", () => {
    const outcome = audit(withTimeout(900));
    expect(outcome.status).toBe("FAIL");
    expect(timeoutResult(outcome.results)).toMatchObject({
      status: "FAIL",
      resourceName: "Lock Screen (darwin)",
      observed: 15,
      measure: { value: 15, unit: "minutes", worseWhen: "higher" },
    });
    expect(outcome.summary).toMatch(
      /0 of 1 screen-lock policies lock within 5 minutes \(Lock Screen \(darwin\): 15 minutes\)/,
    );
  });

  it("reads a numeric string the same way", () => {
    expect(timeoutResult(audit(withTimeout("900")).results)?.status).toBe("FAIL");
    expect(timeoutResult(audit(withTimeout(" 300 ")).results)?.status).toBe("PASS");
  });

  it("minutes only when the label says so", () => {
    const data = withTimeout(5);
    lockPolicy(data).configFields = [{ id: "f1", name: "timeout", label: "Lock after (minutes)" }];
    expect(timeoutResult(audit(data).results)).toMatchObject({ status: "PASS", observed: 5 });
    const seconds = withTimeout(5);
    expect(timeoutResult(audit(seconds).results)).toMatchObject({ status: "PASS", observed: 5 / 60 });
  });

  it("finds the value by configFieldName without any field definitions (the policy lacks configFields)", () => {
    const data = withTimeout(900);
    lockPolicy(data).configFields = undefined;
    lockPolicy(data).configFieldsSource = "none";
    expect(timeoutResult(audit(data).results)).toMatchObject({ status: "FAIL", observed: 15 });
  });

  it("finds the value by field id through the template's definitions when the value has no configFieldName", () => {
    const data = compliant();
    lockPolicy(data).values = [{ configFieldID: "f9", value: 900 }];
    lockPolicy(data).configFields = [{ id: "f9", name: "timeout", label: "Timeout" }];
    lockPolicy(data).configFieldsSource = "template";
    expect(timeoutResult(audit(data).results)).toMatchObject({ status: "FAIL", observed: 15 });
  });

  it("a missing value is MANUAL for that policy, naming the template default; the control's FAILs still stand", () => {
    const data = compliant();
    lockPolicy(data).values = [];
    lockPolicy(data).configFields = [{ id: "f1", name: "timeout", label: "Timeout", defaultValue: 600 }];
    (data.devicePolicies[2] as DevicePolicy).statuses[0] = { systemID: MAC, success: false, state: "failed" };
    const outcome = audit(data);
    expect(outcome.status).toBe("FAIL");
    expect(timeoutResult(outcome.results)).toMatchObject({ status: "MANUAL" });
    expect(timeoutResult(outcome.results)?.message).toMatch(
      /no value set for timeout \("Timeout"\) \(the template's default is 600\)/,
    );
    expect(outcome.results.find((r) => r.check === "firewall" && r.resourceName === "mac-001")?.status).toBe(
      "FAIL",
    );
  });

  it.each([
    ["a boolean", true],
    ["a list", [300]],
    ["an object", { seconds: 300 }],
    ["a word", "five minutes"],
  ])("a timeout that is %s is an ERROR for that policy only, never PASS", (_what, value) => {
    const outcome = audit(withTimeout(value));
    expect(timeoutResult(outcome.results)?.status).toBe("ERROR");
    expect(timeoutResult(outcome.results)?.message).toMatch(/expected a number/);
    expect(outcome.status).toBe("ERROR");
    expect(outcome.results.filter((r) => r.status === "PASS").length).toBeGreaterThan(0);
  });

  it.each([
    ["null", null],
    ["zero (may mean never)", 0],
  ])("a timeout of %s is MANUAL", (_what, value) => {
    expect(timeoutResult(audit(withTimeout(value)).results)?.status).toBe("MANUAL");
  });

  it("values that are not a list are an ERROR for the timeout, not a crash", () => {
    const data = compliant();
    lockPolicy(data).values = "timeout=300";
    const outcome = audit(data);
    expect(timeoutResult(outcome.results)?.status).toBe("ERROR");
  });

  it("two fields that look like a timeout are MANUAL (ambiguous)", () => {
    const data = withTimeout(300);
    (lockPolicy(data).values as unknown[]).push({
      configFieldID: "f2",
      configFieldName: "idle_time",
      value: 1200,
    });
    expect(timeoutResult(audit(data).results)?.status).toBe("MANUAL");
  });

  it("a field named otherwise without a unit is MANUAL (unknown unit)", () => {
    const data = compliant();
    lockPolicy(data).values = [{ configFieldName: "idle_time", value: 300 }];
    lockPolicy(data).configFields = [];
    expect(timeoutResult(audit(data).results)?.message).toMatch(/in an unknown unit/);
  });
});

describe("4.1 per-system evidence and odd types", () => {
  const diskResult = (results: ResourceResult[]) =>
    results.find((r) => r.check === "disk-encryption" && r.resourceType === "system");

  it("a disk the agent reports unencrypted FAILs even though the policy succeeded", () => {
    const data = compliant();
    (data.systems[0] as JcSystem).fde = { active: false, keyPresent: false };
    expect(diskResult(audit(data).results)).toMatchObject({
      status: "FAIL",
      message: "the agent reports the disk is not encrypted (fde.active false)",
    });
  });

  it("an encrypted disk without an escrowed key is left for review", () => {
    const data = compliant();
    (data.systems[0] as JcSystem).fde = { active: true, keyPresent: false };
    expect(diskResult(audit(data).results)?.status).toBe("MANUAL");
  });

  it("a system without fde is judged by the policy result alone", () => {
    const data = compliant();
    delete (data.systems[0] as JcSystem).fde;
    expect(diskResult(audit(data).results)?.status).toBe("PASS");
  });

  it("fde of another type is never PASS", () => {
    const data = compliant();
    (data.systems[0] as unknown as Record<string, unknown>).fde = "on";
    expect(diskResult(audit(data).results)?.status).toBe("MANUAL");
  });

  it("a policy result whose success is not a boolean is an ERROR for that system, never PASS", () => {
    const data = compliant();
    (data.devicePolicies[2] as DevicePolicy).statuses[0] = {
      systemID: MAC,
      success: "yes" as unknown as boolean,
    };
    const firewall = audit(data).results.find((r) => r.check === "firewall" && r.resourceType === "system");
    expect(firewall?.status).toBe("ERROR");
    expect(firewall?.message).toMatch(/result unreadable \(success is "yes"\)/);
  });

  it('"true"/"false" strings are read as booleans', () => {
    const data = compliant();
    (data.devicePolicies[2] as DevicePolicy).statuses[0] = {
      systemID: MAC,
      success: "false" as unknown as boolean,
    };
    const firewall = audit(data).results.find((r) => r.check === "firewall" && r.resourceType === "system");
    expect(firewall?.status).toBe("FAIL");
  });

  it("a system whose osFamily is not reported is MANUAL, not silently skipped", () => {
    const data = compliant();
    data.systems.push({ _id: "5f0000000000000000000009", hostname: "mystery" });
    const outcome = audit(data);
    expect(outcome.results.find((r) => r.resourceName === "mystery")).toMatchObject({
      status: "MANUAL",
      check: "os-family",
    });
    expect(outcome.status).toBe("MANUAL");
  });

  it("templates with odd names or types do not throw", () => {
    const data = compliant();
    data.devicePolicies.push({
      id: "5f1000000000000000000099",
      name: "weird",
      template: { id: "x", name: 42 as unknown as string, displayName: null as unknown as string },
      values: null,
      configFields: { not: "a list" },
      configFieldsSource: "policy",
      statuses: [{ systemID: 7 as unknown as string, success: true }],
    });
    const outcome = audit(data);
    expect(outcome.status).toBe("PASS");
    expect(outcome.evidence?.unrecognisedTemplates).toEqual(["42"]);
  });
});
