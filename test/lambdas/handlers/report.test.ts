/**
 * The real report handler module over a mocked S3 (an in-memory bucket) and SNS: an on-demand `{}`
 * writes the reports and publishes the digest, a bad event is refused before any request, and a bad
 * environment fails the cold start naming the variable.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { layout } from "../../../lambdas/store/findings-store.js";
import { fakeBucket } from "../../helpers/aws.js";
import { finding, row } from "../../helpers/findings.js";

const ORG = "5f0000000000000000000001";
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
let objects: Map<string, string>;

const ENV = {
  FINDINGS_BUCKET: "jc-findings-test",
  ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts",
  AWS_REGION: "us-east-1",
  JC_ORG_IDS: ORG,
  CONTROL_IDS: "1.1,2.1",
  STALE_AFTER_JSON: '{"1.1":172800,"2.1":172800}',
  DAILY_DIGEST: "true",
  POWERTOOLS_LOG_LEVEL: "ERROR",
};

beforeEach(() => {
  objects = fakeBucket(s3);
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  // Powertools prints EMF metrics to stdout and the SDK's Node version warning to stderr.
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
  vi.resetModules();
  // 1.1 evaluated an hour ago and passing; 2.1 never evaluated.
  const evaluatedAt = new Date(Date.now() - 3_600_000).toISOString();
  objects.set(
    layout.latest(ORG, "1.1"),
    JSON.stringify(finding([row("PASS", "a")], { orgId: ORG, evaluatedAt })),
  );
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  s3.reset();
  sns.reset();
});

const handlerModule = () => import("../../../lambdas/handlers/report.js");

describe("report handler", () => {
  it("on demand ('{}'): writes today's report and publishes one digest", async () => {
    const { handler } = await handlerModule();
    const result = await handler({});
    const date = new Date().toISOString().slice(0, 10);
    expect(result.organizations).toEqual([
      expect.objectContaining({
        orgId: ORG,
        date,
        counts: { FAIL: 0, ERROR: 1, MANUAL: 0, MUTED: 0, PASS: 1, NOT_APPLICABLE: 0 },
        problems: { stale: 0, missing: 1, invalid: 0 },
        digest: "published",
      }),
    ]);
    expect([...objects.keys()].filter((k) => k.startsWith("reports/")).sort()).toEqual([
      `reports/${ORG}/${date}/actions.csv`,
      `reports/${ORG}/${date}/digest-sent.json`,
      `reports/${ORG}/${date}/findings.ocsf.json`,
      `reports/${ORG}/${date}/report.html`,
      `reports/${ORG}/${date}/summary.json`,
      `reports/${ORG}/latest.html`,
    ]);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Key: `reports/${ORG}/${date}/report.html`,
      ContentType: "text/html; charset=utf-8",
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: ENV.ALERTS_TOPIC_ARN,
      MessageAttributes: expect.objectContaining({ kind: { DataType: "String", StringValue: "digest" } }),
    });
  });

  it("refuses a bad event before any request", async () => {
    const { handler } = await handlerModule();
    // The module was loaded afresh, with its own copy of InvalidEventError: compared by name and code.
    await expect(handler({ orgIds: ["nope"] })).rejects.toMatchObject({
      name: "InvalidEventError",
      code: "INVALID_EVENT",
    });
    await expect(handler({ controlId: "1.1" })).rejects.toThrow(/^Invalid event: /);
    expect(s3.calls()).toHaveLength(0);
  });

  it("fails the cold start on a bad environment, naming the variable", async () => {
    vi.stubEnv("STALE_AFTER_JSON", "[1]");
    await expect(handlerModule()).rejects.toThrow(/^Invalid configuration: STALE_AFTER_JSON: /);
  });
});
