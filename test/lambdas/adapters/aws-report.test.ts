/**
 * The report's S3 adapter against a mocked S3Client: organizations from the `findings/` folders (paged,
 * 24-hex ids only), reads that tell absent from refused (S3 answers AccessDenied for a missing key when it
 * does not count the role as a lister), the size limit, writes with their content type, and the links.
 */
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { beforeEach, describe, expect, it } from "vitest";
import {
  awsReportDependencies,
  FINDING_LIMIT,
  s3ReportBucket,
} from "../../../lambdas/adapters/aws-report.js";

const BUCKET = "findings-bucket";
const ORG = "5f00000000000000000000a1";
const s3 = mockClient(S3Client);

beforeEach(() => {
  s3.reset();
});

function body(text: string, length?: number): GetObjectCommandOutput {
  return {
    $metadata: {},
    ...(length === undefined ? {} : { ContentLength: length }),
    Body: { transformToString: async () => text, destroy: () => {} },
  } as unknown as GetObjectCommandOutput;
}

const accessDenied = () =>
  new S3ServiceException({ name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 } });

const bucket = () => s3ReportBucket(new S3Client({ region: "us-east-1" }), BUCKET);

describe("s3ReportBucket", () => {
  it("finds organizations from the findings/ folders across pages, ignoring other names", async () => {
    s3.on(ListObjectsV2Command, {
      Prefix: "findings/",
      Delimiter: "/",
      ContinuationToken: undefined,
    }).resolves({
      CommonPrefixes: [{ Prefix: `findings/${ORG}/` }, { Prefix: "findings/readme/" }],
      IsTruncated: true,
      NextContinuationToken: "t2",
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: "t2" }).resolves({
      CommonPrefixes: [{ Prefix: "findings/5F00000000000000000000B2/" }, { Prefix: "findings/5f00/" }],
      IsTruncated: false,
    });
    expect(await bucket().organizations()).toEqual([ORG, "5F00000000000000000000B2"]);
    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: BUCKET, Prefix: "findings/" });
  });

  it("reads a control's latest.json as text from its key", async () => {
    s3.on(GetObjectCommand, { Key: `findings/${ORG}/1.1/latest.json` }).resolves(body('{"a":1}', 7));
    expect(await bucket().latest(ORG, "1.1")).toEqual({ kind: "text", text: '{"a":1}' });
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET });
  });

  it("NoSuchKey is absent", async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: "no", $metadata: {} }));
    expect(await bucket().latest(ORG, "1.1")).toEqual({ kind: "absent" });
  });

  it("AccessDenied for a key a listing does not show is absent; for one it shows, the error stands", async () => {
    const key = `findings/${ORG}/1.1/latest.json`;
    s3.on(GetObjectCommand).rejects(accessDenied());
    s3.on(ListObjectsV2Command, { Prefix: key, MaxKeys: 1 }).resolvesOnce({ Contents: [] });
    expect(await bucket().latest(ORG, "1.1")).toEqual({ kind: "absent" });
    s3.on(ListObjectsV2Command, { Prefix: key, MaxKeys: 1 }).resolves({ Contents: [{ Key: key }] });
    await expect(bucket().latest(ORG, "1.1")).rejects.toMatchObject({ name: "AccessDenied" });
  });

  it("AccessDenied when the listing is refused too: the error stands (never read as absent)", async () => {
    s3.on(GetObjectCommand).rejects(accessDenied());
    s3.on(ListObjectsV2Command).rejects(accessDenied());
    await expect(bucket().read(`reports/${ORG}/2026-11-29/summary.json`, 10)).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });

  it("other errors are thrown", async () => {
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({ name: "SlowDown", $fault: "server", $metadata: { httpStatusCode: 503 } }),
    );
    await expect(bucket().latest(ORG, "1.1")).rejects.toMatchObject({ name: "SlowDown" });
  });

  it("an object above the limit is not read (by its length), nor kept when its length was not given", async () => {
    s3.on(GetObjectCommand).resolves(body("", FINDING_LIMIT + 1));
    expect(await bucket().latest(ORG, "1.1")).toEqual({
      kind: "too-large",
      bytes: FINDING_LIMIT + 1,
      limit: FINDING_LIMIT,
    });
    s3.on(GetObjectCommand).resolves(body("é".repeat(6)));
    expect(await bucket().read("reports/x", 11)).toEqual({ kind: "too-large", bytes: 12, limit: 11 });
  });

  it("writes a report object with its content type", async () => {
    s3.on(PutObjectCommand).resolves({});
    await bucket().write("reports/x/report.html", "<html>", "text/html; charset=utf-8");
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: BUCKET,
      Key: "reports/x/report.html",
      Body: "<html>",
      ContentType: "text/html; charset=utf-8",
    });
  });
});

describe("awsReportDependencies", () => {
  const config = {
    FINDINGS_BUCKET: BUCKET,
    ALERTS_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:t",
    JC_ORG_IDS: [ORG],
    CONTROL_IDS: ["1.1"],
    STALE_AFTER_JSON: { "1.1": 172_800 },
    DAILY_DIGEST: true,
    AWS_REGION: "eu-west-1",
  };

  it("links a report object in the S3 console of the function's region, and carries the settings", () => {
    const deps = awsReportDependencies(config, new Logger(), new Metrics({ namespace: "T" }), {
      s3: new S3Client({ region: "eu-west-1" }),
      sns: new SNSClient({ region: "eu-west-1" }),
    });
    expect(deps.locate(`reports/${ORG}/2026-11-30/report.html`)).toEqual({
      uri: `s3://${BUCKET}/reports/${ORG}/2026-11-30/report.html`,
      consoleUrl: `https://eu-west-1.console.aws.amazon.com/s3/object/${BUCKET}?region=eu-west-1&prefix=reports%2F${ORG}%2F2026-11-30%2Freport.html`,
    });
    expect(deps.settings).toMatchObject({ orgIds: [ORG], controlIds: ["1.1"], dailyDigest: true });
    expect(deps.settings.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("refuses a deployed control without a stale limit at cold start", () => {
    expect(() =>
      awsReportDependencies({ ...config, CONTROL_IDS: ["1.1", "2.1"] }, new Logger(), new Metrics()),
    ).toThrow("Invalid configuration: STALE_AFTER_JSON: no entry for control 2.1");
  });
});
