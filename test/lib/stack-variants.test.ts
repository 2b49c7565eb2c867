/** Deployments other than the default: by level, by explicit controls, and with every option set. */
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { CONTROLS } from "../../lambdas/controls/registry.js";
import { logicalId, type PolicyDocument, refId, resource, resources, synth } from "./synth.js";

const controlIdsOf = (template: Template) =>
  Object.values(resources(template, "AWS::Events::Rule"))
    .map((rule) => {
      const targets = rule.Properties.Targets as Array<{ InputTransformer: { InputTemplate: string } }>;
      return /"controlId":"([^"]+)"/.exec(targets[0]?.InputTransformer?.InputTemplate ?? "")?.[1];
    })
    .filter((id) => id !== undefined) // the detection schedule names no control
    .sort();

describe("by level", () => {
  it("deploys a function and a rule for each L1 control only at L1", () => {
    const { template } = synth({ "jcAudit:level": "L1" });
    const l1 = CONTROLS.filter((c) => c.level === "L1").map((c) => c.id);
    expect(l1.length).toBeLessThan(CONTROLS.length);
    expect(controlIdsOf(template)).toEqual([...l1].sort());
    // Plus the remediation, detection and report functions; the last two have rules.
    template.resourceCountIs("AWS::Lambda::Function", l1.length + 3);
    template.resourceCountIs("AWS::Events::Rule", l1.length + 2);
  });
});

describe("explicit controls with every option", () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synth({
      "jcAudit:stackName": "AcmeAudit",
      "jcAudit:controls": "1.1,1.2,5.2",
      "jcAudit:schedule": "cron(30 5 * * ? *)",
      "jcAudit:schedules": '{"5.2": "rate(6 hours)"}',
      "jcAudit:region": "eu",
      // One organization: the per-control schedule shape (several fan out, see fanout.test.ts).
      "jcAudit:orgIds": "5f1b2c3d4e5f6a7b8c9d0e1f",
      "jcAudit:plan": "platform_plus",
      "jcAudit:alertEmails": '["secops@example.com"]',
      "jcAudit:slackWorkspaceId": "T0123ABCD",
      "jcAudit:slackChannelId": "C0123ABCD",
      "jcAudit:findingsRetentionDays": "731",
      "jcAudit:objectLockDays": "365",
      "jcAudit:objectLockMode": "COMPLIANCE",
      "jcAudit:logRetentionDays": "90",
      "jcAudit:announceRecoveries": "true",
      "jcAudit:errorAlertAfter": "2",
      "jcAudit:thresholds": '{"1.2": {"maxFullAdmins": 4}}',
      "jcAudit:memoryMb": "1024",
      "jcAudit:timeoutSeconds": "600",
      "jcAudit:reservedConcurrency": "none",
      "jcAudit:tracing": "true",
      "jcAudit:logLevel": "DEBUG",
    }));
  });

  it("deploys exactly the listed controls, each on its schedule", () => {
    expect(controlIdsOf(template)).toEqual(["1.1", "1.2", "5.2"]);
    template.resourceCountIs("AWS::Lambda::Function", 6);
    const schedules = Object.values(resources(template, "AWS::Events::Rule")).map(
      (r) => r.Properties.ScheduleExpression,
    );
    // The three controls (1.2 staggered 3 minutes after 1.1), the detections every 15 minutes, and the
    // report 30 minutes after the last fixed-time audit (the rate does not move it).
    expect(schedules.sort()).toEqual([
      "cron(3 6 * * ? *)",
      "cron(30 5 * * ? *)",
      "cron(33 5 * * ? *)",
      "rate(15 minutes)",
      "rate(6 hours)",
    ]);
  });

  it("passes the JumpCloud settings and only the control's own thresholds", () => {
    const variables = (id: string) =>
      (
        resource(template, logicalId(template, "AWS::Lambda::Function", `Audit${id}AuditFunction`)).Properties
          .Environment as { Variables: Record<string, unknown> }
      ).Variables;
    expect(variables("12")).toMatchObject({
      JC_REGION: "eu",
      JC_ORG_IDS: "5f1b2c3d4e5f6a7b8c9d0e1f",
      JC_PLAN: "platform_plus",
      ANNOUNCE_RECOVERIES: "true",
      ERROR_ALERT_AFTER: "2",
      THRESHOLDS_JSON: '{"1.2":{"maxFullAdmins":4}}',
      POWERTOOLS_LOG_LEVEL: "DEBUG",
    });
    expect(variables("11").THRESHOLDS_JSON).toBe("{}");
  });

  it("sizes, traces and logs the functions as configured, without reserved concurrency", () => {
    for (const fn of Object.values(resources(template, "AWS::Lambda::Function"))) {
      expect(fn.Properties).toMatchObject({
        MemorySize: 1024,
        Timeout: 600,
        TracingConfig: { Mode: "Active" },
        LoggingConfig: { ApplicationLogLevel: "DEBUG", LogFormat: "JSON" },
      });
      expect(fn.Properties).not.toHaveProperty("ReservedConcurrentExecutions");
    }
    for (const group of Object.values(resources(template, "AWS::Logs::LogGroup"))) {
      expect(group.Properties.RetentionInDays).toBe(90);
    }
  });

  it("turns on Object Lock with the default retention and keeps history 731 days", () => {
    const bucket = resource(template, logicalId(template, "AWS::S3::Bucket", "FindingsBucket"));
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 365 } },
      },
    });
    expect(JSON.stringify(bucket.Properties.LifecycleConfiguration)).toContain('"ExpirationInDays":731');
  });

  it("relays alerts to Slack through a Chatbot channel that can do nothing else", () => {
    const topicId = logicalId(template, "AWS::SNS::Topic", "AlertsTopic");
    template.resourceCountIs("AWS::Chatbot::SlackChannelConfiguration", 1);
    template.hasResourceProperties("AWS::Chatbot::SlackChannelConfiguration", {
      ConfigurationName: "AcmeAudit-alerts",
      SlackWorkspaceId: "T0123ABCD",
      SlackChannelId: "C0123ABCD",
      SnsTopicArns: [{ Ref: topicId }],
      GuardrailPolicies: [
        Match.objectLike({ "Fn::Join": ["", Match.arrayWith([":iam::aws:policy/AWSDenyAll"])] }),
      ],
      UserRoleRequired: false,
    });
    const roleId = logicalId(template, "AWS::IAM::Role", "AlertsChatbotRole");
    const role = resource(template, roleId);
    expect(role.Properties).not.toHaveProperty("ManagedPolicyArns");
    expect(role.Properties).not.toHaveProperty("Policies");
    const attached = Object.values(resources(template, "AWS::IAM::Policy")).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    );
    expect(attached).toEqual([]);
  });

  it("subscribes the e-mail address", () => {
    template.resourceCountIs("AWS::SNS::Subscription", 1);
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "secops@example.com",
    });
  });

  it("names the secrets after the stack", () => {
    template.hasResourceProperties("AWS::SecretsManager::Secret", { Name: "AcmeAudit/audit-api-key" });
    template.hasResourceProperties("AWS::SecretsManager::Secret", { Name: "AcmeAudit/remediation-api-key" });
  });
});

describe("detections", () => {
  it("runs every 15 minutes by default, reading only the audit secret and the state/ prefix", () => {
    const { template } = synth({});
    const id = logicalId(template, "AWS::Lambda::Function", "DetectionDetectFunction");
    const fn = resource(template, id);
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      SILENCE_HOURS: "24",
    });
    const rules = Object.values(resources(template, "AWS::Events::Rule")).filter((r) =>
      JSON.stringify(r.Properties.Targets).includes(id),
    );
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(["rate(15 minutes)"]);
    const policy = JSON.stringify(
      Object.values(resources(template, "AWS::IAM::Policy")).find((p) =>
        JSON.stringify(p.Properties.Roles).includes(
          String((fn.Properties.Role as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]),
        ),
      ),
    );
    expect(policy).toContain("AuditApiKeySecret");
    expect(policy).not.toContain("RemediationApiKeySecret");
    expect(policy).toContain("/state/*");
    expect(policy).not.toMatch(/\/(findings|runs|remediations)\/\*/);
  });

  it("follows jcAudit:detectionSchedule and can be turned off", () => {
    const custom = synth({
      "jcAudit:detectionSchedule": "rate(5 minutes)",
      "jcAudit:silenceHours": "6",
    }).template;
    expect(
      Object.values(resources(custom, "AWS::Events::Rule")).map((r) => r.Properties.ScheduleExpression),
    ).toContain("rate(5 minutes)");
    const off = synth({ "jcAudit:detections": "false" }).template;
    expect(
      Object.values(resources(off, "AWS::Lambda::Function")).some((f) =>
        String(f.Properties.Description).includes("Sigma"),
      ),
    ).toBe(false);
  });
});

describe("Security Hub", () => {
  /** The Security Hub statements of every role policy, by the function whose role holds them. */
  function securityHubStatements(template: Template) {
    const functions = resources(template, "AWS::Lambda::Function");
    const policies = Object.values(resources(template, "AWS::IAM::Policy"));
    return Object.entries(functions).map(([id, fn]) => {
      const roleId = refId(fn.Properties.Role);
      const statements = policies
        .filter((policy) => (policy.Properties.Roles as unknown[]).some((role) => refId(role) === roleId))
        .flatMap((policy) => (policy.Properties.PolicyDocument as PolicyDocument).Statement)
        .filter((statement) => JSON.stringify(statement.Action).toLowerCase().includes("securityhub"));
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      return { id, audit: String(fn.Properties.Description).startsWith("Audits "), statements, variables };
    });
  }

  it("is off by default: no role may call it and no function is told a product", () => {
    for (const fn of securityHubStatements(synth().template)) {
      expect(fn.statements).toEqual([]);
      expect(fn.variables).not.toHaveProperty("SECURITY_HUB_PRODUCT_ARN");
    }
  });

  it("lets each audit role import findings into this account's default product, and nothing else", () => {
    const product = {
      "Fn::Join": [
        "",
        [
          "arn:",
          { Ref: "AWS::Partition" },
          ":securityhub:",
          { Ref: "AWS::Region" },
          ":",
          { Ref: "AWS::AccountId" },
          ":product/",
          { Ref: "AWS::AccountId" },
          "/default",
        ],
      ],
    };
    const functions = securityHubStatements(synth({ "jcAudit:securityHub": "true" }).template);
    expect(functions.filter((fn) => fn.audit)).toHaveLength(CONTROLS.length);
    for (const fn of functions) {
      if (!fn.audit) {
        expect(fn.statements, fn.id).toEqual([]);
        continue;
      }
      expect(fn.statements).toEqual([
        { Effect: "Allow", Action: "securityhub:BatchImportFindings", Resource: product },
      ]);
      expect(fn.variables.SECURITY_HUB_PRODUCT_ARN).toEqual(product);
    }
  });
});

describe("source maps and the detections' alert level", () => {
  it("ship no source maps by default, and every function's with jcAudit:sourceMaps", () => {
    const nodeOptions = (template: Template) =>
      Object.values(resources(template, "AWS::Lambda::Function")).map(
        (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS,
      );
    expect(new Set(nodeOptions(synth().template))).toEqual(new Set([undefined]));
    expect(new Set(nodeOptions(synth({ "jcAudit:sourceMaps": "true" }).template))).toEqual(
      new Set(["--enable-source-maps"]),
    );
  });

  it("alerts detections from jcAudit:minAlertLevel (low by default)", () => {
    const level = (template: Template) =>
      (
        resource(template, logicalId(template, "AWS::Lambda::Function", "DetectionDetectFunction")).Properties
          .Environment as { Variables: Record<string, unknown> }
      ).Variables.MIN_ALERT_LEVEL;
    expect(level(synth().template)).toBe("low");
    expect(level(synth({ "jcAudit:minAlertLevel": "high" }).template)).toBe("high");
  });
});
