import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ChatbotNotification } from "../../lambdas/alerts/chatbot.js";
import type { ControlFinding } from "../../lambdas/engine/findings.js";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import { DEMO_ORG_ID } from "../../sim/presets/demo.js";
import { NOW } from "../helpers/audit.js";
import { type LocalS3, localS3Env, startLocalS3 } from "../helpers/local-s3.js";

const BUCKET = "jc-findings-integration";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jumpcloud-audit-AbCdEf";
const ORG = DEMO_ORG_ID;

// Only SNS and Secrets Manager are mocked: S3 goes to s3rver for real.
const sns = mockClient(SNSClient);
const sm = mockClient(SecretsManagerClient);

let s3: LocalS3 | undefined;
let sim: RunningSimulator;
let bucket: S3Client;
let handler: (event: unknown) => Promise<unknown>;

/**
 * The n-th event, an hour apart from the real clock: the handler refuses an event more than a day
 * from it, and s3rver refuses requests signed at another time, so the clock cannot be mocked here
 * (control 1.1 does not depend on the time; the simulator stays at NOW).
 */
const START = Date.now();
const event = (n: number) => ({
  controlId: "1.1",
  eventId: `evt-${n}`,
  time: new Date(START + n * 3_600_000).toISOString(),
});

/** Every key in the bucket, sorted. */
async function keys(): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await bucket.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort();
}

async function read<T>(key: string): Promise<T> {
  const object = await bucket.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse((await object.Body?.transformToString()) ?? "") as T;
}

const publishes = (): PublishCommandInput[] => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
const history = (all: string[]) => all.filter((k) => k.startsWith(`findings/${ORG}/1.1/history/`));

beforeAll(async () => {
  s3 = await startLocalS3(BUCKET);
  const { endpoint } = s3;
  sim = await startSimulator({ scenario: "demo", now: () => NOW });

  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  sm.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: sim.apiKey });

  // The handler builds `new S3Client({})`: the SDK takes the endpoint from AWS_ENDPOINT_URL_S3 and,
  // since the endpoint's host is an IP address, addresses buckets path-style.
  for (const [name, value] of Object.entries({
    ...localS3Env(endpoint),
    FINDINGS_BUCKET: BUCKET,
    ALERTS_TOPIC_ARN: TOPIC,
    API_KEY_SECRET_ARN: SECRET,
    JC_BASE_URL: sim.url,
    JC_INSIGHTS_URL: sim.insightsUrl,
    JC_ORG_IDS: undefined,
    POWERTOOLS_LOG_LEVEL: "ERROR",
  })) {
    vi.stubEnv(name, value);
  }
  // Powertools prints EMF metrics to stdout and a warning per run to stderr; keep the test output readable.
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  vi.resetModules();
  handler = (await import("../../lambdas/handlers/audit.js")).handler;

  bucket = s3.client;
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await sim?.close();
  await s3?.stop();
});

describe("audit handler on a real S3 (s3rver)", () => {
  it("event 1: writes the baseline (history, latest, run, event marker) and publishes nothing", async () => {
    expect(await keys()).toEqual([]);
    expect(await handler(event(1))).toEqual([{ orgId: ORG, status: "FAIL", regressions: 0, published: 0 }]);

    const all = await keys();
    expect(all).toEqual([
      `events/${ORG}/1.1/evt-1.json`,
      `findings/${ORG}/1.1/history/${event(1).time.replace(/:/g, "-")}.json`,
      `findings/${ORG}/1.1/last-evaluated.json`,
      `findings/${ORG}/1.1/latest.json`,
      expect.stringMatching(new RegExp(`^runs/${ORG}/\\d{8}T\\d{6}Z-[0-9a-f]{6}\\.json$`)),
    ]);
    expect(await read(`events/${ORG}/1.1/evt-1.json`)).toEqual({ sent: [], healthTracked: true, done: true });
    const latest = await read<ControlFinding>(`findings/${ORG}/1.1/latest.json`);
    expect(latest).toMatchObject({
      controlId: "1.1",
      orgId: ORG,
      status: "FAIL",
      evaluatedAt: event(1).time,
    });
    // The demo starts with one admin without MFA: the baseline, not news.
    expect(latest.results.filter((r) => r.status === "FAIL").map((r) => r.resourceName)).toEqual([
      "frank.contractor@example.com",
    ]);
    expect(publishes()).toEqual([]);
  });

  it("event 2 after a drift: exactly one regression published, a second history entry, latest updated", async () => {
    const bob = sim.scenario.organizations[0]?.admins.find((a) => a.email === "bob.admin@example.com");
    if (!bob) throw new Error("bob.admin not in the demo");
    bob.enableMultiFactor = false;

    expect(await handler(event(2))).toEqual([{ orgId: ORG, status: "FAIL", regressions: 1, published: 1 }]);
    expect(publishes()).toHaveLength(1);
    const [publish] = publishes() as [PublishCommandInput];
    expect(publish).toMatchObject({
      TopicArn: TOPIC,
      Subject: "[JumpCloud CRITICAL] 1.1 Secure Admin Portal Access: 1 regression",
      MessageStructure: "json",
    });
    expect(publish.MessageAttributes?.kind).toEqual({ DataType: "String", StringValue: "regression" });
    expect(publish.MessageAttributes?.orgId).toEqual({ DataType: "String", StringValue: ORG });

    const bodies = JSON.parse(String(publish.Message)) as { default: string; email: string };
    const email = bodies.email;
    expect(email).toContain("Control 1.1 Secure Admin Portal Access (L1, critical) is now FAIL.");
    expect(email).toMatch(/What got worse since the last run:\n {2}- .*bob\.admin@example\.com/);
    expect(email).toContain("frank.contractor@example.com");
    expect(email).toContain(`Finding: s3://${BUCKET}/findings/${ORG}/1.1/latest.json`);
    expect(email).not.toContain(sim.apiKey);
    const chat = JSON.parse(bodies.default) as ChatbotNotification;
    expect(chat).toMatchObject({ version: "1.0", source: "custom" });
    expect(chat.metadata.threadId).toBe(`jumpcloud-${ORG}-1.1`);
    expect(chat.content.description).toContain("bob.admin@example.com");

    const all = await keys();
    expect(history(all)).toHaveLength(2);
    expect(all.filter((k) => k.startsWith(`runs/${ORG}/`))).toHaveLength(2);
    const latest = await read<ControlFinding>(`findings/${ORG}/1.1/latest.json`);
    expect(latest.evaluatedAt).toBe(event(2).time);
    expect(
      latest.results
        .filter((r) => r.status === "FAIL")
        .map((r) => r.resourceName)
        .sort(),
    ).toEqual(["bob.admin@example.com", "frank.contractor@example.com"]);
  });

  it("event 2 delivered again: DUPLICATE, no new publish, no new object", async () => {
    const before = await keys();
    const requests = sim.requests.length;
    expect(await handler(event(2))).toEqual([
      { orgId: ORG, status: "DUPLICATE", regressions: 0, published: 0 },
    ]);
    expect(publishes()).toHaveLength(1);
    expect(await keys()).toEqual(before);
    expect(history(before)).toHaveLength(2);
    // Only the organization lookup that locates the event marker.
    expect(sim.requests.slice(requests).map((r) => r.path)).toEqual(["/api/organizations"]);
  });

  // 62 runs in ERROR are covered by the service test; here, the copy on a real S3 outlives the history.
  it("runs in ERROR, then all history expired, then a drift: the regression is still published", async () => {
    sim.faults.add({ kind: "status", status: 400, method: "GET", path: "/api/users" });
    for (let n = 3; n <= 5; n++) expect(await handler(event(n))).toMatchObject([{ status: "ERROR" }]);
    expect(publishes().map((p) => p.MessageAttributes?.kind?.StringValue)).toEqual([
      "regression",
      "evaluation-failure",
    ]);
    // The lifecycle rule expires history (tagged); the untagged copy and latest stay.
    const expired = history(await keys());
    expect(expired).toHaveLength(5);
    for (const key of expired) await bucket.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect((await read<ControlFinding>(`findings/${ORG}/1.1/last-evaluated.json`)).evaluatedAt).toBe(
      event(2).time,
    );

    sim.faults.clear();
    const erin = sim.scenario.organizations[0]?.admins.find((a) => a.email === "erin.ops@example.com");
    if (!erin) throw new Error("erin.ops not in the demo");
    erin.enableMultiFactor = false;
    expect(await handler(event(6))).toEqual([{ orgId: ORG, status: "FAIL", regressions: 1, published: 1 }]);
    const last = publishes().at(-1);
    expect(last?.MessageAttributes?.kind?.StringValue).toBe("regression");
    // Only erin is news: bob has been failing since event 2, the baseline however long ago.
    const { email } = JSON.parse(String(last?.Message)) as { email: string };
    const worse = email.split("What got worse since the last run:")[1]?.split("\n\n")[0] ?? "";
    expect(worse).toContain("erin.ops@example.com");
    expect(worse).not.toContain("bob.admin@example.com");
  });
});
