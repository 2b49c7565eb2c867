/** Automated remediations (1.1, 2.1, 3.1, 5.1), each from `compliant` with one thing broken, through plan → apply → apply → rollback. */
import { describe, expect, it } from "vitest";
import { planActions } from "../../../lambdas/remediation/record.js";
import { planRemediation } from "../../../lambdas/remediation/service.js";
import type { Doc } from "../../../sim/query.js";
import { rejection } from "../../helpers/simulator.js";
import { lifecycle, rows, settingsOf, useHarness, WHO, writeLines } from "./harness.js";

const harness = useHarness();

const ALL_USERS_POLICY = "Require MFA - All Users";
const CREATED_MFA_POLICY = "Require MFA - All Users (jc-audit)";
const TRUSTED_LIST = "Trusted corporate networks (jc-audit)";
const OUTSIDE_POLICY = "MFA outside trusted networks (jc-audit)";

describe("1.1 admin MFA", () => {
  it("requires MFA on the one admin lacking it, and rolls it back", async () => {
    const h = harness();
    const bob = h.org.admins.find((a) => a.email === "bob.admin@example.com") as Doc;
    bob.enableMultiFactor = false; // totpEnrolled stays true, so 1.1 can PASS once MFA is required

    const { plan, applyWrites, rollbackWrites } = await lifecycle(h, {
      controlId: "1.1",
      request: { controls: ["1.1"] },
      state: () => h.org.admins,
    });

    expect(rows(plan)).toEqual(["bob.admin@example.com enableMultiFactor: false → true"]);
    expect(planActions(plan)[0]).toMatchObject({
      kind: "admin-mfa",
      resource: { type: "admin", id: bob._id, name: "bob.admin@example.com" },
    });
    expect(applyWrites.map((w) => [w.method, w.path, w.body])).toEqual([
      ["PUT", `/api/users/${bob._id}`, { enableMultiFactor: true }],
    ]);
    expect(rollbackWrites.map((w) => [w.method, w.path, w.body])).toEqual([
      ["PUT", `/api/users/${bob._id}`, { enableMultiFactor: false }],
    ]);
  });

  it("plans nothing for 1.1 by default when every admin already requires MFA", async () => {
    const h = harness();
    const plan = await planRemediation(h.deps(), { ...WHO });
    expect(planActions(plan)).toEqual([]);
    expect(plan.controls.map((c) => [c.controlId, c.statusBefore])).toEqual([
      ["1.1", "PASS"],
      ["2.1", "PASS"],
      ["3.1", "PASS"],
      ["5.1", "PASS"],
    ]);
    expect(writeLines(h.sim)).toEqual([]);
  });
});

describe("2.1 organization-wide MFA", () => {
  it("creates the all-users policy with the corrected body when none exists", async () => {
    const h = harness();
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== ALL_USERS_POLICY);

    const { plan, applyWrites, rollbackWrites, afterApply } = await lifecycle(h, {
      controlId: "2.1",
      request: { controls: ["2.1"] },
      state: () => h.org.authnPolicies,
    });

    expect(rows(plan)).toEqual([`${CREATED_MFA_POLICY} policy: null → "created"`]);
    const expectedBody = {
      name: CREATED_MFA_POLICY,
      description: "Created by jumpcloud-hardening-auditor (hardening guide 2.1)",
      type: "user_portal",
      disabled: false,
      effect: {
        action: "allow",
        obligations: {
          mfa: { required: true },
          mfaFactors: [{ type: "TOTP" }, { type: "WEBAUTHN" }, { type: "PUSH" }],
          userVerification: { requirement: "required" },
        },
      },
      targets: { users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] },
    };
    expect(planActions(plan)[0]).toMatchObject({ kind: "create-authn-policy", body: expectedBody });
    expect(applyWrites.map((w) => [w.method, w.path, w.body])).toEqual([
      ["POST", "/api/v2/authn/policies", expectedBody],
    ]);
    const created = (afterApply as Doc[]).find((p) => p.name === CREATED_MFA_POLICY) as Doc;
    expect(created).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), ...expectedBody });
    expect(rollbackWrites.map((w) => `${w.method} ${w.path}`)).toEqual([
      `DELETE /api/v2/authn/policies/${created.id}`,
    ]);
    expect(h.org.authnPolicies.some((p) => p.name === CREATED_MFA_POLICY)).toBe(false);
  });

  it("re-enables a disabled all-users policy with PATCH, creating nothing", async () => {
    const h = harness();
    const policy = h.org.authnPolicies.find((p) => p.name === ALL_USERS_POLICY) as Doc;
    policy.disabled = true;

    const { plan, applyWrites, rollbackWrites } = await lifecycle(h, {
      controlId: "2.1",
      request: { controls: ["2.1"] },
      state: () => h.org.authnPolicies,
    });

    expect(rows(plan)).toEqual([`${ALL_USERS_POLICY} disabled: true → false`]);
    expect(planActions(plan)[0]).toMatchObject({ kind: "enable-authn-policy", policyId: policy.id });
    expect(applyWrites.map((w) => [w.method, w.path, w.body])).toEqual([
      ["PATCH", `/api/v2/authn/policies/${policy.id}`, { disabled: false }],
    ]);
    expect(rollbackWrites.map((w) => [w.method, w.path, w.body])).toEqual([
      ["PATCH", `/api/v2/authn/policies/${policy.id}`, { disabled: true }],
    ]);
    expect(h.org.authnPolicies.filter((p) => p.name === ALL_USERS_POLICY)).toHaveLength(1);
  });
});

describe("3.1 conditional access", () => {
  const breakIt = () => {
    const h = harness();
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== "MFA Outside Corporate");
    return h;
  };

  it("creates the trusted list and a policy requiring MFA outside it, referencing the created list", async () => {
    const h = breakIt();
    const { plan, applied, applyWrites, rollbackWrites, afterApply } = await lifecycle(h, {
      controlId: "3.1",
      request: { controls: ["3.1"], trustedRanges: ["198.51.100.0/24"] },
      state: () => ({ policies: h.org.authnPolicies, lists: h.org.ipLists }),
    });

    expect(rows(plan)).toEqual([
      `${TRUSTED_LIST} ip list: null → "created"`,
      `${OUTSIDE_POLICY} policy: null → "created"`,
    ]);
    const state = afterApply as { policies: Doc[]; lists: Doc[] };
    const list = state.lists.find((l) => l.name === TRUSTED_LIST) as Doc;
    expect(list.ips).toEqual(["198.51.100.0/24"]);
    const policy = state.policies.find((p) => p.name === OUTSIDE_POLICY) as Doc;
    const conditions = policy.conditions as { not: { ipAddressIn: string[] } };
    expect(conditions.not.ipAddressIn[0]).toBe(list.id);
    expect(conditions).toEqual({ not: { ipAddressIn: [list.id] } });
    expect(policy.targets).toEqual({ users: { inclusions: ["ALL"] }, resources: [{ type: "user_portal" }] });
    expect(applied.applied?.results).toEqual([
      { actionId: "3.1:ip_list:create", outcome: "applied", createdId: list.id },
      { actionId: "3.1:authn_policy:create", outcome: "applied", createdId: policy.id },
    ]);
    expect(applyWrites.map((w) => `${w.method} ${w.path}`)).toEqual([
      "POST /api/v2/iplists",
      "POST /api/v2/authn/policies",
    ]);
    // Undone in reverse: the policy first, then the list it refers to.
    expect(rollbackWrites.map((w) => `${w.method} ${w.path}`)).toEqual([
      `DELETE /api/v2/authn/policies/${policy.id}`,
      `DELETE /api/v2/iplists/${list.id}`,
    ]);
  });

  it("refuses without trusted ranges (NO_TRUSTED_RANGES), writing and storing nothing", async () => {
    const h = breakIt();
    const error = await rejection(planRemediation(h.deps(), { ...WHO, controls: ["3.1"] }));
    expect(error).toMatchObject({ name: "RemediationError", code: "NO_TRUSTED_RANGES" });
    expect(writeLines(h.sim)).toEqual([]);
    expect(await h.storedFiles()).toEqual([]);
  });

  it.each([
    ["10.0.0.0/8", /"10\.0\.0\.0\/8" overlaps 10\.0\.0\.0\/8, private/],
    ["0.0.0.0/0", /"0\.0\.0\.0\/0" overlaps 0\.0\.0\.0\/8/],
    ["192.168.1.0/24", /"192\.168\.1\.0\/24" overlaps 192\.168\.0\.0\/16/],
    ["not-an-ip", /"not-an-ip" is not an IP address/],
  ])("refuses the range %s (INVALID_REQUEST naming it), writing nothing", async (range, message) => {
    const h = breakIt();
    const error = await rejection(
      planRemediation(h.deps(), { ...WHO, controls: ["3.1"], trustedRanges: ["203.0.113.0/24", range] }),
    );
    expect(error).toMatchObject({ name: "RemediationError", code: "INVALID_REQUEST" });
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("203.0.113.0/24");
    expect(writeLines(h.sim)).toEqual([]);
    expect(await h.storedFiles()).toEqual([]);
  });
});

describe("5.1 Directory Insights", () => {
  it("enables Directory Insights by read-modify-write, keeping systemInsights and every other setting", async () => {
    const h = harness();
    const features = settingsOf(h.org).features as Doc;
    features.directoryInsights = { enabled: false };
    const settingsBefore = structuredClone(settingsOf(h.org));

    const { plan, afterApply, applyWrites } = await lifecycle(h, {
      controlId: "5.1",
      request: { controls: ["5.1"] },
      state: () => h.org.organization,
    });

    expect(rows(plan)).toEqual(["Acme Secure settings.features.directoryInsights.enabled: false → true"]);
    const expected = {
      ...settingsBefore,
      features: { directoryInsights: { enabled: true }, systemInsights: { enabled: true } },
    };
    expect((afterApply as Doc).settings).toEqual(expected);
    expect(applyWrites).toHaveLength(1);
    expect(applyWrites[0]?.body).toEqual({
      settings: { features: { directoryInsights: { enabled: true }, systemInsights: { enabled: true } } },
    });
  });
});
