/**
 * The real remediation handler module (a cold start per case, configured through its environment):
 * malformed requests refused before anything is read or written; a plan → apply → apply → rollback
 * round trip with S3, SNS and Secrets Manager mocked and JumpCloud served by the simulator.
 */
import { KMSClient, VerifyMacCommand } from "@aws-sdk/client-kms";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startSimulator } from "../../../sim/index.js";
import { fakeBucket } from "../../helpers/aws.js";
import { rejection } from "../../helpers/simulator.js";
import { fakeKms, SEAL_KEY_ARN } from "../remediation/fake-kms.js";

const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const sm = mockClient(SecretsManagerClient);
const kms = mockClient(KMSClient);

const ORG = "5f0000000000000000000001";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  s3.reset();
  sns.reset();
  sm.reset();
  kms.reset();
});

function configure(extra: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries({
    FINDINGS_BUCKET: "jc-findings-test",
    ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts",
    API_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:jumpcloud-remediation",
    AWS_REGION: "us-east-1",
    REMEDIATION_SEAL_KEY_ARN: SEAL_KEY_ARN,
    ...extra,
  }))
    vi.stubEnv(name, value);
}

/** Keeps the handler's Powertools log lines (stdout, and stderr for warnings) out of the test output. */
function captureWarnings(): () => string {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(record);
  vi.spyOn(process.stderr, "write").mockImplementation(record);
  return () => chunks.join("");
}

describe("remediation handler", () => {
  const load = async () => {
    vi.resetModules();
    configure();
    return (await import("../../../lambdas/handlers/remediate.js")).handler;
  };

  it.each([
    ["a wrong mode", { mode: "destroy", requestedBy: "alice@example.com" }, /^Invalid event: mode: /],
    [
      "an extra field",
      { mode: "plan", requestedBy: "alice@example.com", force: true },
      /^Invalid event: \(root\): Unrecognized key.*"force"/,
    ],
    [
      "an unknown control",
      { mode: "plan", controls: ["1.1", "9.9"], requestedBy: "alice@example.com" },
      /^Invalid event: controls\.1: unknown control id \(known: 1\.1, /,
    ],
    [
      "no controls in the list",
      { mode: "plan", controls: [], requestedBy: "alice@example.com" },
      /^Invalid event: controls: /,
    ],
    [
      "apply without planId",
      { mode: "apply", requestedBy: "alice@example.com" },
      /^Invalid event: planId: apply and rollback need the planId of a plan$/,
    ],
    [
      "rollback without planId",
      { mode: "rollback", requestedBy: "alice@example.com" },
      /^Invalid event: planId: apply and rollback need the planId of a plan$/,
    ],
    [
      "a malformed planId",
      { mode: "apply", planId: "../x", requestedBy: "alice@example.com" },
      /^Invalid event: planId: must be a plan id returned by plan mode$/,
    ],
    [
      "a bad orgId",
      { mode: "plan", requestedBy: "alice@example.com", orgId: "acme" },
      /^Invalid event: orgId: must be 24 hexadecimal characters$/,
    ],
    ["an empty requestedBy", { mode: "plan", requestedBy: "" }, /^Invalid event: requestedBy: /],
    ["a missing requestedBy", { mode: "plan" }, /^Invalid event: requestedBy: /],
    ["a non-object", "plan", /^Invalid event: \(root\): /],
    ["null", null, /^Invalid event: \(root\): /],
    ["an array", [{ mode: "plan", requestedBy: "alice@example.com" }], /^Invalid event: \(root\): /],
  ])("refuses %s", async (_name, payload, message) => {
    captureWarnings();
    const handler = await load();
    const error = await rejection(handler(payload));
    expect(error.name).toBe("InvalidEventError");
    expect(error.code).toBe("INVALID_EVENT");
    expect(error.message).toMatch(message);
    expect(s3.calls()).toHaveLength(0);
  });

  it("plans, applies, treats a second apply as a no-op, and rolls back", async () => {
    captureWarnings();
    const sim = await startSimulator({ scenario: "compliant" });
    try {
      const admin = sim.scenario.organizations[0]?.admins.find(
        (a) => a.email === "bob.admin@example.com",
      ) as Record<string, unknown>;
      admin.enableMultiFactor = false;
      const objects = fakeBucket(s3);
      fakeKms(kms);
      sm.on(GetSecretValueCommand).resolves({ SecretString: sim.apiKey });
      sns.on(PublishCommand).resolves({});
      vi.resetModules();
      configure({ JC_BASE_URL: sim.url, JC_INSIGHTS_URL: sim.insightsUrl });
      const { handler } = await import("../../../lambdas/handlers/remediate.js");

      const planned = await handler({
        mode: "plan",
        controls: ["1.1"],
        requestedBy: "alice@example.com",
        reason: "CHG-1234",
      });
      expect(planned).toMatchObject({ ok: true, mode: "plan" });
      const planId = (planned as { plan: { planId: string } }).plan.planId;
      expect(sim.writes()).toEqual([]);
      expect([...objects.keys()]).toEqual([`remediations/${ORG}/${planId}.json`]);

      const applied = await handler({ mode: "apply", planId, requestedBy: "alice@example.com" });
      expect(applied).toMatchObject({
        ok: true,
        mode: "apply",
        noop: false,
        plan: { status: "applied", applied: { statusAfter: { "1.1": "PASS" } } },
      });
      expect(admin.enableMultiFactor).toBe(true);
      expect(sim.writes().map((w) => `${w.method} ${w.path}`)).toEqual([`PUT /api/users/${admin._id}`]);
      expect(s3.commandCalls(PutObjectCommand).some((c) => c.args[0].input.IfNoneMatch === "*")).toBe(true);
      expect(objects.has(`remediations/${ORG}/lock.json`)).toBe(false);
      const message = JSON.parse(String(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message)) as {
        email: string;
      };
      expect(message.email).toContain("Who: alice@example.com. Why: CHG-1234.");
      expect(message.email).toContain("1.1 FAIL → PASS");

      expect(await handler({ mode: "apply", planId, requestedBy: "alice@example.com" })).toMatchObject({
        ok: true,
        noop: true,
      });
      expect(sim.writes()).toHaveLength(1);

      expect(await handler({ mode: "rollback", planId, requestedBy: "alice@example.com" })).toMatchObject({
        ok: true,
        plan: { status: "rolled-back" },
      });
      expect(admin.enableMultiFactor).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it("refuses a plan object edited in the bucket (PLAN_TAMPERED) before reading JumpCloud; nothing is written", async () => {
    captureWarnings();
    const sim = await startSimulator({ scenario: "compliant" });
    try {
      const admin = sim.scenario.organizations[0]?.admins.find(
        (a) => a.email === "bob.admin@example.com",
      ) as Record<string, unknown>;
      admin.enableMultiFactor = false;
      const objects = fakeBucket(s3);
      fakeKms(kms);
      sm.on(GetSecretValueCommand).resolves({ SecretString: sim.apiKey });
      sns.on(PublishCommand).resolves({});
      vi.resetModules();
      configure({ JC_BASE_URL: sim.url, JC_INSIGHTS_URL: sim.insightsUrl, JC_ORG_IDS: ORG });
      const { handler } = await import("../../../lambdas/handlers/remediate.js");
      const planned = await handler({ mode: "plan", controls: ["1.1"], requestedBy: "alice@example.com" });
      const planId = (planned as { plan: { planId: string } }).plan.planId;
      const key = `remediations/${ORG}/${planId}.json`;
      const text = objects.get(key) as string;
      // Someone with write access to the prefix turns the change around (MFA off instead of on).
      objects.set(
        key,
        text.replace('"before": false,', '"before": true,').replace('"after": true', '"after": false'),
      );
      const requests = sim.requests.length;

      expect(await handler({ mode: "apply", planId, requestedBy: "alice@example.com" })).toEqual({
        ok: false,
        code: "PLAN_TAMPERED",
        message: `The record ${key} does not match its seal: it was changed after remediation wrote it, or moved from another plan; nothing was read from JumpCloud and nothing was changed: make a new plan`,
      });
      expect(sim.requests).toHaveLength(requests);
      expect(sim.writes()).toEqual([]);
      expect(kms.commandCalls(VerifyMacCommand)).toHaveLength(1);
      expect(objects.get(key)).not.toBe(text);
      expect([...objects.keys()]).toEqual([key]);
      expect(sns.calls()).toHaveLength(0);
    } finally {
      await sim.close();
    }
  });

  it("answers an unknown plan with a refusal, not a crash", async () => {
    captureWarnings();
    const sim = await startSimulator({ scenario: "compliant" });
    try {
      fakeBucket(s3);
      fakeKms(kms);
      sm.on(GetSecretValueCommand).resolves({ SecretString: sim.apiKey });
      vi.resetModules();
      configure({ JC_BASE_URL: sim.url, JC_INSIGHTS_URL: sim.insightsUrl });
      const { handler } = await import("../../../lambdas/handlers/remediate.js");
      expect(
        await handler({
          mode: "apply",
          planId: "rp-20991231T000000Z-deadbeef",
          requestedBy: "alice@example.com",
        }),
      ).toEqual({
        ok: false,
        code: "PLAN_NOT_FOUND",
        message: `No plan rp-20991231T000000Z-deadbeef for organization ${ORG}`,
      });
      expect(sim.writes()).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
