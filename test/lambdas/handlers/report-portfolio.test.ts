/**
 * The real report handler module, the fan-out's last step (`portfolio: true`, `JC_ORG_IDS=all`), over a
 * mocked S3 and SNS: the organizations' reports then the portfolio are written, and what it returns is
 * the portfolio's keys and counts with no per-organization summaries (a state passes at most 256 KiB).
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { layout } from "../../../lambdas/store/findings-store.js";
import { fakeBucket } from "../../helpers/aws.js";
import { finding, row } from "../../helpers/findings.js";

const ORGS = ["5f0000000000000000000001", "5f0000000000000000000002"];
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
let objects: Map<string, string>;

const ENV = {
  FINDINGS_BUCKET: "jc-findings-test",
  ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts",
  AWS_REGION: "us-east-1",
  JC_ORG_IDS: "all",
  CONTROL_IDS: "1.1",
  STALE_AFTER_JSON: '{"1.1":172800}',
  DAILY_DIGEST: "false",
  POWERTOOLS_LOG_LEVEL: "ERROR",
};

beforeEach(() => {
  objects = fakeBucket(s3);
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
  vi.resetModules();
  const evaluatedAt = new Date(Date.now() - 3_600_000).toISOString();
  for (const orgId of ORGS)
    objects.set(
      layout.latest(orgId, "1.1"),
      JSON.stringify(finding([row(orgId === ORGS[1] ? "FAIL" : "PASS", "a")], { orgId, evaluatedAt })),
    );
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  s3.reset();
  sns.reset();
});

describe("report handler, portfolio: true", () => {
  it("writes each organization's report then the portfolio, and returns its keys and counts only", async () => {
    const { handler } = await import("../../../lambdas/handlers/report.js");
    const time = new Date().toISOString();
    const date = time.slice(0, 10);
    const result = await handler({ eventId: "exec-1", time, orgIds: ORGS, portfolio: true });
    expect(result).toEqual({
      date,
      time,
      organizations: [],
      portfolio: {
        html: `reports/_portfolio/${date}.html`,
        csv: `reports/_portfolio/${date}.csv`,
        organizations: 2,
        failed: 0,
        withFail: 1,
        withError: 0,
      },
    });
    for (const orgId of ORGS) expect(objects.has(`reports/${orgId}/latest.html`)).toBe(true);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Key: `reports/_portfolio/${date}.html`,
      ContentType: "text/html; charset=utf-8",
    });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Key: `reports/_portfolio/${date}.csv`,
      ContentType: "text/csv; charset=utf-8",
    });
    expect(objects.get(`reports/_portfolio/${date}.csv`)?.split("\r\n")[1]).toMatch(
      new RegExp(`^${ORGS[1]},,reported,1,`),
    );
  });

  it("refuses a portfolio flag that is not a boolean before any request", async () => {
    const { handler } = await import("../../../lambdas/handlers/report.js");
    await expect(handler({ portfolio: "yes" })).rejects.toMatchObject({ code: "INVALID_EVENT" });
    expect(s3.calls()).toHaveLength(0);
  });
});
