/** Safety of apply and rollback: drift, the per-organization lock, expiry, unknown plans, ambiguous writes, idempotent creates. */
import { describe, expect, it } from "vitest";
import { planActions, type RemediationStore } from "../../../lambdas/remediation/record.js";
import { applyPlan, planRemediation, rollbackPlan } from "../../../lambdas/remediation/service.js";
import type { Doc } from "../../../sim/query.js";
import type { RunningSimulator } from "../../../sim/server.js";
import { auditControl } from "../../helpers/audit.js";
import { rejection } from "../../helpers/simulator.js";
import { type Harness, NOW, ORG_ID, useHarness, WHO, writeLines } from "./harness.js";

const harness = useHarness();
const BOB = "bob.admin@example.com";
const CREATED_MFA_POLICY = "Require MFA - All Users (jc-audit)";

/** Breaks 1.1 on one admin and plans its fix. */
async function planAdminFix(h: Harness) {
  const bob = h.org.admins.find((a) => a.email === BOB) as Doc;
  bob.enableMultiFactor = false;
  const plan = await planRemediation(h.deps(), { ...WHO, controls: ["1.1"] });
  expect(planActions(plan)).toHaveLength(1);
  return { bob, plan };
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire = () => {};
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}

const putsTo = (sim: RunningSimulator, path: string) =>
  sim.requests.filter((r) => r.method === "PUT" && r.path === path);

describe("drift between plan and apply", () => {
  it("refuses with STATE_CHANGED naming the resource, writes nothing, keeps the plan and releases the lock", async () => {
    const h = harness();
    const { bob, plan } = await planAdminFix(h);
    bob.enableMultiFactor = true; // someone fixed it by hand after planning

    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("STATE_CHANGED");
    expect(error.message).toBe(
      `State changed since plan ${plan.planId}; nothing was changed: ${BOB} enableMultiFactor: planned false → true, but an audit now plans no such change (1.1 is now PASS)`,
    );
    expect(writeLines(h.sim)).toEqual([]);
    expect((await h.record(plan.planId)).status).toBe("planned");
    expect(await h.locked()).toBe(false);
  });

  it("refuses when a resource the plan changes no longer exists", async () => {
    const h = harness();
    const { bob, plan } = await planAdminFix(h);
    h.org.admins = h.org.admins.filter((a) => a !== bob);
    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("STATE_CHANGED");
    expect(error.message).toContain(BOB);
    expect(writeLines(h.sim)).toEqual([]);
    expect(await h.locked()).toBe(false);
  });
});

describe("the per-organization lock", () => {
  it("lets exactly one of two concurrent applies of a plan write; the other is LOCKED", async () => {
    const h = harness();
    const { bob, plan } = await planAdminFix(h);
    h.sim.faults.add({ kind: "delay", ms: 50, method: "PUT", path: "/api/users/*" });
    // Deterministic overlap: whoever takes the lock first waits until the other has been refused.
    const refused = signal();
    const inner = h.deps().store;
    const store: RemediationStore = {
      ...inner,
      async acquireLock(orgId, lock) {
        const outcome = await inner.acquireLock(orgId, lock);
        if (outcome.acquired) await refused.promise;
        else refused.fire();
        return outcome;
      },
    };
    const deps = h.deps({ store });

    const outcomes = await Promise.allSettled([
      applyPlan(deps, { ...WHO, planId: plan.planId }),
      applyPlan(deps, { requestedBy: "bob.admin@example.com", planId: plan.planId }),
    ]);

    const applied = outcomes.filter((o) => o.status === "fulfilled");
    const locked = outcomes.filter((o) => o.status === "rejected");
    expect(applied).toHaveLength(1);
    expect(applied[0]?.value.noop).toBe(false);
    expect(locked).toHaveLength(1);
    expect(locked[0]?.reason).toMatchObject({ code: "LOCKED" });
    expect(String(locked[0]?.reason.message)).toMatch(
      new RegExp(`Another remediation is running for organization ${ORG_ID} \\(plan ${plan.planId} by `),
    );
    expect(writeLines(h.sim)).toEqual([`PUT /api/users/${bob._id}`]);
    expect(await h.locked()).toBe(false);
    expect((await auditControl(h.sim, "1.1")).status).toBe("PASS");
  });

  it("an apply that read the plan before another apply finished is a no-op, not drift", async () => {
    const h = harness();
    const { bob, plan } = await planAdminFix(h);
    const reached = signal();
    const go = signal();
    const inner = h.deps().store;
    const slow: RemediationStore = {
      ...inner,
      async acquireLock(orgId, lock) {
        reached.fire();
        await go.promise;
        return inner.acquireLock(orgId, lock);
      },
    };

    const late = applyPlan(h.deps({ store: slow }), { ...WHO, planId: plan.planId });
    await reached.promise; // it has read the plan as "planned"
    const first = await applyPlan(h.deps(), { ...WHO, planId: plan.planId });
    go.fire();
    const second = await late;

    expect(first.noop).toBe(false);
    expect(second).toEqual({ plan: first.plan, noop: true });
    expect(writeLines(h.sim)).toEqual([`PUT /api/users/${bob._id}`]);
  });

  it("a rollback that read the plan before another rollback finished changes and records nothing", async () => {
    const h = harness();
    const { bob, plan } = await planAdminFix(h);
    await applyPlan(h.deps(), { ...WHO, planId: plan.planId });
    const reached = signal();
    const go = signal();
    const inner = h.deps().store;
    const slow: RemediationStore = {
      ...inner,
      async acquireLock(orgId, lock) {
        reached.fire();
        await go.promise;
        return inner.acquireLock(orgId, lock);
      },
    };

    const late = rejection(
      rollbackPlan(h.deps({ store: slow }), { requestedBy: "mallory", planId: plan.planId }),
    );
    await reached.promise;
    const first = await rollbackPlan(h.deps(), { ...WHO, planId: plan.planId });
    go.fire();
    const error = await late;

    expect(error.code).toBe("PLAN_NOT_APPLIED");
    const stored = await h.record(plan.planId);
    expect(stored?.rolledBack).toEqual(first.rolledBack);
    expect(stored?.rolledBack?.by).toBe(WHO.requestedBy);
    expect(bob.enableMultiFactor).toBe(false);
    expect(writeLines(h.sim)).toEqual([`PUT /api/users/${bob._id}`, `PUT /api/users/${bob._id}`]);
  });

  it("refuses while another plan holds the lock, naming the holder and leaving its lock alone", async () => {
    const h = harness();
    const { plan } = await planAdminFix(h);
    const store = h.deps().store;
    const holder = {
      planId: "rp-other-plan",
      requestedBy: "carol.helpdesk@example.com",
      since: NOW.toISOString(),
    };
    expect(await store.acquireLock(ORG_ID, holder)).toMatchObject({ acquired: true });

    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("LOCKED");
    expect(error.message).toContain(
      `(plan rp-other-plan by carol.helpdesk@example.com since ${NOW.toISOString()})`,
    );
    expect(writeLines(h.sim)).toEqual([]);
    expect(await h.locked()).toBe(true);
    expect(await store.acquireLock(ORG_ID, { ...holder, planId: "rp-third" })).toMatchObject({
      acquired: false,
      holder,
    });
  });

  it("breaks a lock older than a Lambda can live, once", async () => {
    const h = harness();
    const { plan } = await planAdminFix(h);
    const store = h.deps().store;
    const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
    await store.acquireLock(ORG_ID, { planId: "rp-other-plan", requestedBy: "carol", since: minutesAgo(19) });
    expect((await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }))).code).toBe("LOCKED");
    await store.releaseLock(ORG_ID);
    await store.acquireLock(ORG_ID, { planId: "rp-other-plan", requestedBy: "carol", since: minutesAgo(21) });
    expect((await applyPlan(h.deps(), { ...WHO, planId: plan.planId })).noop).toBe(false);
    expect(await h.locked()).toBe(false);
  });

  it("is released after a failed apply, so the same plan can be applied afterwards", async () => {
    const h = harness();
    const { bob, plan } = await planAdminFix(h);
    h.sim.faults.add({ kind: "status", status: 503, method: "PUT", path: "/api/users/*", times: 1 });

    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("WRITE_FAILED");
    expect(error.message).toMatch(
      /the write's outcome was unknown and re-reading for \d+ ms shows it did not happen$/,
    );
    expect(bob.enableMultiFactor).toBe(false);
    expect(await h.locked()).toBe(false);
    expect((await h.record(plan.planId)).status).toBe("planned");

    const retried = await applyPlan(h.deps(), { ...WHO, planId: plan.planId });
    expect(retried.plan.applied?.statusAfter["1.1"]).toBe("PASS");
    expect(putsTo(h.sim, `/api/users/${bob._id}`).map((r) => r.status)).toEqual([503, 200]);
    expect(await h.locked()).toBe(false);
  });
});

describe("refused requests", () => {
  it("refuses an expired plan (PLAN_EXPIRED) without writing or locking", async () => {
    const h = harness();
    const { plan } = await planAdminFix(h);
    const later = new Date(Date.parse(plan.expiresAt) + 1);
    const error = await rejection(applyPlan(h.deps({ clock: () => later }), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("PLAN_EXPIRED");
    expect(error.message).toContain(plan.expiresAt);
    expect(writeLines(h.sim)).toEqual([]);
    expect(await h.locked()).toBe(false);
  });

  it("refuses an unknown plan id (PLAN_NOT_FOUND) for apply and rollback", async () => {
    const h = harness();
    for (const run of [applyPlan, rollbackPlan]) {
      const error = await rejection(run(h.deps(), { ...WHO, planId: "rp-20261128T120000Z-deadbeef" }));
      expect(error.code).toBe("PLAN_NOT_FOUND");
      expect(error.message).toBe(`No plan rp-20261128T120000Z-deadbeef for organization ${ORG_ID}`);
    }
    expect(writeLines(h.sim)).toEqual([]);
  });

  it("refuses to roll back a plan that was not applied (PLAN_NOT_APPLIED), and to re-apply a rolled-back one", async () => {
    const h = harness();
    const { plan } = await planAdminFix(h);
    const error = await rejection(rollbackPlan(h.deps(), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("PLAN_NOT_APPLIED");
    expect(writeLines(h.sim)).toEqual([]);

    await applyPlan(h.deps(), { ...WHO, planId: plan.planId });
    await rollbackPlan(h.deps(), { ...WHO, planId: plan.planId });
    const writes = h.sim.writes().length;
    expect((await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }))).code).toBe(
      "PLAN_ROLLED_BACK",
    );
    expect((await rejection(rollbackPlan(h.deps(), { ...WHO, planId: plan.planId }))).code).toBe(
      "PLAN_NOT_APPLIED",
    );
    expect(h.sim.writes()).toHaveLength(writes);
  });

  it("plans a control named twice once", async () => {
    const h = harness();
    (h.org.admins.find((a) => a.email === BOB) as Doc).enableMultiFactor = false;
    const plan = await planRemediation(h.deps(), { ...WHO, controls: ["1.1", "1.1"] });
    expect(plan.controls.map((c) => c.controlId)).toEqual(["1.1"]);
    expect(planActions(plan)).toHaveLength(1);
  });

  it("refuses an unknown control id (INVALID_REQUEST) before reading anything", async () => {
    const h = harness();
    const error = await rejection(planRemediation(h.deps(), { ...WHO, controls: ["1.1", "9.9"] }));
    expect(error).toMatchObject({ name: "RemediationError", code: "INVALID_REQUEST" });
    expect(error.message).toContain("9.9");
    expect(h.sim.requests).toEqual([]);
  });
});

describe("writes whose outcome is unknown", () => {
  // A PUT that lands after the client's timeout: journal.test.ts.

  it("a create whose answer is lost is found by name, recorded, and deleted on rollback", async () => {
    const h = harness();
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== "Require MFA - All Users");
    const plan = await planRemediation(h.deps(), { ...WHO, controls: ["2.1"] });
    h.sim.faults.add({ kind: "drop", afterWrite: true, method: "POST", path: "/api/v2/authn/policies" });

    const { plan: applied } = await applyPlan(h.deps(), { ...WHO, planId: plan.planId });
    const created = h.org.authnPolicies.filter((p) => p.name === CREATED_MFA_POLICY);
    expect(created).toHaveLength(1);
    expect(applied.applied?.results).toEqual([
      { actionId: "2.1:authn_policy:create", outcome: "applied", createdId: created[0]?.id },
    ]);
    expect(writeLines(h.sim)).toEqual(["POST /api/v2/authn/policies"]);

    await rollbackPlan(h.deps(), { ...WHO, planId: plan.planId });
    expect(h.org.authnPolicies.some((p) => p.name === CREATED_MFA_POLICY)).toBe(false);
  });
});

describe("a failure part-way through an apply", () => {
  const TRUSTED_LIST = "Trusted corporate networks (jc-audit)";
  const plan31 = async (h: Harness) => {
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== "MFA Outside Corporate");
    const plan = await planRemediation(h.deps(), {
      ...WHO,
      controls: ["3.1"],
      trustedRanges: ["198.51.100.0/24"],
    });
    expect(planActions(plan).map((a) => a.kind)).toEqual(["create-ip-list", "create-authn-policy"]);
    return plan;
  };

  it("undoes what it had done, so nothing is left and the same plan applies later", async () => {
    const h = harness();
    const lists = structuredClone(h.org.ipLists);
    const plan = await plan31(h);
    h.sim.faults.add({
      kind: "status",
      status: 400,
      method: "POST",
      path: "/api/v2/authn/policies",
      times: 1,
    });

    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(h.org.ipLists).toEqual(lists);
    expect(writeLines(h.sim)).toEqual([
      "POST /api/v2/iplists",
      "POST /api/v2/authn/policies",
      expect.stringMatching(/^DELETE \/api\/v2\/iplists\/[0-9a-f]{24}$/),
    ]);
    expect((await h.record(plan.planId)).status).toBe("planned");
    expect(await h.locked()).toBe(false);

    const retried = await applyPlan(h.deps(), { ...WHO, planId: plan.planId });
    expect(retried.plan.applied?.statusAfter["3.1"]).toBe("PASS");
  });

  it("says what it could not undo (WRITE_FAILED)", async () => {
    const h = harness();
    const plan = await plan31(h);
    h.sim.faults.add({
      kind: "status",
      status: 400,
      method: "POST",
      path: "/api/v2/authn/policies",
      times: 1,
    });
    h.sim.faults.add({ kind: "status", status: 500, method: "DELETE", path: "/api/v2/iplists/*", times: 1 });

    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("WRITE_FAILED");
    expect(error.message).toMatch(/^JumpCloud rejected the request as malformed: Injected fault/);
    expect(error.message).toContain(
      `these earlier changes could not be undone, fix them by hand: Create the trusted IP list "${TRUSTED_LIST}"`,
    );
    expect(h.org.ipLists.map((l) => l.name)).toContain(TRUSTED_LIST);
    expect(await h.locked()).toBe(false);
  });
});

describe("idempotent creates", () => {
  it("refuses a plan whose policy appeared since (STATE_CHANGED, no duplicate); a new plan has nothing to do", async () => {
    const h = harness();
    const original = h.org.authnPolicies.find((p) => p.name === "Require MFA - All Users") as Doc;
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p !== original);
    const plan = await planRemediation(h.deps(), { ...WHO, controls: ["2.1"] });
    expect(planActions(plan).map((a) => a.kind)).toEqual(["create-authn-policy"]);
    // Someone (or an earlier run) created it in the meantime.
    h.org.authnPolicies.push({
      ...structuredClone(original),
      id: "5f00000500000000000000aa",
      name: CREATED_MFA_POLICY,
    });

    const error = await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }));
    expect(error.code).toBe("STATE_CHANGED");
    expect(error.message).toContain(
      `${CREATED_MFA_POLICY} policy: planned null → "created", but an audit now plans no such change (2.1 is now PASS)`,
    );
    expect(writeLines(h.sim)).toEqual([]);
    expect(h.org.authnPolicies.filter((p) => p.name === CREATED_MFA_POLICY)).toHaveLength(1);

    const fresh = await planRemediation(h.deps(), { ...WHO, controls: ["2.1"] });
    expect(fresh.controls[0]?.statusBefore).toBe("PASS");
    expect(planActions(fresh)).toEqual([]);
    expect(writeLines(h.sim)).toEqual([]);
  });
});
