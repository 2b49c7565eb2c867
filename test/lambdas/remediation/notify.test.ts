/** The remediation message: who, why, what changed and each control's status before → after, sent once per apply and rollback. */
import { describe, expect, it } from "vitest";
import { remediationAlert } from "../../../lambdas/remediation/notify.js";
import { applyPlan, planRemediation, rollbackPlan } from "../../../lambdas/remediation/service.js";
import type { Doc } from "../../../sim/query.js";
import { rejection } from "../../helpers/simulator.js";
import { ORG_ID, useHarness, WHO } from "./harness.js";

const harness = useHarness();

describe("remediation notifications", () => {
  it("announces an apply and a rollback: who, why, what changed, 1.1 FAIL → PASS", async () => {
    const h = harness();
    (h.org.admins.find((a) => a.email === "bob.admin@example.com") as Doc).enableMultiFactor = false;
    const deps = h.deps();
    const plan = await planRemediation(deps, { ...WHO, controls: ["1.1"] });
    expect(h.notifier.messages).toEqual([]);

    await applyPlan(deps, { ...WHO, planId: plan.planId });
    expect(h.notifier.messages).toHaveLength(1);
    const [applied] = h.notifier.messages;
    expect(applied?.subject).toBe("[JumpCloud remediation applied] 1.1 by alice.owner@example.com");
    expect(applied?.email).toBe(
      [
        `Remediation plan ${plan.planId} was applied for organization ${ORG_ID}.`,
        "Who: alice.owner@example.com. Why: CHG-1234 hardening.",
        "",
        "What changed:",
        "  - Require MFA for admin bob.admin@example.com (enableMultiFactor: false → true): applied",
        "",
        "Controls: 1.1 FAIL → PASS",
      ].join("\n"),
    );
    expect(applied?.attributes).toEqual({
      controlId: "1.1",
      severity: "info",
      level: "L1",
      kind: "remediation",
      orgId: ORG_ID,
    });
    expect(applied?.chatbot).toMatchObject({
      content: {
        title: ":wrench: JumpCloud remediation applied: 1.1 FAIL → PASS",
        description: applied?.email,
      },
    });
    expect(JSON.stringify(applied?.chatbot)).toContain("bob.admin@example.com");

    // A second apply is a no-op and says nothing.
    await applyPlan(deps, { ...WHO, planId: plan.planId });
    expect(h.notifier.messages).toHaveLength(1);

    await rollbackPlan(deps, {
      requestedBy: "carol.helpdesk@example.com",
      reason: "INC-77 lock-out",
      planId: plan.planId,
    });
    expect(h.notifier.messages).toHaveLength(2);
    const rolledBack = h.notifier.messages[1];
    expect(rolledBack?.subject).toBe("[JumpCloud remediation rolled-back] 1.1 by carol.helpdesk@example.com");
    expect(rolledBack?.email).toContain("Who: carol.helpdesk@example.com. Why: INC-77 lock-out.");
    expect(rolledBack?.email).toContain(
      "What was restored:\n  - Require MFA for admin bob.admin@example.com (enableMultiFactor: false → true): restored",
    );
    expect(rolledBack?.email).toContain("Controls: 1.1 FAIL → FAIL");
  });

  it("sends nothing for a refused apply", async () => {
    const h = harness();
    const bob = h.org.admins.find((a) => a.email === "bob.admin@example.com") as Doc;
    bob.enableMultiFactor = false;
    const plan = await planRemediation(h.deps(), { ...WHO, controls: ["1.1"] });
    bob.enableMultiFactor = true;
    expect((await rejection(applyPlan(h.deps(), { ...WHO, planId: plan.planId }))).code).toBe(
      "STATE_CHANGED",
    );
    expect(h.notifier.messages).toEqual([]);
  });

  it("names each control's own level, and says when no reason was given", async () => {
    const h = harness();
    h.org.authnPolicies = h.org.authnPolicies.filter((p) => p.name !== "MFA Outside Corporate");
    const plan = await planRemediation(h.deps(), {
      requestedBy: "alice.owner@example.com",
      controls: ["3.1"],
      trustedRanges: ["198.51.100.0/24"],
    });
    const { plan: applied } = await applyPlan(h.deps(), {
      requestedBy: "alice.owner@example.com",
      planId: plan.planId,
    });
    const [message] = h.notifier.messages;
    expect(message?.attributes).toMatchObject({ controlId: "3.1", level: "L2", kind: "remediation" });
    expect(message?.email).toContain("Why: (no reason given).");
    expect(message?.email).toContain("Controls: 3.1 FAIL → PASS");
    expect(message).toEqual(remediationAlert(applied, "applied"));
  });

  it("a notification that fails after apply is logged, and the applied change stands", async () => {
    const h = harness();
    (h.org.admins.find((a) => a.email === "bob.admin@example.com") as Doc).enableMultiFactor = false;
    const deps = {
      ...h.deps(),
      notifier: {
        publish: async () => {
          throw new Error("SNS unavailable");
        },
      },
    };
    const plan = await planRemediation(deps, { ...WHO, controls: ["1.1"] });
    const { plan: applied, noop } = await applyPlan(deps, { ...WHO, planId: plan.planId });
    expect(noop).toBe(false);
    expect(applied.status).toBe("applied");
    expect((h.org.admins.find((a) => a.email === "bob.admin@example.com") as Doc).enableMultiFactor).toBe(
      true,
    );
    expect(
      h.logger.lines.find(
        (l) => l.message === "Remediation notification failed; the change was made and recorded",
      )?.attributes,
    ).toMatchObject({
      error: "SNS unavailable",
    });
  });
});
