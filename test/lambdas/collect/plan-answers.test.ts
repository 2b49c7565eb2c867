/**
 * Plan inference that one endpoint cannot fool: a 402/403 is "not on this plan" only when every endpoint
 * of the feature agrees; a refusal that another endpoint of the feature contradicts is an ERROR.
 */
import { describe, expect, it } from "vitest";
import { collectSnapshot } from "../../../lambdas/collect/collectors.js";
import { auditControl, NOW, useFreshSimulator } from "../../helpers/audit.js";
import { simClient } from "../../helpers/simulator.js";

const { sim, org } = useFreshSimulator();

const collect = (datasets: Parameters<typeof collectSnapshot>[1]) =>
  collectSnapshot(simClient(sim(), { retry: { maxAttempts: 1 } }), datasets, {
    orgId: org().organization._id as string,
    now: NOW,
    activityWindowHours: 24,
    keyEventsWindowHours: 24,
  });

describe("plan answers across a feature's endpoints", () => {
  it("a 402 on authentication policies while IP lists answer 200 is PLAN_INCONSISTENT (2.1 ERROR, not a per-user PASS)", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/authn/policies" });
    const finding = await auditControl(sim(), "2.1");
    expect(finding.status).toBe("ERROR");
    expect(finding.error?.datasets).toMatchObject([{ dataset: "authnPolicies", code: "PLAN_INCONSISTENT" }]);
    expect(finding.summary).toMatch(
      /JumpCloud answered 402 on \/api\/v2\/authn\/policies but \/api\/v2\/iplists of the same feature answered/,
    );
    // 2.1 does not read IP lists itself: the feature's other endpoint was asked once, to check.
    expect(sim().requests.filter((r) => r.path === "/api/v2/iplists")).toHaveLength(1);
  });

  it("a 402 on every Conditional Access endpoint is 'not on this plan': 2.1 judges users, 3.1 is NOT_APPLICABLE", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/authn/policies" });
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/iplists" });
    const orgWide = await auditControl(sim(), "2.1");
    expect(orgWide.status).toBe("PASS");
    expect(orgWide.results.filter((r) => r.check === "mfa-required").length).toBeGreaterThan(0);
    const conditional = await auditControl(sim(), "3.1");
    expect(conditional.status).toBe("NOT_APPLICABLE");
  });

  it("mixed answers inside one run mark only the refused dataset; the answering one stands", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/iplists" });
    const collected = await collect(["authnPolicies", "ipLists"]);
    expect(collected.authnPolicies?.ok).toBe(true);
    expect(collected.ipLists).toMatchObject({ ok: false, error: { code: "PLAN_INCONSISTENT", status: 402 } });
    expect(sim().requests.filter((r) => r.path === "/api/v2/authn/policies")).toHaveLength(1);
  });

  it("a refusal confirmed by every endpoint is left as JumpCloud said it (403 stays FORBIDDEN)", async () => {
    sim().faults.add({ kind: "status", status: 403, path: "/api/v2/authn/policies" });
    sim().faults.add({ kind: "status", status: 403, path: "/api/v2/iplists" });
    const collected = await collect(["authnPolicies"]);
    expect(collected.authnPolicies).toMatchObject({ ok: false, error: { code: "FORBIDDEN", status: 403 } });
  });

  it("an unrelated failure of the other endpoint (500) neither confirms nor contradicts the refusal", async () => {
    sim().faults.add({ kind: "status", status: 402, path: "/api/v2/authn/policies" });
    sim().faults.add({ kind: "status", status: 500, path: "/api/v2/iplists" });
    const collected = await collect(["authnPolicies"]);
    expect(collected.authnPolicies).toMatchObject({ ok: false, error: { code: "NOT_ON_PLAN" } });
  });

  it("no probe at all when nothing was refused", async () => {
    await collect(["authnPolicies"]);
    expect(sim().requests.filter((r) => r.path === "/api/v2/iplists")).toHaveLength(0);
  });
});
