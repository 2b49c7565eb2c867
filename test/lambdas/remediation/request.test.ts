/**
 * Malformed and hostile remediation requests: through `parseEvent(remediationRequestSchema, …)` in front
 * of the remediation core on the simulator, and through the real Lambda handler module (AWS mocked,
 * JumpCloud served by a simulator): one clear error each, nothing read or written.
 */
import { KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { applyPlan, planRemediation, rollbackPlan } from "../../../lambdas/remediation/service.js";
import { InvalidEventError, parseEvent } from "../../../lambdas/service/parse-event.js";
import { remediationRequestSchema } from "../../../lambdas/service/remediation-request.js";
import { startSimulator } from "../../../sim/index.js";
import type { Doc } from "../../../sim/query.js";
import { rejection } from "../../helpers/simulator.js";
import { fakeKms, SEAL_KEY_ARN } from "./fake-kms.js";
import { type Harness, NOW, ORG_ID, useHarness, writeLines } from "./harness.js";

const harness = useHarness();
const WHO = "alice.owner@example.com";

/** What the remediation function does with an event: validate first, then run the core. */
async function remediate(h: Harness, event: unknown) {
  const request = parseEvent(remediationRequestSchema, event);
  const deps = h.deps();
  if (request.mode === "plan") return planRemediation(deps, request);
  const target = { ...request, planId: request.planId as string };
  return request.mode === "apply" ? (await applyPlan(deps, target)).plan : rollbackPlan(deps, target);
}

const hostile: [string, unknown, string | RegExp][] = [
  [
    "a wrong mode",
    { mode: "destroy", requestedBy: WHO },
    'mode: Invalid option: expected one of "plan"|"apply"|"rollback"',
  ],
  [
    "a mode in the wrong case",
    { mode: "PLAN", requestedBy: WHO },
    'mode: Invalid option: expected one of "plan"|"apply"|"rollback"',
  ],
  [
    "a missing requestedBy",
    { mode: "plan" },
    "requestedBy: Invalid input: expected string, received undefined",
  ],
  [
    "an empty requestedBy",
    { mode: "plan", requestedBy: "" },
    "requestedBy: must name who asks (3 characters at least)",
  ],
  [
    "a whitespace-only requestedBy",
    { mode: "plan", requestedBy: "    " },
    "requestedBy: must name who asks (3 characters at least)",
  ],
  [
    "a requestedBy forging a log line",
    { mode: "plan", requestedBy: "alice\nWho: mallory" },
    "requestedBy: must not contain control characters such as newlines",
  ],
  [
    "a reason with a carriage return",
    { mode: "plan", requestedBy: WHO, reason: "CHG-1\rApproved by CISO" },
    "reason: must not contain control characters such as newlines",
  ],
  [
    "a requestedBy that is not a string",
    { mode: "plan", requestedBy: ["alice"] },
    "requestedBy: Invalid input: expected string, received array",
  ],
  ["an extra field", { mode: "plan", requestedBy: WHO, force: true }, '(root): Unrecognized key: "force"'],
  [
    "trusted ranges smuggled in",
    { mode: "plan", requestedBy: WHO, trustedRanges: ["0.0.0.0/0"] },
    '(root): Unrecognized key: "trustedRanges"',
  ],
  [
    "an unknown control id",
    { mode: "plan", controls: ["1.1", "9.9"], requestedBy: WHO },
    /^controls\.1: unknown control id \(known: 1\.1, 1\.2, 2\.1, /,
  ],
  [
    "a control id that is not a string",
    { mode: "plan", controls: [1.1], requestedBy: WHO },
    "controls.0: Invalid input: expected string, received number",
  ],
  [
    "controls that are not an array",
    { mode: "plan", controls: "1.1", requestedBy: WHO },
    "controls: Invalid input: expected array, received string",
  ],
  [
    "an empty controls list",
    { mode: "plan", controls: [], requestedBy: WHO },
    "controls: Too small: expected array to have >=1 items",
  ],
  [
    "apply without planId",
    { mode: "apply", requestedBy: WHO },
    "planId: apply and rollback need the planId of a plan",
  ],
  [
    "rollback without planId",
    { mode: "rollback", requestedBy: WHO },
    "planId: apply and rollback need the planId of a plan",
  ],
  [
    "a path-traversal planId",
    { mode: "apply", planId: "../../etc/passwd", requestedBy: WHO },
    "planId: must be a plan id returned by plan mode",
  ],
  [
    "a planId with an encoded slash",
    { mode: "rollback", planId: "rp-2026%2F..%2Fx", requestedBy: WHO },
    "planId: must be a plan id returned by plan mode",
  ],
  [
    "a planId that is too long",
    { mode: "apply", planId: `rp-${"a".repeat(62)}`, requestedBy: WHO },
    "planId: must be a plan id returned by plan mode",
  ],
  [
    "a planId with a newline",
    { mode: "apply", planId: "rp-20261128\n", requestedBy: WHO },
    "planId: must be a plan id returned by plan mode",
  ],
  [
    "an orgId that is not hex",
    { mode: "plan", orgId: "5f000000000000000000000g", requestedBy: WHO },
    "orgId: must be 24 hexadecimal characters",
  ],
  [
    "an orgId that is a path",
    { mode: "plan", orgId: "../5f0000000000000000001", requestedBy: WHO },
    "orgId: must be 24 hexadecimal characters",
  ],
  [
    "a reason over 1000 characters",
    { mode: "plan", requestedBy: WHO, reason: "x".repeat(1001) },
    "reason: Too big: expected string to have <=1000 characters",
  ],
  ["null", null, "(root): Invalid input: expected object, received null"],
  [
    "an array",
    [{ mode: "plan", requestedBy: WHO }],
    "(root): Invalid input: expected object, received array",
  ],
  ["a string", "plan", "(root): Invalid input: expected object, received string"],
  ["a number", 42, "(root): Invalid input: expected object, received number"],
  ["undefined", undefined, "(root): Invalid input: expected object, received undefined"],
  [
    "a __proto__ key (prototype pollution)",
    JSON.parse(`{"mode":"plan","requestedBy":"${WHO}","__proto__":{"polluted":true,"mode":"apply"}}`),
    '(root): Unrecognized key: "__proto__"',
  ],
  [
    "a constructor.prototype key",
    JSON.parse(`{"mode":"plan","requestedBy":"${WHO}","constructor":{"prototype":{"polluted":true}}}`),
    '(root): Unrecognized key: "constructor"',
  ],
];

describe("remediation requests", () => {
  it.each(hostile)(
    "refuses %s with one clear error, before anything is read or written",
    async (_name, event, message) => {
      const h = harness();
      const error = await rejection(remediate(h, event));
      expect(error).toBeInstanceOf(InvalidEventError);
      expect(error.code).toBe("INVALID_EVENT");
      expect(error.message.split("\n")).toHaveLength(1);
      if (typeof message === "string") expect(error.message).toBe(`Invalid event: ${message}`);
      else expect(error.message.replace(/^Invalid event: /, "")).toMatch(message);
      expect(h.sim.requests).toEqual([]);
      expect(writeLines(h.sim)).toEqual([]);
      expect(await h.storedFiles()).toEqual([]);
      expect(({} as Doc).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty("polluted");
    },
  );

  it("accepts a valid plan → apply → rollback, the plan id it returns included", async () => {
    const h = harness();
    (h.org.admins.find((a) => a.email === "bob.admin@example.com") as Doc).enableMultiFactor = false;
    const plan = await remediate(h, { mode: "plan", controls: ["1.1"], requestedBy: WHO, reason: "CHG-1" });
    expect(writeLines(h.sim)).toEqual([]);
    const applied = await remediate(h, { mode: "apply", planId: plan.planId, requestedBy: WHO });
    expect(applied.status).toBe("applied");
    const rolledBack = await remediate(h, {
      mode: "rollback",
      planId: plan.planId,
      requestedBy: WHO,
      orgId: h.org.organization._id,
    });
    expect(rolledBack.status).toBe("rolled-back");
    expect(writeLines(h.sim)).toHaveLength(2);
  });
});

describe("the remediation Lambda handler", () => {
  const s3 = mockClient(S3Client);
  const sns = mockClient(SNSClient);
  const secrets = mockClient(SecretsManagerClient);
  const kms = mockClient(KMSClient);
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let handler: (event: unknown) => Promise<unknown>;

  beforeAll(async () => {
    sim = await startSimulator({ scenario: "compliant", now: () => NOW });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: sim.apiKey });
    fakeKms(kms);
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} }),
    );
    s3.on(PutObjectCommand).resolves({});
    for (const [name, value] of Object.entries({
      FINDINGS_BUCKET: "jc-findings-test",
      ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts",
      API_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:jumpcloud-remediation",
      AWS_REGION: "us-east-1",
      JC_BASE_URL: sim.url,
      JC_INSIGHTS_URL: sim.insightsUrl,
      JC_ORG_IDS: ORG_ID,
      REMEDIATION_SEAL_KEY_ARN: SEAL_KEY_ARN,
      POWERTOOLS_LOG_LEVEL: "SILENT",
    }))
      vi.stubEnv(name, value);
    vi.resetModules();
    handler = (await import("../../../lambdas/handlers/remediate.js")).handler;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    s3.restore();
    sns.restore();
    secrets.restore();
    kms.restore();
    await sim.close();
  });

  it.each(hostile)("refuses %s before reading the key or calling anything", async (_name, event, message) => {
    const requests = sim.requests.length;
    const error = await rejection(handler(event));
    expect(error).toMatchObject({ name: "InvalidEventError", code: "INVALID_EVENT" });
    if (typeof message === "string") expect(error.message).toBe(`Invalid event: ${message}`);
    else expect(error.message.replace(/^Invalid event: /, "")).toMatch(message);
    expect(sim.requests).toHaveLength(requests);
    expect(s3.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    expect(secrets.calls()).toHaveLength(0);
    expect(kms.calls()).toHaveLength(0);
  });

  it("runs a valid plan request (reads only) and refuses an unknown plan as a result, writing nothing", async () => {
    const planned = (await handler({ mode: "plan", controls: ["1.1"], requestedBy: WHO })) as {
      ok: boolean;
      plan: { planId: string };
    };
    expect(planned).toMatchObject({ ok: true, mode: "plan", noop: false });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    const unknown = await handler({
      mode: "apply",
      planId: "rp-20261128T120000Z-deadbeef",
      requestedBy: WHO,
    });
    expect(unknown).toEqual({
      ok: false,
      code: "PLAN_NOT_FOUND",
      message: `No plan rp-20261128T120000Z-deadbeef for organization ${ORG_ID}`,
    });
    expect(sim.requests.length).toBeGreaterThan(0);
    expect(sim.writes()).toEqual([]);
    expect(sns.calls()).toHaveLength(0);
  });
});
