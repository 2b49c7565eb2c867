import { describe, expect, it } from "vitest";
import { evaluationFailureAlert, recoveryAlert, regressionAlert } from "../../../lambdas/alerts/messages.js";
import type { Regression } from "../../../lambdas/engine/findings.js";
import { finding, row } from "../../helpers/findings.js";

const where = {
  uri: "s3://bucket/findings/5f0000000000000000000001/1.1/latest.json",
  consoleUrl: "https://console.example/obj",
};
const regression: Regression = {
  kind: "resource",
  controlId: "1.1",
  title: "Secure Admin Portal Access",
  severity: "critical",
  level: "L1",
  message: "admin b@example.com newly fails admin-mfa: MFA not required",
  from: "PASS",
  to: "FAIL",
  resource: { type: "admin", id: "b", name: "b@example.com", check: "admin-mfa" },
};
const failing = finding([row("PASS", "a"), row("FAIL", "b")]);

describe("regressionAlert", () => {
  const alert = regressionAlert(failing, [regression], where);

  it("has filterable attributes and a subject within SNS's 100 characters", () => {
    expect(alert.attributes).toEqual({
      controlId: "1.1",
      severity: "critical",
      level: "L1",
      kind: "regression",
      orgId: "5f0000000000000000000001",
    });
    expect(alert.subject).toBe("[JumpCloud CRITICAL] 1.1 Secure Admin Portal Access: 1 regression");
    expect(alert.subject.length).toBeLessThanOrEqual(100);
  });

  it("e-mails what changed, which resources, the guide's fix and where the finding is", () => {
    expect(alert.email).toContain(
      "What got worse since the last run:\n  - admin b@example.com newly fails admin-mfa: MFA not required",
    );
    expect(alert.email).toContain("Failing resources (1):\n  - b@example.com: MFA not required");
    expect(alert.email).toContain(
      "How to fix (hardening guide):\n  - JumpCloud Admin Portal → Security → MFA for Admins",
    );
    expect(alert.email).toContain(where.uri);
  });

  it("is a valid AWS Chatbot custom notification threaded per organization and control", () => {
    expect(alert.chatbot).toMatchObject({
      version: "1.0",
      source: "custom",
      content: {
        textType: "client-markdown",
        title: ":warning: JumpCloud 1.1 Secure Admin Portal Access: 1 regression",
      },
      metadata: {
        threadId: "jumpcloud-5f0000000000000000000001-1.1",
        eventType: "jumpcloud-audit-regression",
        relatedResources: ["b@example.com"],
      },
    });
    expect(alert.chatbot.content.nextSteps?.at(-1)).toBe(`Finding: ${where.consoleUrl}`);
  });

  it("cuts a subject that would exceed 100 characters", () => {
    const long = regressionAlert({ ...failing, title: "x".repeat(150) }, [regression], where);
    expect(long.subject).toHaveLength(100);
    expect(long.subject.endsWith("…")).toBe(true);
  });
});

describe("recoveryAlert and evaluationFailureAlert", () => {
  it("announces a recovery", () => {
    const alert = recoveryAlert(
      finding([row("PASS", "b")]),
      [
        {
          ...regression,
          kind: "status",
          from: "FAIL",
          to: "PASS",
          message: "Control 1.1 went from FAIL to PASS",
        },
      ],
      where,
    );
    expect(alert.attributes.kind).toBe("recovery");
    expect(alert.subject).toBe("[JumpCloud recovered] 1.1 Secure Admin Portal Access: now PASS");
  });

  it("says what to do when the key is rejected", () => {
    const error = finding([], {
      status: "ERROR",
      error: { code: "AUTH_REJECTED", message: "API key rejected; rotate the secret", datasets: [] },
    });
    const alert = evaluationFailureAlert(error, 1, where);
    expect(alert.attributes.kind).toBe("evaluation-failure");
    expect(alert.subject).toBe("[JumpCloud audit failing] 1.1 Secure Admin Portal Access: AUTH_REJECTED");
    expect(alert.email).toMatch(/aws secretsmanager put-secret-value/);
    expect(alert.email).toMatch(/status is unknown \(ERROR\), never PASS/);
  });

  it.each([
    ["INCOMPLETE_COLLECTION", /came back inconsistent twice/],
    ["PLAN_INCONSISTENT", /not read as a plan limit/],
    ["INCONSISTENT_EVENTS", /counted and listed a different number/],
    ["CHECK_NOT_EVALUATED", /could not judge/],
    ["REDIRECT_REFUSED", /never follows/],
  ])("says what to do on %s", (code, remedy) => {
    const error = finding([], { status: "ERROR", error: { code, message: "why", datasets: [] } });
    expect(evaluationFailureAlert(error, 3, where).email).toMatch(remedy);
  });
});
