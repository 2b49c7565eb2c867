import { describe, expect, it } from "vitest";
import { deviceTrust } from "../../../lambdas/controls/device-trust.js";
import { statusFromResults } from "../../../lambdas/engine/findings.js";
import type { AuthnPolicy } from "../../../lambdas/jumpcloud/types.js";
import { deviceTrustPolicy } from "../../../sim/presets/builders.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl, auditPreset, failing, hexId, useFreshSimulator } from "../../helpers/audit.js";

const { sim, org } = useFreshSimulator();
const trustPolicy = () =>
  org().authnPolicies.find((p) => p.name === "Managed and encrypted devices only") as Doc;
const BOTH = ["Managed devices required: device-managed", "Encrypted devices required: device-encrypted"];

describe("3.2 Configure Device Trust", () => {
  it("PASS when an enabled policy denies unmanaged and unencrypted devices for all users", async () => {
    const finding = await auditControl(sim(), "3.2");
    expect(finding.status).toBe("PASS");
    expect(finding.counts).toEqual({ PASS: 2, FAIL: 0, MANUAL: 0, MUTED: 0, ERROR: 0 });
    expect(finding.results.map((r) => `${r.resourceName}: ${r.check}`)).toEqual(BOTH);
    expect(finding.results[0]?.message).toBe(
      "Required by Managed and encrypted devices only (deny, all users)",
    );
    expect(finding.results[0]?.observed).toEqual({
      policy: "Managed and encrypted devices only",
      effect: "deny",
      targets: "all users",
      condition: "not(all(deviceManaged: true, deviceEncrypted: true))",
    });
    expect(finding.summary).toBe(
      "Of 3 enabled conditional-access policies: managed devices required by Managed and encrypted devices only (deny, all users); encrypted devices required by Managed and encrypted devices only (deny, all users) (expected an enabled policy denying or requiring MFA for unmanaged and unencrypted devices, for all users).",
    );
  });

  it("FAIL for both requirements when there is no device-trust policy", async () => {
    org().authnPolicies = org().authnPolicies.filter((p) => p !== trustPolicy());
    const finding = await auditControl(sim(), "3.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(BOTH);
    expect(finding.results.map((r) => r.message)).toEqual([
      "No enabled policy has a deviceManaged condition",
      "No enabled policy has a deviceEncrypted condition",
    ]);
    expect(finding.summary).toMatch(
      /^Of 2 enabled conditional-access policies: managed devices not required; encrypted devices not required/,
    );
  });

  it("FAIL when the device-trust policy is disabled", async () => {
    trustPolicy().disabled = true;
    const finding = await auditControl(sim(), "3.2");
    expect(failing(finding)).toEqual(BOTH);
    expect(finding.evidence?.devicePolicies).toEqual([
      {
        name: "Managed and encrypted devices only",
        enabled: false,
        effect: "deny",
        targets: "all users",
        condition: "not(all(deviceManaged: true, deviceEncrypted: true))",
      },
    ]);
  });

  it("FAIL when a policy only relaxes access for managed devices", async () => {
    Object.assign(trustPolicy(), { conditions: { deviceManaged: true }, effect: { action: "allow" } });
    const finding = await auditControl(sim(), "3.2");
    expect(failing(finding)).toEqual(BOTH);
    expect(finding.results[0]?.message).toBe(
      "No enabled policy blocks or steps up devices that are not managed; Managed and encrypted devices only uses deviceManaged without doing so",
    );
  });

  it("one result per requirement: managed required, encrypted not", async () => {
    trustPolicy().conditions = { deviceManaged: false };
    const finding = await auditControl(sim(), "3.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(["Encrypted devices required: device-encrypted"]);
    expect(finding.results[0]?.status).toBe("PASS");
  });

  it("PASS when the policy requires MFA (additional authentication) for non-compliant devices, deep in the tree", async () => {
    Object.assign(trustPolicy(), {
      conditions: {
        any: [{ not: { not: { deviceManaged: false } } }, { all: [{ not: { deviceEncrypted: true } }] }],
      },
      effect: { action: "allow", obligations: { mfa: { required: true } } },
    });
    const finding = await auditControl(sim(), "3.2");
    expect(finding.status).toBe("PASS");
    expect(finding.results[1]?.message).toBe(
      "Required by Managed and encrypted devices only (require MFA, all users)",
    );
  });

  it("MANUAL when the policy targets one group only", async () => {
    trustPolicy().targets = {
      userGroups: { inclusions: ["5f1b00000000000000000001"] },
      resources: [{ type: "user_portal" }],
    };
    const finding = await auditControl(sim(), "3.2");
    expect(finding.status).toBe("MANUAL");
    expect(failing(finding, "MANUAL")).toEqual(BOTH);
    expect(finding.results[0]?.message).toBe(
      "Required only in part: Managed and encrypted devices only (deny, user groups 5f1b00000000000000000001); check that the users and situations left out do not need managed devices",
    );
  });

  it("MANUAL when the policy excludes a group", async () => {
    (trustPolicy().targets as Doc).userGroups = { exclusions: ["5f1b00000000000000000002"] };
    const finding = await auditControl(sim(), "3.2");
    expect(failing(finding, "MANUAL")).toEqual(BOTH);
    expect(finding.results[1]?.message).toMatch(
      /\(deny, all users except user groups 5f1b00000000000000000002\)/,
    );
  });

  it("MANUAL when the policy blocks non-compliant devices only outside a trusted network", async () => {
    const corporate = org().ipLists[0]?.id as string;
    trustPolicy().conditions = {
      all: [
        { not: { ipAddressIn: [corporate] } },
        { not: { all: [{ deviceManaged: true }, { deviceEncrypted: true }] } },
      ],
    };
    const finding = await auditControl(sim(), "3.2");
    expect(failing(finding, "MANUAL")).toEqual(BOTH);
    expect(finding.results[0]?.message).toBe(
      `Required only in part: Managed and encrypted devices only (deny, all users) only when all(not(ipAddressIn [${corporate}]), not(all(deviceManaged: true, deviceEncrypted: true))); check that the users and situations left out do not need managed devices`,
    );
  });

  it("PASS when another condition only widens the block (any)", async () => {
    trustPolicy().conditions = {
      any: [
        { not: { locationIn: { countries: ["US"] } } },
        { deviceManaged: false },
        { deviceEncrypted: false },
      ],
    };
    expect((await auditControl(sim(), "3.2")).status).toBe("PASS");
  });

  it("FAIL for both when there are no policies at all", async () => {
    org().authnPolicies = [];
    const finding = await auditControl(sim(), "3.2");
    expect(failing(finding)).toEqual(BOTH);
    expect(finding.summary).toMatch(/^Of 0 enabled conditional-access policies/);
  });

  it("finds the enabled device policy beyond the first page (>100 policies)", async () => {
    org().authnPolicies = org().authnPolicies.filter((p) => p !== trustPolicy());
    for (let i = 0; i < 150; i++) {
      org().authnPolicies.push({
        ...deviceTrustPolicy(hexId(i, "5f05"), `device-${i}`),
        disabled: i !== 140,
        conditions: { deviceManaged: false },
      });
    }
    const finding = await auditControl(sim(), "3.2");
    expect(failing(finding)).toEqual(["Encrypted devices required: device-encrypted"]);
    expect(finding.results[0]?.message).toBe("Required by device-140 (deny, all users)");
    expect(finding.evidence?.devicePolicies).toHaveLength(150);
  });

  it("rejects a threshold override (the control has none)", async () => {
    await expect(
      auditControl(sim(), "3.2", { thresholds: { "3.2": { minPolicies: 1 } } }),
    ).rejects.toMatchObject({
      code: "INVALID_THRESHOLD",
      message: 'Control 3.2 has no threshold "minPolicies" (it has none)',
    });
  });

  it("ERROR when authentication policies cannot be read", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/v2/authn/policies" });
    const finding = await auditControl(sim(), "3.2");
    expect(finding.status).toBe("ERROR");
    expect(finding.results).toEqual([]);
    expect(finding.error).toMatchObject({
      code: "SERVER_ERROR",
      datasets: [{ dataset: "authnPolicies", status: 500 }],
    });
  });

  it("NOT_APPLICABLE on a declared plan without Conditional Access", async () => {
    const finding = await auditControl(sim(), "3.2", { plan: "free" });
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.summary).toBe(
      "Conditional Access is not part of the Free plan (it needs Platform or Platform Plus).",
    );
    expect(finding.results).toEqual([]);
  });

  it("ERROR with the --plan hint when the plan is undeclared and the API answers 403", async () => {
    sim().scenario.plan = "core";
    const finding = await auditControl(sim(), "3.2");
    expect(finding.status).toBe("ERROR");
    expect(finding.error?.datasets).toMatchObject([
      { dataset: "authnPolicies", code: "FORBIDDEN", status: 403 },
    ]);
    expect(finding.summary).toMatch(/declare the plan \(--plan core\)/);
  });

  it("NOT_APPLICABLE when the API answers 402 (not on plan)", async () => {
    // Every Conditional Access endpoint must say so: a 402 beside a 200 is no plan (issue 9).
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/authn/policies" });
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/iplists" });
    const finding = await auditControl(sim(), "3.2");
    expect(finding.status).toBe("NOT_APPLICABLE");
    expect(finding.summary).toMatch(/answered 402/);
  });

  it("demo: FAIL for both requirements (no device-trust policy)", async () => {
    const finding = await auditPreset("demo", "3.2");
    expect(finding.status).toBe("FAIL");
    expect(failing(finding)).toEqual(BOTH);
    expect(finding.evidence?.devicePolicies).toEqual([]);
  });
});

/**
 * Pure audits over hand-built data: a device-trust verdict rests only on values fully read; odd or missing
 * values give ERROR or MANUAL for the requirement they concern, and the other requirement's verdict stands.
 */
describe("3.2 on odd data (tolerant reading, check isolation)", () => {
  const NOW = new Date("2026-11-28T12:00:00.000Z");
  const policyDoc = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: "5f0500000000000000000009",
    name: "Managed and encrypted devices only",
    disabled: false,
    conditions: { not: { all: [{ deviceManaged: true }, { deviceEncrypted: true }] } },
    effect: { action: "deny" },
    targets: { users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] },
    ...over,
  });
  const run = (policies: unknown[]) => {
    const outcome = deviceTrust.audit({ authnPolicies: policies as AuthnPolicy[] }, {}, NOW);
    return { ...outcome, status: statusFromResults(outcome.results) };
  };
  const statuses = (outcome: ReturnType<typeof run>) => outcome.results.map((r) => `${r.check}: ${r.status}`);

  it('PASS on the compliant shape; a device flag sent as the string "true" is read as true', () => {
    expect(run([policyDoc()]).status).toBe("PASS");
    const stringly = run([
      policyDoc({ conditions: { not: { all: [{ deviceManaged: "true" }, { deviceEncrypted: "TRUE" }] } } }),
    ]);
    expect(stringly.status).toBe("PASS");
  });

  it.each([
    ["a number", 1],
    ["a word", "yes"],
    ["a list", [true]],
    ["an object", { value: true }],
    ["null", null],
  ])("a deviceManaged value of %s is never PASS, naming the path", (_kind, value) => {
    const outcome = run([
      policyDoc({ conditions: { not: { all: [{ deviceManaged: value }, { deviceEncrypted: true }] } } }),
    ]);
    expect(outcome.results[0]).toMatchObject({
      check: "device-managed",
      status: "ERROR",
      message: expect.stringMatching(/conditions\.not\.all\[0\]\.deviceManaged is /),
    });
    expect(outcome.results.some((r) => r.status === "PASS")).toBe(false);
  });

  it.each([
    [
      "`effect.action` a number",
      { effect: { action: 1 } },
      "ERROR",
      /effect\.action is 1 \(expected a string\)/,
    ],
    [
      "`effect.action` not in the enum",
      { effect: { action: "block" } },
      "ERROR",
      /effect\.action is "block"/,
    ],
    ["`effect` absent", { effect: undefined }, "MANUAL", /effect is not reported/],
    [
      "`mfa.required` a word",
      { effect: { action: "allow", obligations: { mfa: { required: "yes" } } } },
      "ERROR",
      /effect\.obligations\.mfa\.required is "yes"/,
    ],
    [
      "user inclusions a string",
      { targets: { users: { inclusions: "ALL" } } },
      "ERROR",
      /targets\.users\.inclusions is "ALL" \(expected a list\)/,
    ],
    [
      "group exclusions holding a number",
      { targets: { users: { inclusions: ["ALL"] }, userGroups: { exclusions: [5] } } },
      "ERROR",
      /targets\.userGroups\.exclusions\[0\] is 5/,
    ],
    ["`targets` absent", { targets: undefined }, "MANUAL", /targets is not reported/],
    ["`disabled` absent", { disabled: undefined }, "MANUAL", /disabled is not reported/],
    ["`disabled` a number", { disabled: 0 }, "ERROR", /disabled is 0 \(expected a boolean\)/],
  ])("%s: both requirements not PASS, with the reason", (_kind, over, status, reason) => {
    const outcome = run([policyDoc(over)]);
    expect(statuses(outcome)).toEqual([`device-managed: ${status}`, `device-encrypted: ${status}`]);
    expect(outcome.results[0]?.message).toMatch(reason);
  });

  it("an unknown condition kind around a device condition is MANUAL, not FAIL", () => {
    const outcome = run([policyDoc({ conditions: { not: { deviceCheck: [{ deviceManaged: true }] } } })]);
    expect(statuses(outcome)).toEqual(["device-managed: MANUAL", "device-encrypted: FAIL"]);
    expect(outcome.results[0]?.message).toMatch(
      /kinds this audit does not know \(deviceCheck\) around deviceManaged/,
    );
  });

  it("a condition that is not an object at all is never a FAIL as if it had no device condition", () => {
    expect(statuses(run([policyDoc({ conditions: "deviceManaged" })]))).toEqual([
      "device-managed: ERROR",
      "device-encrypted: ERROR",
    ]);
  });

  it("one requirement meeting unjudgeable data leaves the other's FAIL standing: the control is FAIL", () => {
    const outcome = run([policyDoc({ conditions: { deviceEncrypted: 5 } })]);
    expect(outcome.status).toBe("FAIL");
    expect(statuses(outcome)).toEqual(["device-managed: FAIL", "device-encrypted: ERROR"]);
    expect(outcome.results[1]?.message).toMatch(/conditions\.deviceEncrypted is 5 \(expected a boolean\)/);
    expect(outcome.summary).toMatch(/managed devices not required; encrypted devices not known/);
  });

  it("a readable policy still PASSes beside one that cannot be read", () => {
    const outcome = run([
      policyDoc(),
      policyDoc({ id: "x", name: "Odd", conditions: { deviceManaged: [] } }),
    ]);
    expect(statuses(outcome)).toEqual(["device-managed: PASS", "device-encrypted: PASS"]);
  });
});
