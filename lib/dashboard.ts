/**
 * The CloudWatch dashboard of the auditor: each deployed control's status over time and the run metrics
 * its audit function emits (Powertools, namespace `JumpCloudHardening`, dimensions `service` and
 * `controlId`), each function's errors, throttles and duration, the detection function's matches and new
 * events (a flat zero is the audit log's silence), the reports' stale and failing controls, and the
 * dead-letter queue's depth. The detection
 * function logs one "Detection run finished" line per run and organization; metric filters on its log
 * group turn that line's counts into metrics.
 */
import { Duration, Stack } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { METRICS_NAMESPACE } from "./service-function.js";

/** Powertools service name of the audit functions: the `service` dimension of their metrics. */
export const AUDIT_METRICS_SERVICE = "jumpcloud-audit";

/** The metrics each audit run emits per control (`lambdas/adapters/metrics.ts`), and how to read them. */
export const AUDIT_METRICS = {
  /** 1 when the run's status was FAIL. */
  ControlFailed: cloudwatch.Stats.MAXIMUM,
  /** 1 when the run's status was ERROR. */
  ControlErrored: cloudwatch.Stats.MAXIMUM,
  FailingResources: cloudwatch.Stats.MAXIMUM,
  Regressions: cloudwatch.Stats.SUM,
  ApiRequests: cloudwatch.Stats.SUM,
  AuditDuration: cloudwatch.Stats.MAXIMUM,
} as const;

/** Powertools service name of the report function: the only dimension of its metrics. */
export const REPORT_METRICS_SERVICE = "jumpcloud-report";

/**
 * The metrics each report run emits (`lambdas/adapters/aws-report.ts`): per organization, no organization
 * dimension, so their sum over a period is the portfolio's; then per run.
 */
export const REPORT_METRICS = [
  "ReportControlsFailed",
  "ReportControlsErrored",
  "ReportControlsStale",
  "ReportControlsMissing",
  "ReportOrganizations",
  "ReportOrganizationsFailed",
] as const;

/** The detection metrics the dashboard's filters derive from "Detection run finished", by the field they read. */
export const DETECTION_METRICS = {
  DetectionRuns: "1",
  DetectionMatches: "$.matches",
  DetectionFreshEvents: "$.fresh",
  DetectionUnevaluated: "$.unevaluated",
} as const;

/** The message of the detection function's per-run log line (`lambdas/detections/service.ts`). */
export const DETECTION_RUN_MESSAGE = "Detection run finished";

/** A deployed control and its audit function. */
export interface DashboardControl {
  /** Control id, e.g. `1.1`. */
  readonly id: string;
  /** Control title from the catalog. */
  readonly title: string;
  /** The control's audit function. */
  readonly function: lambda.IFunction;
}

/** Properties of an AuditDashboard. */
export interface AuditDashboardProps {
  /** The deployed controls, in the order their rows appear. */
  readonly controls: readonly DashboardControl[];
  /** The dead-letter queue of the schedules and functions. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The detection function and its log group.
   * @default - no detection row
   */
  readonly detection?: { readonly function: lambda.IFunction; readonly logGroup: logs.ILogGroup };
  /**
   * The report function.
   * @default - no report row
   */
  readonly report?: lambda.IFunction;
  /**
   * Other functions whose errors, throttles and duration are shown (e.g. the remediation), by label.
   * @default {}
   */
  readonly otherFunctions?: Readonly<Record<string, lambda.IFunction>>;
  /**
   * Name of the dashboard; dashboard names are unique per account, across regions.
   * @default - `{stackName}-{region}`
   */
  readonly dashboardName?: string;
  /**
   * Time range shown when the dashboard opens.
   * @default Duration.days(14)
   */
  readonly range?: Duration;
}

/** Resolution of every graph: one point per run for any schedule of an hour or longer. */
const PERIOD = Duration.hours(1);
const WIDTH = 6;
const HEIGHT = 6;

/** The auditor's dashboard. */
export class AuditDashboard extends Construct {
  /** The dashboard. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The detection log group's metric filters, by metric name, when detections are deployed. */
  readonly detectionFilters: Readonly<Record<string, logs.MetricFilter>>;

  constructor(scope: Construct, id: string, props: AuditDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: props.dashboardName ?? `${Stack.of(this).stackName}-${Stack.of(this).region}`,
      defaultInterval: props.range ?? Duration.days(14),
    });
    const controls = props.controls;
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: [
          "# JumpCloud hardening audit",
          "Status: a control's `ControlFailed` is 1 when its last run was FAIL, `ControlErrored` 1 when it was ERROR (not evaluated). Findings are in the bucket (`findings/{orgId}/{controlId}/latest.json`); each graph point is the last hour's runs.",
        ].join("\n\n"),
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph("Controls failing (1 = FAIL)", auditMetrics(controls, "ControlFailed"), 9),
      graph("Controls in ERROR (1 = not evaluated)", auditMetrics(controls, "ControlErrored"), 9),
      graph("Dead-letter queue: runs that failed after every retry", [
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: cloudwatch.Stats.MAXIMUM,
          label: "messages waiting",
        }),
      ]),
    );
    for (const control of controls) {
      const metric = (name: keyof typeof AUDIT_METRICS, label: string) =>
        auditMetric(control.id, name, label);
      this.dashboard.addWidgets(
        graph(`${control.id} ${control.title}: status`, [
          metric("ControlFailed", "FAIL"),
          metric("ControlErrored", "ERROR"),
        ]),
        graph(`${control.id}: failing resources and regressions`, [
          metric("FailingResources", "failing resources"),
          metric("Regressions", "regressions"),
        ]),
        graph(`${control.id}: API requests and duration`, [metric("ApiRequests", "API requests")], WIDTH, [
          metric("AuditDuration", "duration (ms)"),
        ]),
        functionGraph(`${control.id}: function`, control.function),
      );
    }

    const filters: Record<string, logs.MetricFilter> = {};
    if (props.detection) {
      const { logGroup } = props.detection;
      for (const [metricName, metricValue] of Object.entries(DETECTION_METRICS)) {
        filters[metricName] = new logs.MetricFilter(this, metricName, {
          logGroup,
          metricNamespace: METRICS_NAMESPACE,
          metricName,
          metricValue,
          filterPattern: logs.FilterPattern.stringValue("$.message", "=", DETECTION_RUN_MESSAGE),
          unit: cloudwatch.Unit.COUNT,
        });
      }
      const detectionMetric = (name: keyof typeof DETECTION_METRICS, label: string) =>
        (filters[name] as logs.MetricFilter).metric({
          period: PERIOD,
          statistic: cloudwatch.Stats.SUM,
          label,
        });
      this.dashboard.addWidgets(
        graph("Detections: matches alerted", [
          detectionMetric("DetectionMatches", "matches"),
          detectionMetric("DetectionUnevaluated", "events not evaluated"),
        ]),
        graph("Detections: new Directory Insights events (0 = silence)", [
          detectionMetric("DetectionFreshEvents", "new events"),
          detectionMetric("DetectionRuns", "runs"),
        ]),
        functionGraph("Detections: function", props.detection.function),
      );
    }
    this.detectionFilters = filters;
    if (props.report) {
      const reportMetric = (name: (typeof REPORT_METRICS)[number], label: string) =>
        new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: name,
          dimensionsMap: { service: REPORT_METRICS_SERVICE },
          statistic: cloudwatch.Stats.SUM,
          period: PERIOD,
          label,
        });
      this.dashboard.addWidgets(
        graph("Reports: controls of all organizations", [
          reportMetric("ReportControlsFailed", "FAIL"),
          reportMetric("ReportControlsErrored", "ERROR"),
          reportMetric("ReportControlsStale", "stale"),
          reportMetric("ReportControlsMissing", "no finding"),
        ]),
        graph("Reports: organizations", [
          reportMetric("ReportOrganizations", "reported"),
          reportMetric("ReportOrganizationsFailed", "failed"),
        ]),
        functionGraph("Reports: function", props.report),
      );
    }
    const others = Object.entries(props.otherFunctions ?? {}).map(([label, fn]) => functionGraph(label, fn));
    if (others.length > 0) this.dashboard.addWidgets(...others);
  }
}

/** One audit metric of one control, with the dimensions Powertools gives it. */
export function auditMetric(
  controlId: string,
  name: keyof typeof AUDIT_METRICS,
  label: string = controlId,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: AUDIT_METRICS_SERVICE, controlId },
    statistic: AUDIT_METRICS[name],
    period: PERIOD,
    label,
  });
}

function auditMetrics(controls: readonly DashboardControl[], name: keyof typeof AUDIT_METRICS) {
  return controls.map((control) => auditMetric(control.id, name));
}

function graph(
  title: string,
  left: cloudwatch.IMetric[],
  width = WIDTH,
  right: cloudwatch.IMetric[] = [],
): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    left,
    right,
    width,
    height: HEIGHT,
    leftYAxis: { min: 0, showUnits: false },
    ...(right.length > 0 ? { rightYAxis: { min: 0, showUnits: false } } : {}),
  });
}

/** A function's errors and throttles (left) and its longest duration (right). */
function functionGraph(title: string, fn: lambda.IFunction): cloudwatch.GraphWidget {
  const options = { period: PERIOD, statistic: cloudwatch.Stats.SUM };
  return graph(
    title,
    [
      fn.metricErrors({ ...options, label: "errors" }),
      fn.metricThrottles({ ...options, label: "throttles" }),
    ],
    WIDTH,
    [fn.metricDuration({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM, label: "duration (ms)" })],
  );
}
