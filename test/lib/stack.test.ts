/** The default deployment (every control), synthesized once and inspected property by property. */
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { CONTROLS } from "../../lambdas/controls/registry.js";
import { AUDIT_ENV } from "../../lambdas/service/config.js";
import {
  logicalId,
  type PolicyDocument,
  type PolicyStatement,
  refId,
  resource,
  resources,
  synth,
} from "./synth.js";

let template: Template;
beforeAll(() => {
  ({ template } = synth({ "jcAudit:alertEmails": ["secops@example.com", "it@example.com"] }));
});

const functions = () => resources(template, "AWS::Lambda::Function");
const auditFunctions = () =>
  Object.entries(functions()).filter(([, fn]) => String(fn.Properties.Description).startsWith("Audits "));
const remediationFunctionId = () =>
  logicalId(template, "AWS::Lambda::Function", "RemediationRemediateFunction");
const detectionFunctionId = () => logicalId(template, "AWS::Lambda::Function", "DetectionDetectFunction");
const auditSecretId = () => logicalId(template, "AWS::SecretsManager::Secret", "AuditApiKeySecret");
const remediationSecretId = () =>
  logicalId(template, "AWS::SecretsManager::Secret", "RemediationApiKeySecret");

/** The policy document attached to a function's role. */
function policyOf(functionId: string): PolicyDocument {
  const roleId = refId(resource(template, functionId).Properties.Role);
  const policies = Object.values(resources(template, "AWS::IAM::Policy")).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some((role) => refId(role) === roleId),
  );
  expect(policies).toHaveLength(1);
  return policies[0]?.Properties.PolicyDocument as PolicyDocument;
}

const actionsOf = (statement: PolicyStatement) => [statement.Action].flat();

describe("one scheduled audit per control", () => {
  it("has one audit function and one rule per control, plus the detection, report and remediation functions", () => {
    expect(auditFunctions()).toHaveLength(CONTROLS.length);
    // Plus the remediation function (no rule), and the detection and report functions (their own rules).
    template.resourceCountIs("AWS::Lambda::Function", CONTROLS.length + 3);
    template.resourceCountIs("AWS::Events::Rule", CONTROLS.length + 2);
  });

  it.each(CONTROLS.map((c, i) => [c.id, 3 * i]))(
    "schedules control %s daily at 06:00 UTC + %i minutes with {controlId, eventId, time}",
    (id, minute) => {
      const functionId = logicalId(
        template,
        "AWS::Lambda::Function",
        `Audit${id.replace(".", "")}AuditFunction`,
      );
      template.hasResourceProperties("AWS::Events::Rule", {
        ScheduleExpression: `cron(${minute} 6 * * ? *)`,
        State: "ENABLED",
        Targets: [
          Match.objectLike({
            Arn: { "Fn::GetAtt": [functionId, "Arn"] },
            InputTransformer: {
              InputPathsMap: { id: "$.id", time: "$.time" },
              InputTemplate: `{"controlId":"${id}","eventId":<id>,"time":<time>}`,
            },
            RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
            DeadLetterConfig: {
              Arn: { "Fn::GetAtt": [logicalId(template, "AWS::SQS::Queue", "DeadLetters"), "Arn"] },
            },
          }),
        ],
      });
    },
  );

  it("never schedules the remediation function", () => {
    const remediation = remediationFunctionId();
    for (const rule of Object.values(resources(template, "AWS::Events::Rule"))) {
      expect(JSON.stringify(rule)).not.toContain(remediation);
    }
    for (const permission of Object.values(resources(template, "AWS::Lambda::Permission"))) {
      expect(refId(permission.Properties.FunctionName)).not.toBe(remediation);
    }
  });
});

describe("functions", () => {
  it("run Node.js 24 on ARM64 with JSON logs to their own log group, kept a year", () => {
    for (const fn of Object.values(functions())) {
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        MemorySize: 512,
        Timeout: 300,
        ReservedConcurrentExecutions: 1,
        LoggingConfig: { LogFormat: "JSON", ApplicationLogLevel: "INFO" },
      });
      const logGroup = resource(
        template,
        refId((fn.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup) ?? "",
      );
      expect(logGroup.Type).toBe("AWS::Logs::LogGroup");
      expect(logGroup.Properties.RetentionInDays).toBe(365);
      expect(logGroup.DeletionPolicy).toBe("Retain");
    }
    template.resourceCountIs("AWS::Logs::LogGroup", CONTROLS.length + 3);
  });

  it("give the audit functions exactly the environment of the handler's contract", () => {
    for (const [, fn] of auditFunctions()) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const contract = Object.keys(variables).filter(
        (name) => !name.startsWith("POWERTOOLS_") && name !== "NODE_OPTIONS",
      );
      expect(contract.filter((name) => !(AUDIT_ENV as readonly string[]).includes(name))).toEqual([]);
      expect(variables).toMatchObject({
        FINDINGS_BUCKET: { Ref: logicalId(template, "AWS::S3::Bucket", "FindingsBucket") },
        ALERTS_TOPIC_ARN: { Ref: logicalId(template, "AWS::SNS::Topic", "AlertsTopic") },
        API_KEY_SECRET_ARN: { Ref: auditSecretId() },
        JC_REGION: "us",
        JC_ORG_IDS: "",
        ANNOUNCE_RECOVERIES: "false",
        ERROR_ALERT_AFTER: "3",
        THRESHOLDS_JSON: "{}",
        POWERTOOLS_SERVICE_NAME: "jumpcloud-audit",
        POWERTOOLS_METRICS_NAMESPACE: "JumpCloudHardening",
        POWERTOOLS_LOG_LEVEL: "INFO",
      });
      // Source maps are off by default: no slower cold start for stack traces nobody asked for.
      expect(variables.NODE_OPTIONS).toBeUndefined();
    }
  });

  it("give the remediation function its own secret and no audit settings", () => {
    const variables = (
      resource(template, remediationFunctionId()).Properties.Environment as { Variables: object }
    ).Variables;
    expect(variables).toMatchObject({ API_KEY_SECRET_ARN: { Ref: remediationSecretId() }, JC_REGION: "us" });
    expect(variables).not.toHaveProperty("THRESHOLDS_JSON");
  });

  it("send failed asynchronous invocations to the dead-letter queue; the remediation is never retried", () => {
    const queueId = logicalId(template, "AWS::SQS::Queue", "DeadLetters");
    const configs = Object.values(resources(template, "AWS::Lambda::EventInvokeConfig"));
    expect(configs).toHaveLength(CONTROLS.length + 3);
    for (const config of configs) {
      expect(config.Properties).toMatchObject({
        DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [queueId, "Arn"] } } },
      });
      const retries = refId(config.Properties.FunctionName) === remediationFunctionId() ? 0 : 2;
      expect(config.Properties.MaximumRetryAttempts).toBe(retries);
    }
  });

  it("have roles without managed policies", () => {
    for (const role of Object.values(resources(template, "AWS::IAM::Role"))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe("API key secrets", () => {
  it("hold no key in the template and are encrypted with their own KMS keys", () => {
    const secrets = resources(template, "AWS::SecretsManager::Secret");
    expect(Object.keys(secrets)).toHaveLength(2);
    const keys = new Set<string | undefined>();
    for (const secret of Object.values(secrets)) {
      expect(secret.Properties).not.toHaveProperty("SecretString");
      expect(secret.Properties.GenerateSecretString).toEqual({});
      keys.add(refId(secret.Properties.KmsKeyId));
    }
    expect(keys.size).toBe(2);
    expect(resource(template, auditSecretId()).Properties.Name).toBe("JumpCloudAudit/audit-api-key");
    expect(resource(template, remediationSecretId()).Properties.Name).toBe(
      "JumpCloudAudit/remediation-api-key",
    );
  });

  /** The roles a secret's own KMS key lets decrypt (through Secrets Manager only). */
  function keyDecrypters(secretId: string): string[] {
    const keyId = refId(resource(template, secretId).Properties.KmsKeyId) ?? "";
    const policy = resource(template, keyId).Properties.KeyPolicy as PolicyDocument;
    const principals = (s: PolicyStatement) =>
      [s.Principal === "*" ? undefined : s.Principal?.AWS].flat().map(refId);
    const roleStatements = policy.Statement.filter((s) => principals(s).some((id) => id !== undefined));
    for (const statement of roleStatements) {
      expect(statement).toMatchObject({
        Action: "kms:Decrypt",
        Condition: { StringEquals: { "kms:ViaService": expect.anything() } },
      });
    }
    return roleStatements.flatMap(principals).sort() as string[];
  }
  const roleOf = (functionId: string) => refId(resource(template, functionId).Properties.Role) as string;
  /** The audit functions' roles and the detection function's: both only read. */
  const auditSecretReaders = () =>
    [...auditFunctions().map(([id]) => roleOf(id)), roleOf(detectionFunctionId())].sort();

  it("let each audit function read the audit secret only", () => {
    for (const [id] of auditFunctions()) {
      const policy = policyOf(id);
      const secretStatements = policy.Statement.filter((s) =>
        actionsOf(s).some((a) => a.startsWith("secretsmanager:")),
      );
      expect(secretStatements).toEqual([
        expect.objectContaining({
          Effect: "Allow",
          Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
          Resource: { Ref: auditSecretId() },
        }),
      ]);
      expect(JSON.stringify(policy)).not.toContain(remediationSecretId());
    }
    expect(keyDecrypters(auditSecretId())).toEqual(auditSecretReaders());
  });

  it("let the remediation function read the remediation secret only", () => {
    const policy = policyOf(remediationFunctionId());
    const secretStatements = policy.Statement.filter((s) =>
      actionsOf(s).some((a) => a.startsWith("secretsmanager:")),
    );
    expect(secretStatements).toEqual([expect.objectContaining({ Resource: { Ref: remediationSecretId() } })]);
    expect(JSON.stringify(policy)).not.toContain(auditSecretId());
    expect(keyDecrypters(remediationSecretId())).toEqual([roleOf(remediationFunctionId())]);
  });

  it("deny reading each key to every principal but its functions' roles", () => {
    const readers = (secretId: string) => {
      const policies = Object.values(resources(template, "AWS::SecretsManager::ResourcePolicy")).filter(
        (p) => refId(p.Properties.SecretId) === secretId,
      );
      expect(policies).toHaveLength(1);
      const statements =
        (policies[0]?.Properties.ResourcePolicy as PolicyDocument | undefined)?.Statement ?? [];
      expect(statements).toHaveLength(1);
      const statement = statements[0];
      expect(statement).toMatchObject({
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "secretsmanager:GetSecretValue",
      });
      const readerArns = statement?.Condition?.StringNotEquals?.["aws:PrincipalArn"];
      return [readerArns].flat().map(refId).sort();
    };
    expect(readers(auditSecretId())).toEqual(auditSecretReaders());
    expect(readers(remediationSecretId())).toEqual([roleOf(remediationFunctionId())]);
  });
});

describe("findings bucket", () => {
  const bucket = () => resource(template, logicalId(template, "AWS::S3::Bucket", "FindingsBucket"));

  it("is KMS-encrypted with a rotating customer managed key, versioned, private and retained", () => {
    expect(bucket().Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: "aws:kms",
              KMSMasterKeyID: { "Fn::GetAtt": [logicalId(template, "AWS::KMS::Key", "FindingsKey"), "Arn"] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: "Enabled" },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: logicalId(template, "AWS::S3::Bucket", "FindingsAccessLogs") },
      },
    });
    expect(bucket().Properties).not.toHaveProperty("ObjectLockEnabled");
    expect(bucket().DeletionPolicy).toBe("Retain");
  });

  it("refuses requests without TLS (1.2 or later), like its access-log bucket", () => {
    for (const prefix of ["FindingsBucket", "FindingsAccessLogs"]) {
      const bucketId = logicalId(template, "AWS::S3::Bucket", prefix);
      template.hasResourceProperties("AWS::S3::BucketPolicy", {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Action: "s3:*",
              Principal: { AWS: "*" },
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
            Match.objectLike({ Effect: "Deny", Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } } }),
          ]),
        },
      });
    }
  });

  it("expires history (by tag), run reports and markers after their retention, never latest.json", () => {
    const rules = (bucket().Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> })
      .Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Prefix: "findings/",
          TagFilters: [{ Key: "retention", Value: "history" }],
          ExpirationInDays: 400,
        }),
        expect.objectContaining({ Prefix: "runs/", ExpirationInDays: 400 }),
        expect.objectContaining({ Prefix: "events/", ExpirationInDays: 30 }),
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 400 } }),
      ]),
    );
    // Nothing expires current objects under findings/ or state/ except tagged history.
    for (const rule of rules.filter((r) => r.ExpirationInDays !== undefined)) {
      expect(rule.Prefix).toBeDefined();
      if (rule.Prefix === "findings/") expect(rule.TagFilters).toBeDefined();
      expect(rule.Prefix).not.toBe("state/");
    }
  });

  it("lets audit functions read and write their prefixes, without any delete", () => {
    for (const [id] of auditFunctions()) {
      const s3Statements = policyOf(id).Statement.filter((s) =>
        actionsOf(s).some((a) => a.startsWith("s3:")),
      );
      const actions = s3Statements.flatMap(actionsOf);
      expect(actions.some((a) => a.includes("Delete"))).toBe(false);
      // Single actions (lib/grants.ts), never a family.
      expect(actions).toEqual(expect.arrayContaining(["s3:GetObject", "s3:PutObject", "s3:ListBucket"]));
      expect(actions.filter((a) => a.includes("*"))).toEqual([]);
      const text = JSON.stringify(s3Statements);
      for (const prefix of ["findings", "runs", "state", "events"]) expect(text).toContain(`/${prefix}/*`);
      expect(text).not.toContain("remediations/");
      expect(text).not.toMatch(/"\/\*"/);
    }
    const remediation = JSON.stringify(
      policyOf(remediationFunctionId()).Statement.filter((s) =>
        actionsOf(s).some((a) => a.startsWith("s3:")),
      ),
    );
    expect(remediation).toContain("/remediations/*");
    expect(remediation).not.toMatch(/\/(findings|runs|state|events)\/\*/);
  });
});

describe("alerts", () => {
  it("go to a topic encrypted with a rotating customer managed key that refuses publishing without TLS", () => {
    const topicId = logicalId(template, "AWS::SNS::Topic", "AlertsTopic");
    template.hasResourceProperties("AWS::SNS::Topic", {
      KmsMasterKeyId: { "Fn::GetAtt": [logicalId(template, "AWS::KMS::Key", "AlertsKey"), "Arn"] },
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "sns:Publish",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Condition: Match.objectLike({ StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } }),
          }),
        ]),
      },
    });
  });

  it("rotate every KMS key and keep it when the stack is deleted", () => {
    // The remediation seal key is an HMAC key, which KMS cannot rotate (test/lib/remediation-function.test.ts).
    const all = Object.values(resources(template, "AWS::KMS::Key"));
    const keys = all.filter((key) => key.Properties.KeySpec === undefined);
    expect(all.length - keys.length).toBe(1);
    // Findings, alerts, the two secrets' keys and the functions' log groups' key.
    expect(keys).toHaveLength(5);
    for (const key of all) expect(key.DeletionPolicy).toBe("Retain");
    for (const key of keys) expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it("let CloudWatch alarms use the topic's key and EventBridge the queue's", () => {
    const policy = JSON.stringify(
      resource(template, logicalId(template, "AWS::KMS::Key", "AlertsKey")).Properties.KeyPolicy,
    );
    expect(policy).toContain("cloudwatch.amazonaws.com");
    expect(policy).toContain("events.amazonaws.com");
  });

  it("subscribe each e-mail address", () => {
    template.resourceCountIs("AWS::SNS::Subscription", 2);
    for (const email of ["secops@example.com", "it@example.com"]) {
      template.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: email });
    }
  });

  it("have no Slack channel without Slack ids", () => {
    template.resourceCountIs("AWS::Chatbot::SlackChannelConfiguration", 0);
  });

  it("raise alarms on each function's errors and throttles and on the dead-letter queue", () => {
    const topicId = logicalId(template, "AWS::SNS::Topic", "AlertsTopic");
    const alarms = Object.values(resources(template, "AWS::CloudWatch::Alarm"));
    expect(alarms).toHaveLength(2 * (CONTROLS.length + 3) + 1);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    for (const functionId of Object.keys(functions())) {
      for (const metric of ["Errors", "Throttles"]) {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", {
          Namespace: "AWS/Lambda",
          MetricName: metric,
          Dimensions: [{ Name: "FunctionName", Value: { Ref: functionId } }],
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
        });
      }
    }
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
    });
  });
});

describe("dead-letter queue", () => {
  it("is KMS-encrypted, TLS-only and keeps messages 14 days", () => {
    const queueId = logicalId(template, "AWS::SQS::Queue", "DeadLetters");
    template.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: { "Fn::GetAtt": [logicalId(template, "AWS::KMS::Key", "AlertsKey"), "Arn"] },
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
          }),
        ]),
      },
    });
  });
});

describe("outputs", () => {
  it("name the bucket, topic, secrets, remediation and report functions, dashboard and queue the README refers to", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(
      [
        "AlertsTopicArn",
        "AuditApiKeySecretArn",
        "AuditApiKeySecretName",
        "DeadLetterQueueUrl",
        "FindingsBucketName",
        "RemediationApiKeySecretArn",
        "RemediationApiKeySecretName",
        "RemediationFunctionName",
        "ReportFunctionName",
        "DashboardName",
      ].sort(),
    );
    expect(outputs.AuditApiKeySecretName?.Value).toBe("JumpCloudAudit/audit-api-key");
    expect(outputs.RemediationFunctionName?.Value).toEqual({ Ref: remediationFunctionId() });
  });
});
