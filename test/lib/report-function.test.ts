/** The report function: its schedule after the audits, its environment contract and its narrow role. */
import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { CONTROLS } from "../../lambdas/controls/registry.js";
import { loadReportConfig } from "../../lambdas/service/config.js";
import { staleAfterSeconds } from "../../lib/report-function.js";
import {
  logicalId,
  type PolicyDocument,
  type PolicyStatement,
  refId,
  resource,
  resources,
  synth,
} from "./synth.js";

const DAY = 86_400;

/** The report function's id, environment, rules and role policy in a template. */
function reportOf(template: Template) {
  const functionId = logicalId(template, "AWS::Lambda::Function", "ReportReporterFunction");
  const fn = resource(template, functionId);
  const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const rules = Object.values(resources(template, "AWS::Events::Rule")).filter((rule) =>
    JSON.stringify(rule.Properties.Targets).includes(functionId),
  );
  const roleId = refId(fn.Properties.Role);
  const policies = Object.values(resources(template, "AWS::IAM::Policy")).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some((role) => refId(role) === roleId),
  );
  expect(policies).toHaveLength(1);
  const statements = (policies[0]?.Properties.PolicyDocument as PolicyDocument | undefined)?.Statement ?? [];
  return { functionId, variables, rules, statements };
}

const actionsOf = (statement: PolicyStatement) => [statement.Action].flat();

describe("the default report function", () => {
  let template: Template;
  let report: ReturnType<typeof reportOf>;
  beforeAll(() => {
    ({ template } = synth());
    report = reportOf(template);
  });

  it("has exactly the environment of loadReportConfig's contract, and it loads", () => {
    const { variables } = report;
    const contract = Object.keys(variables)
      .filter((name) => !name.startsWith("POWERTOOLS_"))
      .sort();
    expect(contract).toEqual(
      [
        "ALERTS_TOPIC_ARN",
        "CONTROL_IDS",
        "DAILY_DIGEST",
        "FINDINGS_BUCKET",
        "JC_ORG_IDS",
        "STALE_AFTER_JSON",
      ].sort(),
    );
    expect(variables).toMatchObject({
      FINDINGS_BUCKET: { Ref: logicalId(template, "AWS::S3::Bucket", "FindingsBucket") },
      ALERTS_TOPIC_ARN: { Ref: logicalId(template, "AWS::SNS::Topic", "AlertsTopic") },
      JC_ORG_IDS: "",
      CONTROL_IDS: CONTROLS.map((c) => c.id).join(","),
      DAILY_DIGEST: "false",
      POWERTOOLS_SERVICE_NAME: "jumpcloud-report",
    });
    // Every control is daily: stale after two days.
    expect(JSON.parse(String(variables.STALE_AFTER_JSON))).toEqual(
      Object.fromEntries(CONTROLS.map((c) => [c.id, 2 * DAY])),
    );
    const config = loadReportConfig({
      ...(Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])) as Record<
        string,
        string
      >),
      FINDINGS_BUCKET: "findings-bucket",
      ALERTS_TOPIC_ARN: "arn:aws:sns:eu-west-1:111122223333:alerts",
    });
    expect(config.CONTROL_IDS).toEqual(CONTROLS.map((c) => c.id));
    expect(config.DAILY_DIGEST).toBe(false);
  });

  it("runs 30 minutes after the last staggered audit, with { eventId, time }, retried, then dead-lettered", () => {
    expect(report.rules).toHaveLength(1);
    expect(report.rules[0]?.Properties).toMatchObject({
      ScheduleExpression: "cron(57 6 * * ? *)",
      State: "ENABLED",
      Targets: [
        {
          Arn: { "Fn::GetAtt": [report.functionId, "Arn"] },
          InputTransformer: {
            InputPathsMap: { id: "$.id", time: "$.time" },
            InputTemplate: '{"eventId":<id>,"time":<time>}',
          },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: {
            Arn: { "Fn::GetAtt": [logicalId(template, "AWS::SQS::Queue", "DeadLetters"), "Arn"] },
          },
        },
      ],
    });
  });

  it("reads the latest findings, lists findings/ and reports/, reads and writes reports/, and deletes nothing", () => {
    const bucket = logicalId(template, "AWS::S3::Bucket", "FindingsBucket");
    const objects = (suffix: string) => ({ "Fn::Join": ["", [{ "Fn::GetAtt": [bucket, "Arn"] }, suffix]] });
    const s3 = report.statements.filter((s) => actionsOf(s).some((a) => a.startsWith("s3:")));
    expect(s3).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: "s3:GetObject",
          Resource: [objects("/findings/*/*/latest.json"), objects("/reports/*")],
        }),
        expect.objectContaining({ Action: "s3:PutObject", Resource: objects("/reports/*") }),
        expect.objectContaining({
          Action: "s3:ListBucket",
          Resource: { "Fn::GetAtt": [bucket, "Arn"] },
          Condition: { StringLike: { "s3:prefix": ["findings/", "findings/*", "reports/", "reports/*"] } },
        }),
      ]),
    );
    expect(s3).toHaveLength(3);
    expect(JSON.stringify(report.statements)).not.toMatch(/Delete|secretsmanager|RemediationSealKey/);
  });

  it("decrypts and generates data keys with the findings key, never Encrypt or ReEncrypt", () => {
    const findingsKey = logicalId(template, "AWS::KMS::Key", "FindingsKey");
    const onKey = report.statements.filter((s) => JSON.stringify(s.Resource).includes(findingsKey));
    expect(onKey.flatMap(actionsOf).sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
  });

  it("publishes to the alerts topic only", () => {
    const topic = logicalId(template, "AWS::SNS::Topic", "AlertsTopic");
    const publish = report.statements.filter((s) => actionsOf(s).includes("sns:Publish"));
    expect(publish.map((s) => s.Resource)).toEqual([{ Ref: topic }]);
  });

  it("is named in the stack outputs, for on-demand reports", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    expect(outputs.ReportFunctionName).toEqual({
      Value: { Ref: report.functionId },
      Description: "Function to invoke for an on-demand report",
    });
  });
});

describe("configured report functions", () => {
  it("follow jcAudit:reportSchedule, jcAudit:dailyDigest, jcAudit:orgIds and each control's schedule", () => {
    const { template } = synth({
      "jcAudit:controls": "1.1,2.1,5.2",
      "jcAudit:schedule": "cron(0 6 ? * MON-FRI *)",
      "jcAudit:schedules": { "5.2": "rate(6 hours)" },
      "jcAudit:reportSchedule": "cron(0 8 * * ? *)",
      "jcAudit:dailyDigest": "true",
      "jcAudit:orgIds": "5f1b2c3d4e5f6a7b8c9d0e1f",
    });
    const { variables, rules } = reportOf(template);
    expect(rules.map((rule) => rule.Properties.ScheduleExpression)).toEqual(["cron(0 8 * * ? *)"]);
    expect(variables).toMatchObject({
      CONTROL_IDS: "1.1,2.1,5.2",
      DAILY_DIGEST: "true",
      JC_ORG_IDS: "5f1b2c3d4e5f6a7b8c9d0e1f",
    });
    // Weekdays: Friday to Monday is three days; every six hours: twelve hours.
    expect(JSON.parse(String(variables.STALE_AFTER_JSON))).toEqual({
      "1.1": 6 * DAY,
      "2.1": 6 * DAY,
      "5.2": 12 * 3600,
    });
  });

  it("compute staleness as two schedule periods", () => {
    expect(staleAfterSeconds({ "1.1": "rate(1 day)", "4.2": "cron(0 6 L * ? *)" })).toEqual({
      "1.1": 2 * DAY,
      "4.2": 62 * DAY,
    });
  });
});
