/**
 * The real audit handler module, configured through their environment before import
 * (a cold start per case), with S3, SNS and Secrets Manager mocked and JumpCloud served by the simulator.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OrgOutcome } from "../../../lambdas/service/scheduled-audit.js";
import { buildPreset, type RunningSimulator, startSimulator } from "../../../sim/index.js";
import { COMPLIANT_ORG_ID } from "../../../sim/presets/compliant.js";
import { NOW } from "../../helpers/audit.js";
import { fakeBucket } from "../../helpers/aws.js";
import { rejection } from "../../helpers/simulator.js";

const BUCKET = "jc-findings-test";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jumpcloud-audit-AbCdEf";
/** A distinctive key, to look for anywhere it must not be. */
const KEY = "jcKEY-9f2c1e7a5b3d4c6e8f0a1b2c3d4e5f60-leakcheck";
const WRONG_KEY = "jcWRONG-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d-leakcheck";

const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const sm = mockClient(SecretsManagerClient);

const awsCalls = () => s3.calls().length + sns.calls().length + sm.calls().length;

let sim: RunningSimulator;

beforeEach(async () => {
  // The handler refuses events more than a day from the system clock: the clock is the simulator's.
  vi.setSystemTime(NOW);
  vi.resetModules();
  s3.reset();
  sns.reset();
  sm.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  sm.on(GetSecretValueCommand).resolves({ SecretString: KEY });
  sim = await startSimulator({ scenario: { ...buildPreset("compliant", NOW), apiKey: KEY }, now: () => NOW });
});
afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await sim.close();
});

/** Sets the audit function's environment, then imports the handler (a cold start). */
async function coldStart(env: Record<string, string | undefined> = {}) {
  const base: Record<string, string | undefined> = {
    FINDINGS_BUCKET: BUCKET,
    ALERTS_TOPIC_ARN: TOPIC,
    API_KEY_SECRET_ARN: SECRET,
    JC_REGION: "us",
    JC_BASE_URL: sim.url,
    JC_INSIGHTS_URL: sim.insightsUrl,
    JC_ORG_IDS: undefined,
    JC_ORG_EXCLUDE: undefined,
    JC_PLAN: undefined,
    THRESHOLDS_JSON: undefined,
    ANNOUNCE_RECOVERIES: undefined,
    ERROR_ALERT_AFTER: undefined,
    AWS_REGION: "us-east-1",
    POWERTOOLS_LOG_LEVEL: "DEBUG",
    POWERTOOLS_DEV: undefined,
  };
  for (const [name, value] of Object.entries({ ...base, ...env })) vi.stubEnv(name, value);
  vi.resetModules();
  return (await import("../../../lambdas/handlers/audit.js")).handler;
}

/** The n-th scheduled event of control 1.1, one hour apart. */
const event = (n: number) => ({
  controlId: "1.1",
  eventId: `e-${n}`,
  time: new Date(NOW.getTime() + n * 3_600_000).toISOString(),
});

/** Captures everything written to stdout/stderr and the console (Powertools logs to stdout). */
function captureOutput(): () => string {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(record);
  vi.spyOn(process.stderr, "write").mockImplementation(record);
  for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      chunks.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
  return () => chunks.join("");
}

describe("audit handler: a valid event", () => {
  it("audits the control on a first run: PASS, baseline written to S3, nothing published", async () => {
    captureOutput();
    const objects = fakeBucket(s3);
    const handler = await coldStart();
    const outcomes = await handler(event(1));
    expect(outcomes).toEqual([{ orgId: COMPLIANT_ORG_ID, status: "PASS", regressions: 0, published: 0 }]);

    const keys = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    const history = `findings/${COMPLIANT_ORG_ID}/1.1/history/${event(1).time.replace(/:/g, "-")}.json`;
    const latest = `findings/${COMPLIANT_ORG_ID}/1.1/latest.json`;
    const marker = `events/${COMPLIANT_ORG_ID}/1.1/e-1.json`;
    expect(keys).toEqual([
      marker, // {sent: [], healthTracked: true}: alerts (none) are handled
      history,
      `findings/${COMPLIANT_ORG_ID}/1.1/last-evaluated.json`, // the baseline of later regressions
      latest,
      expect.stringMatching(new RegExp(`^runs/${COMPLIANT_ORG_ID}/\\d{8}T\\d{6}Z-[0-9a-f]{6}\\.json$`)),
      marker, // {sent: [], healthTracked: true, done: true}
    ]);
    for (const call of s3.commandCalls(PutObjectCommand)) expect(call.args[0].input.Bucket).toBe(BUCKET);
    expect(JSON.parse(objects.get(latest) ?? "")).toMatchObject({
      controlId: "1.1",
      orgId: COMPLIANT_ORG_ID,
      status: "PASS",
      evaluatedAt: event(1).time,
    });
    expect(JSON.parse(objects.get(marker) ?? "")).toEqual({ sent: [], healthTracked: true, done: true });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET });
    // The simulator was reached through JC_BASE_URL with the key from the secret.
    expect(sim.requests.map((r) => [r.path, r.status])).toEqual([
      ["/api/organizations", 200],
      [`/api/organizations/${COMPLIANT_ORG_ID}`, 200],
      ["/api/users", 200],
    ]);
  });

  it("audits each configured organization with its x-org-id", async () => {
    captureOutput();
    fakeBucket(s3);
    const handler = await coldStart({ JC_ORG_IDS: ` ${COMPLIANT_ORG_ID} ` });
    expect(await handler(event(1))).toEqual([
      { orgId: COMPLIANT_ORG_ID, status: "PASS", regressions: 0, published: 0 },
    ]);
    expect(sim.requests.find((r) => r.path === "/api/users")?.orgId).toBe(COMPLIANT_ORG_ID);
  });
});

describe("audit handler: fan-out events (MSP)", () => {
  const OTHER = "5f00000000000000000000ff";

  it("answers a discovery request with the organizations the key sees, nothing written", async () => {
    captureOutput();
    const handler = await coldStart({ JC_ORG_IDS: "all" });
    const { time } = event(1);
    expect(await handler({ action: "discover", eventId: "exec-1", time })).toEqual({
      orgIds: [COMPLIANT_ORG_ID],
      eventId: "exec-1",
      time,
    });
    expect(sim.requests.map((r) => [r.path, r.orgId])).toEqual([["/api/organizations", undefined]]);
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    expect(sns.calls()).toEqual([]);
  });

  it("audits a fan-out item's organization", async () => {
    captureOutput();
    fakeBucket(s3);
    const handler = await coldStart({ JC_ORG_IDS: "all" });
    expect(await handler({ ...event(1), orgId: COMPLIANT_ORG_ID })).toEqual([
      { orgId: COMPLIANT_ORG_ID, status: "PASS", regressions: 0, published: 0 },
    ]);
  });

  it.each([
    [{ JC_ORG_IDS: COMPLIANT_ORG_ID }, OTHER, /is not one of the configured organizations \(JC_ORG_IDS\)$/],
    [{ JC_ORG_IDS: "all", JC_ORG_EXCLUDE: OTHER }, OTHER, /is excluded by JC_ORG_EXCLUDE$/],
  ])("refuses an item the configuration leaves out before any call: %j", async (env, orgId, message) => {
    captureOutput();
    const handler = await coldStart(env);
    const error = await rejection(handler({ ...event(1), orgId }));
    expect(error.name).toBe("InvalidEventError");
    expect(error.message).toMatch(message);
    expect(awsCalls()).toBe(0);
    expect(sim.requests).toEqual([]);
  });
});

describe("audit handler: invalid events", () => {
  it.each([
    ["a missing controlId", { eventId: "e-1", time: "2026-11-28T12:00:00Z" }, /^Invalid event: controlId: /],
    [
      "an unknown extra field",
      { controlId: "1.1", eventId: "e-1", time: "2026-11-28T12:00:00Z", detail: {} },
      /^Invalid event: \(root\): Unrecognized key.*"detail"/,
    ],
    [
      "a bad time",
      { controlId: "1.1", eventId: "e-1", time: "yesterday" },
      /^Invalid event: time: must be an ISO 8601/,
    ],
    [
      "a controlId outside the catalog's shape",
      { controlId: "9.9", eventId: "e-1", time: "2026-11-28T12:00:00Z" },
      /^Invalid event: controlId: must be a control id of the catalog, like 2\.1$/,
    ],
    [
      "an empty eventId",
      { controlId: "1.1", eventId: "", time: "2026-11-28T12:00:00Z" },
      /^Invalid event: eventId: /,
    ],
    ["a string", "1.1", /^Invalid event: \(root\): /],
    ["null", null, /^Invalid event: \(root\): /],
    [
      "an array",
      [{ controlId: "1.1", eventId: "e-1", time: "2026-11-28T12:00:00Z" }],
      /^Invalid event: \(root\): /,
    ],
  ])("refuses %s with one clear error, before any AWS or JumpCloud call", async (_name, payload, message) => {
    captureOutput();
    const handler = await coldStart();
    const error = await rejection(handler(payload));
    expect(error.name).toBe("InvalidEventError");
    expect(error.message).toMatch(message);
    expect(error.message.split("\n")).toHaveLength(1);
    expect(awsCalls()).toBe(0);
    expect(sim.requests).toEqual([]);
  });

  it("refuses a well-formed control id missing from the catalog before any call", async () => {
    captureOutput();
    const handler = await coldStart();
    const error = await rejection(
      handler({ controlId: "1.3", eventId: "e-1", time: "2026-11-28T12:00:00Z" }),
    );
    expect(error.message).toBe("Invalid event: controlId: must be a control id of the catalog, like 2.1");
    expect(awsCalls()).toBe(0);
    expect(sim.requests).toEqual([]);
  });
});

describe("audit handler: events from another era", () => {
  it.each([
    ["a year ago", -365 * 86_400_000, "before"],
    ["in 2020", Date.parse("2020-03-01T06:00:00Z") - NOW.getTime(), "before"],
    ["two days ahead", 2 * 86_400_000, "after"],
  ])(
    "refuses an event stamped %s with one clear error, before any AWS or JumpCloud call",
    async (_name, offset, side) => {
      captureOutput();
      const handler = await coldStart();
      const time = new Date(NOW.getTime() + offset).toISOString();
      const error = await rejection(handler({ controlId: "5.2", eventId: "e-old", time }));
      expect(error.name).toBe("InvalidEventError");
      expect(error.message).toBe(
        `Invalid event: time: ${time} is more than 1 day ${side} now (${NOW.toISOString()}); refusing to evaluate another era`,
      );
      expect(awsCalls()).toBe(0);
      expect(sim.requests).toEqual([]);
    },
  );
});

describe("audit handler: configuration", () => {
  it.each([
    ["FINDINGS_BUCKET", { FINDINGS_BUCKET: undefined }],
    ["ALERTS_TOPIC_ARN", { ALERTS_TOPIC_ARN: "jumpcloud-alerts" }],
    ["JC_REGION", { JC_REGION: "mars" }],
    ["THRESHOLDS_JSON", { THRESHOLDS_JSON: "{not json" }],
    ["JC_ORG_IDS.1", { JC_ORG_IDS: `${COMPLIANT_ORG_ID},acme` }],
    ["JC_BASE_URL", { JC_BASE_URL: "not a url" }],
  ])("fails the cold start naming %s", async (name, env) => {
    captureOutput();
    const error = await rejection(coldStart(env));
    expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${name.replace(".", "\\.")}: .+`));
    expect(awsCalls()).toBe(0);
    expect(sim.requests).toEqual([]);
  });
});

describe("audit handler: the API key never leaks", () => {
  it("appears in no log line, S3 object, SNS message or error across regressions and a rejected key", async () => {
    const output = captureOutput();
    fakeBucket(s3);
    const errors: string[] = [];

    // Cold start 1, the right key: baseline, then a drift and its regression alert.
    let handler = await coldStart({ JC_ORG_IDS: COMPLIANT_ORG_ID });
    await handler(event(1));
    const bob = sim.scenario.organizations[0]?.admins.find((a) => a.email === "bob.admin@example.com");
    if (!bob) throw new Error("bob.admin not in the scenario");
    bob.enableMultiFactor = false;
    expect(((await handler(event(2))) as OrgOutcome[])[0]).toMatchObject({ status: "FAIL", published: 1 });

    // Cold start 2, a rotated-away key in the secret: AUTH_REJECTED, alerted at once.
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: WRONG_KEY }) });
    handler = await coldStart({ JC_ORG_IDS: COMPLIANT_ORG_ID });
    expect(((await handler(event(3))) as OrgOutcome[])[0]).toMatchObject({ status: "ERROR", published: 1 });

    // Cold start 3, the wrong key and no org ids: the org cannot be resolved; alerted once, the invocation fails.
    handler = await coldStart();
    const error = await rejection(handler(event(4)));
    errors.push(error.message, String(error.stack), JSON.stringify(error));
    expect(error.message).toMatch(/API key rejected/);

    const kinds = sns
      .commandCalls(PublishCommand)
      .map((c) => c.args[0].input.MessageAttributes?.kind?.StringValue);
    expect(kinds).toEqual(["regression", "evaluation-failure", "evaluation-failure"]);
    expect(sim.requests.some((r) => r.status === 401)).toBe(true);

    const logs = output();
    // The capture works: the handler's structured logs are in it.
    expect(logs).toContain("Scheduled audit finished");
    expect(logs).toContain("Cannot resolve the organization");
    const bodies = s3.commandCalls(PutObjectCommand).map((c) => String(c.args[0].input.Body));
    const messages = sns
      .commandCalls(PublishCommand)
      .map((c) => `${c.args[0].input.Subject}\n${c.args[0].input.Message}`);
    expect(bodies.length).toBeGreaterThan(5);
    for (const text of [logs, ...bodies, ...messages, ...errors]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(WRONG_KEY);
    }
  });
});
