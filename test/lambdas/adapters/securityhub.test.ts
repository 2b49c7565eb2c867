/**
 * The Security Hub adapter against a mocked SecurityHubClient, its metrics, and how the audit
 * function's dependencies turn it on only when the stack sets SECURITY_HUB_PRODUCT_ARN.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { S3Client } from "@aws-sdk/client-s3";
import { BatchImportFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { awsAuditDependencies } from "../../../lambdas/adapters/aws-audit.js";
import { powertoolsExportMetrics, securityHubSink } from "../../../lambdas/adapters/securityhub.js";
import { asffFindings, productTarget } from "../../../lambdas/securityhub/asff.js";
import { loadAuditConfig } from "../../../lambdas/service/config.js";
import { stateKeys } from "../../../lambdas/service/state-store.js";
import { fakeBucket } from "../../helpers/aws.js";
import { finding, row } from "../../helpers/findings.js";
import { UNSAFE_IN_LINE } from "../shared/hostile.js";

const ARN = "arn:aws:securityhub:eu-central-1:123456789012:product/123456789012/default";
const ORG = "5f0000000000000000000001";
const hub = mockClient(SecurityHubClient);
const s3 = mockClient(S3Client);
const findings = asffFindings(finding([row("FAIL", "a"), row("PASS", "b")]), productTarget(ARN));

beforeEach(() => {
  hub.reset();
  s3.reset();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("securityHubSink", () => {
  it("sends one BatchImportFindings with the findings and returns no failure when all are imported", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ SuccessCount: 2, FailedCount: 0, FailedFindings: [] });
    expect(await securityHubSink(new SecurityHubClient({})).importBatch(findings)).toEqual([]);
    expect(hub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
    expect(hub).toHaveReceivedCommandWith(BatchImportFindingsCommand, { Findings: findings });
  });

  it("returns refused findings with their codes, cleaned", async () => {
    hub.on(BatchImportFindingsCommand).resolves({
      SuccessCount: 1,
      FailedCount: 1,
      FailedFindings: [{ Id: "x", ErrorCode: "InvalidInput", ErrorMessage: "bad \u001b[2J\nvalue" }],
    });
    const [failed, ...rest] = await securityHubSink(new SecurityHubClient({})).importBatch(findings);
    expect(rest).toEqual([]);
    expect(failed?.id).toBe("x");
    expect(failed?.code).toBe("InvalidInput");
    expect(failed?.message).not.toMatch(UNSAFE_IN_LINE);
  });

  it("adds an entry without an id when Security Hub counts more failures than it lists", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ SuccessCount: 0, FailedCount: 2 });
    expect(await securityHubSink(new SecurityHubClient({})).importBatch(findings)).toEqual([
      { id: "", code: "UNLISTED_FAILURE", message: "2 failed, 0 listed" },
    ]);
  });

  it("lets a failed call surface (the importer reports it)", async () => {
    hub
      .on(BatchImportFindingsCommand)
      .rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    await expect(securityHubSink(new SecurityHubClient({})).importBatch(findings)).rejects.toThrow("denied");
  });
});

describe("powertoolsExportMetrics", () => {
  it("emits imported, failed and error counts per control", () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    const metrics = new Metrics({ namespace: "JumpCloudHardening", serviceName: "jumpcloud-audit" });
    powertoolsExportMetrics(metrics).record("2.1", {
      imported: 7,
      archived: 1,
      failed: [{ id: "x", code: "InvalidInput", message: "" }],
      skipped: 0,
      error: { code: "IMPORT_CALL_FAILED", message: "denied" },
    });
    // A single metric is flushed at each addMetric: one EMF line per metric, each with the dimension.
    const emf = lines
      .filter((l) => l.includes("SecurityHub"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(emf.every((line) => line.controlId === "2.1")).toBe(true);
    expect(Object.assign({}, ...emf)).toMatchObject({
      controlId: "2.1",
      SecurityHubImported: 7,
      SecurityHubFailed: 1,
      SecurityHubExportErrors: 1,
    });
  });
});

describe("awsAuditDependencies: Security Hub", () => {
  const env = {
    FINDINGS_BUCKET: "jc-findings",
    ALERTS_TOPIC_ARN: "arn:aws:sns:eu-central-1:123456789012:alerts",
    API_KEY_SECRET_ARN: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:key",
    AWS_REGION: "eu-central-1",
  };
  const logger = new Logger({ serviceName: "test", logLevel: "SILENT" });
  const metrics = () => new Metrics({ namespace: "JumpCloudHardening", serviceName: "jumpcloud-audit" });

  it("is off without SECURITY_HUB_PRODUCT_ARN", () => {
    const deps = awsAuditDependencies(loadAuditConfig(env), logger, metrics(), { s3: new S3Client({}) });
    expect(deps.securityHub).toBeUndefined();
  });

  it("imports into the configured product and keeps its state in the findings bucket", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const objects = fakeBucket(s3);
    hub.on(BatchImportFindingsCommand).resolves({ SuccessCount: 2, FailedCount: 0, FailedFindings: [] });
    const deps = awsAuditDependencies(
      loadAuditConfig({ ...env, SECURITY_HUB_PRODUCT_ARN: ARN }),
      logger,
      metrics(),
      {
        s3: new S3Client({}),
        securityHub: new SecurityHubClient({}),
      },
    );
    const summary = await deps.securityHub?.export(finding([row("FAIL", "a"), row("PASS", "b")]));
    expect(summary).toEqual({ imported: 2, archived: 0, failed: [], skipped: 0 });
    const sent = hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
    expect(sent.map((f) => [f.ProductArn, f.AwsAccountId, f.Region])).toEqual([
      [ARN, "123456789012", "eu-central-1"],
      [ARN, "123456789012", "eu-central-1"],
    ]);
    expect(JSON.parse(objects.get(stateKeys.securityHub(ORG, "1.1")) ?? "{}")).toEqual({
      version: 1,
      active: [`jc-audit/${ORG}/1.1/admin/a/admin-mfa`],
    });
  });

  it("calls the Security Hub of the product ARN's region", async () => {
    const deps = awsAuditDependencies(
      loadAuditConfig({ ...env, SECURITY_HUB_PRODUCT_ARN: ARN.replace(/eu-central-1/, "us-west-2") }),
      logger,
      metrics(),
      { s3: new S3Client({}) },
    );
    fakeBucket(s3);
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    let region: string | undefined;
    hub.on(BatchImportFindingsCommand).callsFake(async (_input, getClient) => {
      region = await getClient().config.region();
      return { SuccessCount: 1, FailedCount: 0 };
    });
    await deps.securityHub?.export(finding([row("FAIL", "a")]));
    expect(region).toBe("us-west-2");
  });
});
