/** The dashboard: every deployed control's metrics with Powertools' dimensions, functions, detections, queue. */

import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { powertoolsReportMetrics } from "../../lambdas/adapters/aws-report.js";
import { fromPowertools } from "../../lambdas/adapters/logger.js";
import { powertoolsAuditMetrics } from "../../lambdas/adapters/metrics.js";
import { CONTROLS } from "../../lambdas/controls/registry.js";
import { loadRules } from "../../lambdas/detections/engine/index.js";
import { runDetection } from "../../lambdas/detections/service.js";
import type { ControlFinding, RunReport } from "../../lambdas/engine/findings.js";
import type { ReportMetrics } from "../../lambdas/service/daily-report.js";
import {
  AUDIT_METRICS,
  AUDIT_METRICS_SERVICE,
  AuditDashboard,
  type AuditDashboardProps,
  DETECTION_METRICS,
  DETECTION_RUN_MESSAGE,
  REPORT_METRICS,
  REPORT_METRICS_SERVICE,
} from "../../lib/dashboard.js";
import { startSimulator } from "../../sim/index.js";
import { simClient } from "../helpers/simulator.js";
import { logicalId, refId, resource, resources, synth } from "./synth.js";

/** A dashboard widget's metrics: `[namespace, name, dimension, value, …, options]` rows. */
interface Widget {
  readonly type: string;
  readonly width: number;
  readonly properties: { readonly title?: string; readonly metrics?: unknown[][] };
}

/** The dashboard body with each `{Ref}` or `{Fn::GetAtt}` written as `<LogicalId>`. */
function dashboardBody(template: Template): { widgets: Widget[] } {
  const dashboards = Object.values(resources(template, "AWS::CloudWatch::Dashboard"));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]?.Properties.DashboardBody as { "Fn::Join": [string, unknown[]] } | string;
  const text =
    typeof body === "string"
      ? body
      : body["Fn::Join"][1]
          .map((part) => (typeof part === "string" ? part : `<${refId(part) ?? JSON.stringify(part)}>`))
          .join("");
  return JSON.parse(text);
}

/** The metrics of a widget as `namespace/name{dim=value,…}` strings (CloudWatch's `"."` repeats the row above). */
function metricsOf(widget: Widget): string[] {
  const rows: string[][] = [];
  for (const row of widget.properties.metrics ?? []) {
    const values = row.filter((cell) => typeof cell === "string") as string[];
    const previous = rows.at(-1) ?? [];
    rows.push(values.map((cell, index) => (cell === "." ? (previous[index] ?? cell) : cell)));
  }
  return rows.map(([namespace, name, ...dimensions]) => {
    const pairs: string[] = [];
    for (let i = 0; i + 1 < dimensions.length; i += 2) pairs.push(`${dimensions[i]}=${dimensions[i + 1]}`);
    return `${namespace}/${name}{${pairs.sort().join(",")}}`;
  });
}

const auditMetricText = (controlId: string, name: string) =>
  `JumpCloudHardening/${name}{controlId=${controlId},service=${AUDIT_METRICS_SERVICE}}`;

/** A dashboard in a bare stack, with imported functions, for construct-level checks. */
function standalone(overrides: Partial<AuditDashboardProps> = {}) {
  const stack = new Stack(new App(), "Test", { env: { account: "111122223333", region: "eu-west-1" } });
  const fn = (name: string) =>
    new lambda.Function(stack, name, {
      code: lambda.Code.fromInline("export const handler = () => {};"),
      handler: "index.handler",
      runtime: lambda.Runtime.NODEJS_24_X,
    });
  const dashboard = new AuditDashboard(stack, "Dashboard", {
    controls: [
      { id: "1.1", title: "Secure Admin Portal Access", function: fn("audit-1-1") },
      { id: "2.1", title: "Enforce Organization-Wide MFA", function: fn("audit-2-1") },
    ],
    deadLetterQueue: new sqs.Queue(stack, "Queue"),
    detection: { function: fn("detect"), logGroup: new logs.LogGroup(stack, "DetectLogs") },
    report: fn("report"),
    otherFunctions: { "Remediation: function": fn("remediate") },
    ...overrides,
  });
  return { stack, dashboard, template: Template.fromStack(stack) };
}

describe("AuditDashboard", () => {
  it("has a row per control: status, failing resources and regressions, API requests and duration, function", () => {
    const { template } = standalone();
    const widgets = dashboardBody(template).widgets;
    for (const id of ["1.1", "2.1"]) {
      const row = widgets.filter(
        (w) => w.properties.title?.startsWith(`${id} `) || w.properties.title?.startsWith(`${id}:`),
      );
      expect(row.map((w) => metricsOf(w))).toEqual([
        [auditMetricText(id, "ControlFailed"), auditMetricText(id, "ControlErrored")],
        [auditMetricText(id, "FailingResources"), auditMetricText(id, "Regressions")],
        [auditMetricText(id, "ApiRequests"), auditMetricText(id, "AuditDuration")],
        ["Errors", "Throttles", "Duration"].map(
          (name) =>
            `AWS/Lambda/${name}{FunctionName=<${logicalId(template, "AWS::Lambda::Function", `audit${id.replace(".", "")}`)}>}`,
        ),
      ]);
      expect(row.reduce((width, w) => width + w.width, 0)).toBe(24);
    }
  });

  it("reads each audit metric with the statistic its meaning needs", () => {
    const widgets = dashboardBody(standalone().template).widgets;
    const statOf = new Map<string, unknown>();
    for (const widget of widgets)
      for (const row of widget.properties.metrics ?? []) {
        const options = row.at(-1) as { stat?: string };
        const name = row[1] === "." ? undefined : row[1];
        if (typeof name === "string" && name in AUDIT_METRICS) statOf.set(name, options.stat);
      }
    expect(Object.fromEntries(statOf)).toEqual({
      ControlFailed: "Maximum",
      ControlErrored: "Maximum",
      FailingResources: "Maximum",
      Regressions: "Sum",
      ApiRequests: "Sum",
      AuditDuration: "Maximum",
    });
  });

  it("turns the detection function's run line into metrics and graphs them with its function", () => {
    const { template } = standalone();
    const logGroupId = logicalId(template, "AWS::Logs::LogGroup", "DetectLogs");
    const filters = Object.values(resources(template, "AWS::Logs::MetricFilter"));
    expect(filters).toHaveLength(Object.keys(DETECTION_METRICS).length);
    for (const [name, value] of Object.entries(DETECTION_METRICS)) {
      template.hasResourceProperties("AWS::Logs::MetricFilter", {
        LogGroupName: { Ref: logGroupId },
        FilterPattern: '{ $.message = "Detection run finished" }',
        MetricTransformations: [
          { MetricNamespace: "JumpCloudHardening", MetricName: name, MetricValue: value, Unit: "Count" },
        ],
      });
    }
    const widgets = dashboardBody(template).widgets.filter((w) =>
      w.properties.title?.startsWith("Detections"),
    );
    expect(widgets.flatMap(metricsOf)).toEqual([
      "JumpCloudHardening/DetectionMatches{}",
      "JumpCloudHardening/DetectionUnevaluated{}",
      "JumpCloudHardening/DetectionFreshEvents{}",
      "JumpCloudHardening/DetectionRuns{}",
      ...["Errors", "Throttles", "Duration"].map(
        (name) =>
          `AWS/Lambda/${name}{FunctionName=<${logicalId(template, "AWS::Lambda::Function", "detect")}>}`,
      ),
    ]);
  });

  it("graphs the report metrics, with the report function's service, and the report function", () => {
    const { template } = standalone();
    const widgets = dashboardBody(template).widgets.filter((w) => w.properties.title?.startsWith("Reports"));
    const reportFn = logicalId(template, "AWS::Lambda::Function", "report");
    expect(widgets.flatMap(metricsOf)).toEqual([
      ...REPORT_METRICS.map((name) => `JumpCloudHardening/${name}{service=${REPORT_METRICS_SERVICE}}`),
      ...["Errors", "Throttles", "Duration"].map((name) => `AWS/Lambda/${name}{FunctionName=<${reportFn}>}`),
    ]);
  });

  it("has no detection widgets or filters without detections", () => {
    const { template } = standalone({ detection: undefined });
    template.resourceCountIs("AWS::Logs::MetricFilter", 0);
    expect(dashboardBody(template).widgets.some((w) => w.properties.title?.startsWith("Detections"))).toBe(
      false,
    );
  });

  it("is named after the stack and its region, and opens on the last two weeks", () => {
    const { template } = standalone();
    template.hasResourceProperties("AWS::CloudWatch::Dashboard", { DashboardName: "Test-eu-west-1" });
    expect(dashboardBody(template)).toMatchObject({ start: "-P14D" });
  });
});

describe("the stack's dashboard", () => {
  let template: Template;
  let all: string[];
  beforeAll(() => {
    ({ template } = synth());
    all = dashboardBody(template).widgets.flatMap(metricsOf);
  });

  it("graphs every audit metric of every deployed control, with the service its functions emit under", () => {
    for (const [id, fn] of Object.entries(resources(template, "AWS::Lambda::Function"))) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      if (!String(fn.Properties.Description).startsWith("Audits ")) continue;
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe(AUDIT_METRICS_SERVICE);
      expect(all).toContain(`AWS/Lambda/Errors{FunctionName=<${id}>}`);
    }
    for (const control of CONTROLS)
      for (const name of Object.keys(AUDIT_METRICS)) expect(all).toContain(auditMetricText(control.id, name));
  });

  it("graphs only the deployed controls", () => {
    const l1 = synth({ "jcAudit:level": "L1" }).template;
    const controls = new Set(
      dashboardBody(l1)
        .widgets.flatMap(metricsOf)
        .map((metric) => /controlId=([^,}]+)/.exec(metric)?.[1])
        .filter((id) => id !== undefined),
    );
    expect([...controls].sort()).toEqual(CONTROLS.filter((c) => c.level === "L1").map((c) => c.id));
  });

  it("graphs the detection filters, the dead-letter queue, the reports, and the report and remediation functions", () => {
    const detectionLogs = refId(
      (
        resource(template, logicalId(template, "AWS::Lambda::Function", "DetectionDetectFunction")).Properties
          .LoggingConfig as { LogGroup: unknown }
      ).LogGroup,
    );
    for (const filter of Object.values(resources(template, "AWS::Logs::MetricFilter")))
      expect(refId(filter.Properties.LogGroupName)).toBe(detectionLogs);
    expect(all).toContain("JumpCloudHardening/DetectionMatches{}");
    expect(all).toContain(`JumpCloudHardening/ReportControlsStale{service=${REPORT_METRICS_SERVICE}}`);
    const queue = logicalId(template, "AWS::SQS::Queue", "DeadLetters");
    expect(
      all.some(
        (m) => m.startsWith("AWS/SQS/ApproximateNumberOfMessagesVisible{QueueName=") && m.includes(queue),
      ),
    ).toBe(true);
    for (const prefix of ["ReportReporterFunction", "RemediationRemediateFunction"]) {
      expect(all).toContain(
        `AWS/Lambda/Errors{FunctionName=<${logicalId(template, "AWS::Lambda::Function", prefix)}>}`,
      );
    }
  });
});

describe("the detection function's run line", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("is one JSON line with the message and the numeric fields the metric filters read", async () => {
    const sim = await startSimulator({ scenario: "compliant" });
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      // The detection handler's Powertools logger, as Lambda runs it (JSON lines on stdout).
      const logger = new Logger({ serviceName: "jumpcloud-detection" });
      await runDetection({
        client: simClient(sim),
        state: { getJson: async () => undefined, putJson: async () => {} },
        notifier: { publish: async () => {} },
        logger: fromPowertools(logger),
        rules: loadRules([]),
        settings: {},
      });
    } finally {
      vi.restoreAllMocks();
      await sim.close();
    }
    const lines = written
      .flatMap((chunk) => chunk.split("\n"))
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.message === DETECTION_RUN_MESSAGE);
    expect(lines).toHaveLength(1);
    for (const path of Object.values(DETECTION_METRICS).filter((value) => value.startsWith("$."))) {
      expect(typeof lines[0]?.[path.slice(2)], path).toBe("number");
    }
  });
});

/** The embedded-metric-format lines written while `emit` runs: each metric name with its dimension names. */
function emitted(emit: () => void): Map<string, string[]> {
  const written: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    emit();
  } finally {
    vi.restoreAllMocks();
  }
  const metrics = new Map<string, string[]>();
  for (const line of written.flatMap((chunk) => chunk.split("\n")).filter(Boolean)) {
    const document = JSON.parse(line) as {
      _aws?: {
        CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }>;
      };
    };
    for (const directive of document._aws?.CloudWatchMetrics ?? []) {
      expect(directive.Namespace).toBe("JumpCloudHardening");
      for (const metric of directive.Metrics)
        metrics.set(metric.Name, [...(directive.Dimensions[0] ?? [])].sort());
    }
  }
  return metrics;
}

describe("the metrics the functions emit, as the dashboard reads them", () => {
  // A metric emitted without controlId is a different CloudWatch metric: the dashboard's graph of it stays empty.
  it("audit: every audit metric, with the dimensions service and controlId", () => {
    const metrics = emitted(() => {
      const powertools = new Metrics({ namespace: "JumpCloudHardening", serviceName: AUDIT_METRICS_SERVICE });
      powertoolsAuditMetrics(powertools).record(
        { controlId: "1.1", status: "FAIL", counts: { FAIL: 2 }, durationMs: 5 } as unknown as ControlFinding,
        { requests: 3 } as RunReport["api"],
        1,
      );
    });
    expect(Object.fromEntries(metrics)).toEqual(
      Object.fromEntries(Object.keys(AUDIT_METRICS).map((name) => [name, ["controlId", "service"]])),
    );
  });

  it("report: every report metric, with the dimension service only", () => {
    const metrics = emitted(() => {
      const powertools = new Metrics({
        namespace: "JumpCloudHardening",
        serviceName: REPORT_METRICS_SERVICE,
      });
      const report = powertoolsReportMetrics(powertools);
      report.record({
        counts: { FAIL: 1, ERROR: 0 },
        problems: { stale: 1, missing: 0 },
      } as unknown as Parameters<ReportMetrics["record"]>[0]);
      report.recordRun(2, 0);
    });
    expect(Object.fromEntries(metrics)).toEqual(
      Object.fromEntries(REPORT_METRICS.map((name) => [name, ["service"]])),
    );
  });
});
