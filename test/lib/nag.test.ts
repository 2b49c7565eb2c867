/**
 * cdk-nag's AWS Solutions and NIST 800-53 rev 5 checks, through CDK's policy validation exactly as
 * `cdk synth` runs them (with CDK's built-in CloudFormation template validation too): no finding may be
 * left unacknowledged, in the default deployment or any variant, and every acknowledgement carries its
 * reason.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Validations } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { createAuditApp } from "../../lib/app.js";
import { CDK_JSON_CONTEXT } from "./synth.js";

const ALL_OPTIONS = {
  "jcAudit:alertEmails": ["secops@example.com"],
  "jcAudit:slackWorkspaceId": "T0123ABCD",
  "jcAudit:slackChannelId": "C0123ABCD",
  "jcAudit:objectLockDays": 365,
  "jcAudit:tracing": true,
  "jcAudit:reservedConcurrency": "none",
};

/** Synthesizes like the CLI (CloudFormation validation on, no bundling) and returns the validation report. */
function synthesizeWithChecks(context: Record<string, unknown>) {
  const { app, stack } = createAuditApp({
    context: { ...CDK_JSON_CONTEXT, "aws:cdk:bundling-stacks": [], ...context },
  });
  const assembly = app.synth();
  const reportFile = join(assembly.directory, "validation-report.json");
  const report = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, "utf8")) as {
        pluginReports: Array<{ summary?: unknown; violations?: unknown[] }>;
      })
    : { pluginReports: [] };
  return { app, stack, report };
}

/** Every acknowledgement in a construct tree: rule id, reason and where. */
function acknowledgements(root: IConstruct): Array<{ id: string; reason: string; path: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ""),
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

describe("cdk-nag AwsSolutionsChecks and NIST80053R5Checks", () => {
  it("report nothing on the default deployment", () => {
    const { report } = synthesizeWithChecks({});
    expect(report.pluginReports).toEqual([]);
  }, 60_000);

  it.each([
    ["Slack, e-mail, Object Lock, X-Ray tracing and no reserved concurrency", ALL_OPTIONS],
    ["Security Hub import", { "jcAudit:securityHub": true }],
    ["detections off", { "jcAudit:detections": "false" }],
    ["no reserved concurrency", { "jcAudit:reservedConcurrency": "none" }],
    [
      "Object Lock in COMPLIANCE mode",
      { "jcAudit:objectLockDays": 30, "jcAudit:objectLockMode": "COMPLIANCE" },
    ],
  ])("report nothing with %s", (_name, context) => {
    const { report } = synthesizeWithChecks(context);
    expect(report.pluginReports).toEqual([]);
  });

  it("fail the synth on a finding that is not acknowledged", () => {
    const { app, stack } = createAuditApp({
      context: { ...CDK_JSON_CONTEXT, "aws:cdk:bundling-stacks": [] },
    });
    new sqs.Queue(stack, "Unencrypted", { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it("fail the synth on a NIST 800-53 R5 finding that is not acknowledged", () => {
    const { app, stack } = createAuditApp({
      context: { ...CDK_JSON_CONTEXT, "aws:cdk:bundling-stacks": [] },
    });
    new logs.LogGroup(stack, "Unencrypted");
    expect(() => app.synth()).toThrow(/NIST\.800\.53\.R5-CloudWatchLogGroupEncrypted/);
  });

  it("acknowledge only known rules, each with a reason next to the construct", () => {
    const { app } = createAuditApp({
      context: { ...CDK_JSON_CONTEXT, "aws:cdk:bundling-stacks": [], ...ALL_OPTIONS },
    });
    const acks = acknowledgements(app);
    const rules = new Set(acks.map((ack) => ack.id.replace(/\[.*$/, "")));
    expect([...rules].sort()).toEqual([
      "AwsSolutions-IAM5",
      "AwsSolutions-S1",
      "AwsSolutions-SMG4",
      "AwsSolutions-SQS3",
      "NIST.800.53.R5-IAMNoInlinePolicy",
      "NIST.800.53.R5-LambdaConcurrency",
      "NIST.800.53.R5-LambdaDLQ",
      "NIST.800.53.R5-LambdaInsideVPC",
      "NIST.800.53.R5-S3BucketReplicationEnabled",
      "NIST.800.53.R5-S3DefaultEncryptionKMS",
      "NIST.800.53.R5-SecretsManagerRotationEnabled",
    ]);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(60);
      // Wildcard acknowledgements name the exact wildcard, never the whole rule.
      if (ack.id.startsWith("AwsSolutions-IAM5"))
        expect(ack.id).toMatch(/^AwsSolutions-IAM5\[(Action|Resource)::.+\]$/);
    }
    const wildcards = new Set(acks.filter((a) => a.id.startsWith("AwsSolutions-IAM5")).map((a) => a.id));
    expect([...wildcards].filter((id) => id.includes("Resource::*]"))).toEqual([
      "AwsSolutions-IAM5[Resource::*]",
    ]);
    // Every S3 and KMS action is granted singly; the only action wildcard is SNS's documented publisher
    // permission on the topic's key.
    expect([...wildcards].filter((id) => id.includes("[Action::"))).toEqual([
      "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
    ]);
  });
});
