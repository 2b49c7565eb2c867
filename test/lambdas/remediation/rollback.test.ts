/**
 * Rollback deletes or restores only what is exactly as apply left it (the whole object it created or
 * changed); anything else is reported "changed since apply, left alone", and nothing is written for it.
 */
import { describe, expect, it } from "vitest";
import { planActions } from "../../../lambdas/remediation/record.js";
import { applyPlan, planRemediation, rollbackPlan } from "../../../lambdas/remediation/service.js";
import type { Doc } from "../../../sim/query.js";
import { auditControl } from "../../helpers/audit.js";
import { type Harness, settingsOf, useHarness, WHO } from "./harness.js";

const harness = useHarness();
const CREATED_MFA_POLICY = "Require MFA - All Users (jc-audit)";
const OUTSIDE_POLICY = "MFA outside trusted networks (jc-audit)";
const TRUSTED_LIST = "Trusted corporate networks (jc-audit)";

/** Applies a plan, lets `edit` change JumpCloud as an admin would, rolls back; returns the rollback and its writes. */
async function applyEditRollback(
  h: Harness,
  request: { controls: string[]; trustedRanges?: string[] },
  edit: () => void,
) {
  const plan = await planRemediation(h.deps(), { ...WHO, ...request });
  expect(planActions(plan).length).toBeGreaterThan(0);
  await applyPlan(h.deps(), { ...WHO, planId: plan.planId });
  edit();
  const writes = h.sim.writes().length;
  const rolledBack = await rollbackPlan(h.deps(), { ...WHO, planId: plan.planId });
  return {
    rolledBack,
    rollbackWrites: h.sim
      .writes()
      .slice(writes)
      .map((w) => `${w.method} ${w.path}`),
  };
}

const policy = (h: Harness, name: string) =>
  h.org.authnPolicies.find((p) => p.name === name) as Doc | undefined;

describe("an object apply created", () => {
  const create21 = (h: Harness) => {
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== "Require MFA - All Users");
  };

  it("edited by an admin after apply is left alone and reported so, not deleted", async () => {
    const h = harness();
    create21(h);
    const { rolledBack, rollbackWrites } = await applyEditRollback(h, { controls: ["2.1"] }, () => {
      // Same name, other content: a name check alone would delete the admin's policy.
      (policy(h, CREATED_MFA_POLICY) as Doc).targets = {
        users: { inclusions: ["ALL"] },
        userGroups: { exclusions: ["5f00000000000000000000ee"] },
        resources: [{ type: "user_portal" }],
      };
    });
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      {
        actionId: "2.1:authn_policy:create",
        outcome: "changed-since",
        detail: "it was edited: changed since apply, left alone",
      },
    ]);
    expect(rollbackWrites).toEqual([]);
    expect(policy(h, CREATED_MFA_POLICY)).toBeDefined();
    expect(rolledBack.status).toBe("rolled-back");
    const message = h.notifier.messages.at(-1);
    expect(message?.email).toContain(`(policy: null → "created"): changed since apply, left alone`);
    expect(message?.email).not.toMatch(/: restored$/m);
  });

  it("deleted by an admin after apply is reported, and nothing is written", async () => {
    const h = harness();
    create21(h);
    const { rolledBack, rollbackWrites } = await applyEditRollback(h, { controls: ["2.1"] }, () => {
      h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== CREATED_MFA_POLICY);
    });
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      {
        actionId: "2.1:authn_policy:create",
        outcome: "changed-since",
        detail: "it was deleted: changed since apply, left alone",
      },
    ]);
    expect(rollbackWrites).toEqual([]);
  });

  it("3.1: an edited policy is left alone, and so is the trusted list it still uses", async () => {
    const h = harness();
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== "MFA Outside Corporate");
    const { rolledBack, rollbackWrites } = await applyEditRollback(
      h,
      { controls: ["3.1"], trustedRanges: ["198.51.100.0/24"] },
      () => {
        (policy(h, OUTSIDE_POLICY) as Doc).description = "Tuned by the IT team";
      },
    );
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      {
        actionId: "3.1:authn_policy:create",
        outcome: "changed-since",
        detail: "it was edited: changed since apply, left alone",
      },
      {
        actionId: "3.1:ip_list:create",
        outcome: "changed-since",
        detail: `it is still used by ${OUTSIDE_POLICY}: changed since apply, left alone`,
      },
    ]);
    expect(rollbackWrites).toEqual([]);
    expect(h.org.ipLists.some((l) => l.name === TRUSTED_LIST)).toBe(true);
  });
});

describe("a value apply changed", () => {
  it("an enabled policy an admin edited after apply stays as the admin left it", async () => {
    const h = harness();
    const target = policy(h, "Require MFA - All Users") as Doc;
    target.disabled = true;
    const { rolledBack, rollbackWrites } = await applyEditRollback(h, { controls: ["2.1"] }, () => {
      target.description = "Now managed by the IT team";
    });
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      {
        actionId: `2.1:authn_policy:${target.id}`,
        outcome: "changed-since",
        detail: "it was edited: changed since apply, left alone",
      },
    ]);
    expect(rollbackWrites).toEqual([]);
    expect(target.disabled).toBe(false);
  });

  it("an admin setting changed again after apply is left alone", async () => {
    const h = harness();
    const bob = h.org.admins.find((a) => a.email === "bob.admin@example.com") as Doc;
    bob.enableMultiFactor = false;
    const { rolledBack, rollbackWrites } = await applyEditRollback(h, { controls: ["1.1"] }, () => {
      bob.enableMultiFactor = false; // someone turned it off again by hand
    });
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      {
        actionId: `1.1:admin:${bob._id}`,
        outcome: "changed-since",
        detail: "it is false now: changed since apply, left alone",
      },
    ]);
    expect(rollbackWrites).toEqual([]);
  });

  it("a value that was absent before apply is not claimed restored: cannot-restore, nothing written", async () => {
    const h = harness();
    const features = settingsOf(h.org).features as Doc;
    delete features.directoryInsights;
    const plan = await planRemediation(h.deps(), { ...WHO, controls: ["5.1"] });
    expect(planActions(plan)).toMatchObject([{ kind: "directory-insights", before: null, after: true }]);
    await applyPlan(h.deps(), { ...WHO, planId: plan.planId });
    expect((await auditControl(h.sim, "5.1")).status).toBe("PASS");
    const writes = h.sim.writes().length;

    const rolledBack = await rollbackPlan(h.deps(), { ...WHO, planId: plan.planId });
    expect(rolledBack.rolledBack?.outcomes).toEqual([
      {
        actionId: "5.1:organization:directoryInsights",
        outcome: "cannot-restore",
        detail:
          "settings.features.directoryInsights.enabled was not set before apply and no documented request unsets it (writing a default instead is not the same): left as apply set it (true)",
      },
    ]);
    expect(h.sim.writes()).toHaveLength(writes);
    expect(h.notifier.messages.at(-1)?.email).toContain("was not set before, left as apply set it");
  });
});
