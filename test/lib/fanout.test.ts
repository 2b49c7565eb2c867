/**
 * The MSP fan-out: with several organizations (`jcAudit:orgIds` "all" or more than one id) the schedule
 * starts a state machine (Discover → Distributed Map → Report) instead of one rule per control; its
 * role invokes only the audit and report functions; cdk-nag stays clean. Properties, not snapshots.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createAuditApp } from "../../lib/app.js";
import { DeployConfigError, loadDeployConfig } from "../../lib/config.js";
import { FANOUT_RESULTS_PREFIX, RETRIED_ERRORS } from "../../lib/fanout.js";
import { CDK_JSON_CONTEXT, type PolicyDocument, resources, synth } from "./synth.js";

const ORG_A = "5f1b2c3d4e5f6a7b8c9d0e1f";
const ORG_B = "60aabbccddeeff0011223344";

type Asl = {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
};

/** The state machine's definition with each `Fn::GetAtt`/`Ref` replaced by `<logicalId>`. */
function definition(template: ReturnType<typeof synth>["template"]): Asl {
  const [machine] = Object.values(resources(template, "AWS::StepFunctions::StateMachine"));
  const body = machine?.Properties.DefinitionString as { "Fn::Join": [string, unknown[]] };
  const text = body["Fn::Join"][1]
    .map((part) =>
      typeof part === "string"
        ? part
        : `<${(part as { Ref?: string }).Ref ?? (part as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]}>`,
    )
    .join("");
  return JSON.parse(text) as Asl;
}

describe("config of the fan-out", () => {
  it("accepts all, an exclusion list and the limits, with defaults 10 and 10", () => {
    const defaults = loadDeployConfig({ "jcAudit:orgIds": "all" });
    expect(defaults).toMatchObject({
      orgIds: "all",
      orgExclude: [],
      maxConcurrency: 10,
      toleratedFailurePercentage: 10,
    });
    const set = loadDeployConfig({
      "jcAudit:orgIds": "all",
      "jcAudit:orgExclude": ORG_B,
      "jcAudit:maxConcurrency": "3",
      "jcAudit:toleratedFailurePercentage": "0",
    });
    expect(set).toMatchObject({ orgExclude: [ORG_B], maxConcurrency: 3, toleratedFailurePercentage: 0 });
  });

  it.each([
    [{ "jcAudit:maxConcurrency": "0" }, "jcAudit:maxConcurrency: must be at least 1"],
    [{ "jcAudit:maxConcurrency": 101 }, "jcAudit:maxConcurrency: must be at most 100"],
    [
      { "jcAudit:toleratedFailurePercentage": 101 },
      "jcAudit:toleratedFailurePercentage: must be at most 100",
    ],
    [
      { "jcAudit:orgExclude": "nope" },
      "jcAudit:orgExclude[0]: organization ids are 24 hexadecimal characters",
    ],
    [
      { "jcAudit:orgIds": `${ORG_A},${ORG_B}`, "jcAudit:orgExclude": ORG_B },
      `jcAudit:orgExclude: ${ORG_B} also listed in jcAudit:orgIds`,
    ],
  ])("refuses %j", (context, message) => {
    expect(() => loadDeployConfig(context)).toThrow(DeployConfigError);
    expect(() => loadDeployConfig(context)).toThrow(message);
  });
});

describe("AuditFanout", () => {
  const built = synth({
    "jcAudit:orgIds": "all",
    "jcAudit:orgExclude": ORG_B,
    "jcAudit:maxConcurrency": 7,
    "jcAudit:toleratedFailurePercentage": 15,
  });
  const asl = definition(built.template);
  const controls = built.stack.audits;
  const functionIds = (kind: string) =>
    Object.keys(resources(built.template, "AWS::Lambda::Function")).filter((id) => id.startsWith(kind));

  it("discovers with the first control's function, maps over organizations, then reports", () => {
    expect(asl.StartAt).toBe("Discover");
    const discover = asl.States.Discover as { Parameters: Record<string, unknown>; Next: string };
    expect(discover.Parameters).toEqual({ action: "discover", "eventId.$": "$.eventId", "time.$": "$.time" });
    expect(discover.Next).toBe("AuditOrganizations");
    const report = asl.States.Report as { Parameters: Record<string, unknown> };
    expect(report.Parameters).toEqual({
      "eventId.$": "$.eventId",
      "time.$": "$.time",
      "orgIds.$": "$.orgIds",
      portfolio: true,
    });
  });

  it("runs a Distributed Map bounded by maxConcurrency and the tolerated failures, writing under runs/_fanout/", () => {
    const map = asl.States.AuditOrganizations as Record<string, unknown>;
    expect(map).toMatchObject({
      Type: "Map",
      ItemsPath: "$.orgIds",
      MaxConcurrency: 7,
      ToleratedFailurePercentage: 15,
      ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" } },
      ResultWriter: {
        Resource: "arn:aws:states:::s3:putObject",
        Parameters: { Prefix: FANOUT_RESULTS_PREFIX },
      },
      ResultPath: null,
    });
  });

  it("runs every control once per organization in order, retrying throttling and catching failures", () => {
    const item = (asl.States.AuditOrganizations as { ItemProcessor: Asl }).ItemProcessor;
    const ids = [...controls.keys()];
    expect(item.StartAt).toBe(`Audit ${ids[0]}`);
    ids.forEach((id, index) => {
      const state = item.States[`Audit ${id}`] as {
        Parameters: Record<string, unknown>;
        Retry: { ErrorEquals: string[]; BackoffRate: number; MaxAttempts: number }[];
        Catch: { ErrorEquals: string[]; Next: string }[];
        Next: string;
      };
      expect(state.Parameters).toEqual({
        controlId: id,
        "orgId.$": "$.orgId",
        "eventId.$": "$.eventId",
        "time.$": "$.time",
      });
      expect(state.Retry[0]?.ErrorEquals).toEqual([...RETRIED_ERRORS]);
      expect(state.Retry[0]?.BackoffRate).toBeGreaterThan(1);
      const next = ids[index + 1] ? `Audit ${ids[index + 1]}` : "AnyControlFailed";
      expect(state.Next).toBe(next);
      expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ["States.ALL"], Next: next })]);
    });
    expect(item.States.OrganizationFailed).toMatchObject({ Type: "Fail" });
  });

  it("invokes only the audit and report functions, unqualified", () => {
    const policies = Object.entries(resources(built.template, "AWS::IAM::Policy")).filter(([id]) =>
      id.startsWith("FanoutRole"),
    );
    expect(policies).toHaveLength(1);
    const document = policies[0]?.[1].Properties.PolicyDocument as PolicyDocument;
    const invoke = document.Statement.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith("lambda:")),
    );
    expect(invoke).toHaveLength(1);
    expect(invoke[0]?.Action).toBe("lambda:InvokeFunction");
    const invoked = ([invoke[0]?.Resource].flat() as { "Fn::GetAtt": string[] }[]).map(
      (arn) => arn["Fn::GetAtt"][0],
    );
    expect(invoked.sort()).toEqual([...functionIds("Audit"), ...functionIds("Report")].sort());
    const actions = document.Statement.flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => action.startsWith("s3:")).sort()).toEqual([
      "s3:AbortMultipartUpload",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]);
    expect(actions).not.toContain("s3:DeleteObject");
    expect(actions).not.toContain("secretsmanager:GetSecretValue");
  });

  it("is started by one schedule with {eventId, time}; no rule per control, none for the report", () => {
    const rules = Object.values(resources(built.template, "AWS::Events::Rule"));
    const targets = rules.flatMap((rule) => rule.Properties.Targets as { Arn: unknown }[]);
    const machineTargets = targets.filter((target) =>
      JSON.stringify(target.Arn).includes("FanoutStateMachine"),
    );
    expect(machineTargets).toHaveLength(1);
    const transformer = (machineTargets[0] as { InputTransformer?: { InputTemplate: string } })
      .InputTransformer;
    expect(transformer?.InputTemplate).toBe('{"eventId":<id>,"time":<time>}');
    const auditOrReport = targets.filter((target) => /Audit|Report/.test(JSON.stringify(target.Arn)));
    expect(auditOrReport).toEqual([]);
    const env = (prefix: string) => {
      const found = Object.entries(resources(built.template, "AWS::Lambda::Function")).find(([id]) =>
        id.startsWith(prefix),
      );
      return (found?.[1].Properties.Environment as { Variables: Record<string, string> } | undefined)
        ?.Variables;
    };
    expect(env("Audit1")).toMatchObject({ JC_ORG_IDS: "all", JC_ORG_EXCLUDE: ORG_B });
    expect(env("Report")).toMatchObject({ JC_ORG_IDS: "all" });
  });

  it("alarms to the alerts topic on a failed, timed out or aborted execution", () => {
    const alarms = Object.entries(resources(built.template, "AWS::CloudWatch::Alarm")).filter(([id]) =>
      id.startsWith("FanoutFailedAlarm"),
    );
    expect(alarms).toHaveLength(1);
    const alarm = alarms[0]?.[1].Properties as {
      Metrics: { MetricStat?: { Metric: { MetricName: string } } }[];
      AlarmActions: unknown[];
    };
    expect(
      alarm.Metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : [])).sort(),
    ).toEqual(["ExecutionsAborted", "ExecutionsFailed", "ExecutionsTimedOut"]);
    expect(JSON.stringify(alarm.AlarmActions)).toContain("AlertsTopic");
  });

  it("logs every event to a KMS-encrypted log group", () => {
    const [machine] = Object.values(resources(built.template, "AWS::StepFunctions::StateMachine"));
    expect(machine?.Properties.LoggingConfiguration).toMatchObject({ Level: "ALL" });
    const groups = Object.entries(resources(built.template, "AWS::Logs::LogGroup")).filter(([id]) =>
      id.startsWith("FanoutLogs"),
    );
    expect(groups[0]?.[1].Properties.KmsKeyId).toBeDefined();
  });
});

describe("deployments", () => {
  it("with one organization or none have no state machine and keep a rule per control", () => {
    for (const orgIds of [undefined, ORG_A]) {
      const { template, stack } = synth(orgIds ? { "jcAudit:orgIds": orgIds } : {});
      expect(resources(template, "AWS::StepFunctions::StateMachine")).toEqual({});
      expect(stack.fanout).toBeUndefined();
      expect([...stack.audits.values()].every((audit) => audit.rule !== undefined)).toBe(true);
      expect(stack.report.rule).toBeDefined();
    }
  });

  it("with two listed organizations fan out", () => {
    const { stack } = synth({ "jcAudit:orgIds": `${ORG_A},${ORG_B}` });
    expect(stack.fanout).toBeDefined();
  });

  it.each([
    ["default", {}],
    ["tracing", { "jcAudit:tracing": true, "jcAudit:reservedConcurrency": "none" }],
  ])(
    "with orgIds all are nag clean (%s)",
    (_name, extra) => {
      const { app } = createAuditApp({
        context: {
          ...CDK_JSON_CONTEXT,
          "aws:cdk:bundling-stacks": [],
          "jcAudit:orgIds": "all",
          ...extra,
        },
      });
      const assembly = app.synth();
      const reportFile = join(assembly.directory, "validation-report.json");
      const report = existsSync(reportFile)
        ? (JSON.parse(readFileSync(reportFile, "utf8")) as { pluginReports: unknown[] })
        : { pluginReports: [] };
      expect(report.pluginReports).toEqual([]);
    },
    120_000,
  );
});
