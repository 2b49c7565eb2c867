/**
 * The real detection handler module over a simulator event stream (S3, SNS and Secrets Manager
 * mocked; the rules from detections/): two runs with new events in between, a page boundary and a
 * failed publish. Each match is alerted exactly once and the checkpoint advances.
 */
import { fileURLToPath } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { checkpointKey, type DetectionCheckpoint } from "../../../lambdas/detections/service.js";
import { type RunningSimulator, startSimulator } from "../../../sim/index.js";
import { insightsEvent } from "../../../sim/presets/catalog.js";
import { hexId } from "../../helpers/audit.js";
import { fakeBucket } from "../../helpers/aws.js";
import { rejection } from "../../helpers/simulator.js";

const ORG = "5f0000000000000000000001";
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const sm = mockClient(SecretsManagerClient);
let sim: RunningSimulator;
let objects: Map<string, string>;
let seq = 0;

beforeEach(async () => {
  sim = await startSimulator({ scenario: "compliant" });
  sim.scenario.organizations[0]?.events.splice(0);
  objects = fakeBucket(s3);
  sm.on(GetSecretValueCommand).resolves({ SecretString: sim.apiKey });
  sns.on(PublishCommand).resolves({});
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  for (const [name, value] of Object.entries({
    FINDINGS_BUCKET: "jc-findings-test",
    ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts",
    API_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:jumpcloud-audit",
    AWS_REGION: "us-east-1",
    JC_BASE_URL: sim.url,
    JC_INSIGHTS_URL: sim.insightsUrl,
    RULES_DIR: fileURLToPath(new URL("../../../detections/", import.meta.url)),
  }))
    vi.stubEnv(name, value);
  vi.resetModules();
});
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  s3.reset();
  sns.reset();
  sm.reset();
  await sim.close();
});

const failedAdminLogin = (minutesAgo: number, ip = "192.0.2.66") =>
  sim.scenario.organizations[0]?.events.push(
    insightsEvent(hexId(++seq, "5fd0"), ORG, {
      type: "admin_login_attempt",
      at: new Date(Date.now() - minutesAgo * 60_000),
      success: false,
      ip,
      actor: { email: "frank@example.com" },
    }),
  );
const subjects = () => sns.commandCalls(PublishCommand).map((c) => String(c.args[0].input.Subject));
const handlerModule = () => import("../../../lambdas/handlers/detect.js");

describe("detection handler", () => {
  it("alerts each match once across two runs, advancing the checkpoint", async () => {
    for (let i = 0; i < 6; i++) failedAdminLogin(30 - i); // a burst: 6 failures in 5 minutes from one address
    const { handler } = await handlerModule();
    const [first] = await handler();
    expect(first).toMatchObject({ orgId: ORG, fresh: 6 });
    expect(subjects()).toEqual([
      "[JumpCloud detection MEDIUM] JumpCloud Failed Admin Portal Login (6 events)",
      "[JumpCloud detection HIGH] JumpCloud Admin Portal Login Brute Force From One Address (6 events)",
    ]);
    const message = JSON.parse(String(sns.commandCalls(PublishCommand)[1]?.args[0].input.Message)) as {
      email: string;
      default: string;
    };
    expect(message.email).toMatch(/Groups: client_ip=192\.0\.2\.66/);
    expect(JSON.parse(message.default)).toMatchObject({ version: "1.0", source: "custom" });
    expect(sns.commandCalls(PublishCommand)[1]?.args[0].input.MessageAttributes?.kind?.StringValue).toBe(
      "detection",
    );
    // "JumpCloud Admin Portal Login" (informational) matched too, but is below the alert level.
    const checkpoint = JSON.parse(objects.get(checkpointKey(ORG)) ?? "{}") as DetectionCheckpoint;
    expect(Date.parse(checkpoint.until)).toBeGreaterThan(Date.now() - 60_000);

    failedAdminLogin(0.1, "198.51.100.9");
    const [second] = await handler();
    expect(second).toMatchObject({ fresh: 1 });
    expect(subjects().slice(2)).toEqual([
      "[JumpCloud detection MEDIUM] JumpCloud Failed Admin Portal Login (1 event)",
    ]);
  });

  it("loses nothing to a failed publish: the next run sends it", async () => {
    failedAdminLogin(10);
    sns.on(PublishCommand).rejectsOnce(new Error("SNS unavailable")).resolves({});
    const { handler } = await handlerModule();
    await rejection(handler());
    expect(objects.has(checkpointKey(ORG))).toBe(false);
    await handler();
    expect(subjects()).toEqual([
      "[JumpCloud detection MEDIUM] JumpCloud Failed Admin Portal Login (1 event)",
      "[JumpCloud detection MEDIUM] JumpCloud Failed Admin Portal Login (1 event)",
    ]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2); // the failed attempt, then the one that went out
    await handler();
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it("pages through more events than one Directory Insights page", async () => {
    for (let i = 0; i < 1100; i++) failedAdminLogin(50 - i / 100, `203.0.113.${i % 250}`);
    const { handler } = await handlerModule();
    const [outcome] = await handler();
    expect(outcome).toMatchObject({ events: 1100, fresh: 1100 });
    expect(
      sim.requests.filter((r) => r.path === "/insights/directory/v1/events").length,
    ).toBeGreaterThanOrEqual(2);
    expect(subjects()).toContain(
      "[JumpCloud detection MEDIUM] JumpCloud Failed Admin Portal Login (1100 events)",
    );
  });

  it("alerts informational rules too when MIN_ALERT_LEVEL says so", async () => {
    vi.stubEnv("MIN_ALERT_LEVEL", "informational");
    failedAdminLogin(10);
    const { handler } = await handlerModule();
    await handler();
    expect(subjects()).toContain(
      "[JumpCloud detection INFORMATIONAL] JumpCloud Admin Portal Login (1 event)",
    );
  });
});
