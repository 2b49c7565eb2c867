/**
 * The JumpCloud hardening auditor in one stack: the findings bucket, the alerts topic, the two API key
 * secrets, one scheduled audit function per deployed control, the scheduled detections, the report
 * function scheduled after the audits, the manually invoked remediation function, the dead-letter queue
 * and the dashboard. It only composes the constructs; each holds its own hardening.
 */
import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import type * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { AlertsTopic } from "./alerts-topic.js";
import { ApiKeySecret } from "./api-key-secret.js";
import { AuditFunction } from "./audit-function.js";
import { type DeployConfig, isMultiOrg } from "./config.js";
import { AuditDashboard } from "./dashboard.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import { DetectionFunction } from "./detection-function.js";
import { AuditFanout } from "./fanout.js";
import { FindingsBucket } from "./findings-bucket.js";
import { RemediationFunction } from "./remediation-function.js";
import { ReportFunction } from "./report-function.js";
import type { ServiceFunctionOptions } from "./service-function.js";

/** Memory of the report function when it reports many organizations (MB). */
export const REPORT_MEMORY_MB_MANY_ORGS = 1024;

/** Properties of the AuditStack. */
export interface AuditStackProps extends StackProps {
  /** The validated deployment configuration (see `loadDeployConfig`). */
  readonly config: DeployConfig;
}

/** The construct id of a control's audit, e.g. `Audit1-1` for 1.1. */
export function auditConstructId(controlId: string): string {
  return `Audit${controlId.replace(/\./g, "-")}`;
}

/** The deployed auditor. */
export class AuditStack extends Stack {
  /** The findings bucket. */
  readonly findings: FindingsBucket;
  /** The alerts topic. */
  readonly alerts: AlertsTopic;
  /** The audit (Read Only) API key. */
  readonly auditApiKey: ApiKeySecret;
  /** The write-capable API key of the remediation function. */
  readonly remediationApiKey: ApiKeySecret;
  /** The dead-letter queue. */
  readonly deadLetterQueue: DeadLetterQueue;
  /** The audits, by control id. */
  readonly audits: ReadonlyMap<string, AuditFunction>;
  /** The remediation function. */
  readonly remediation: RemediationFunction;
  /** The scheduled Sigma detections, unless `jcAudit:detections` is false. */
  readonly detection: DetectionFunction | undefined;
  /** The report function, scheduled after the audits and invokable on demand. */
  readonly report: ReportFunction;
  /** The CloudWatch dashboard. */
  readonly dashboard: AuditDashboard;
  /** The MSP fan-out, when several organizations are audited (`jcAudit:orgIds` "all" or more than one id). */
  readonly fanout: AuditFanout | undefined;

  constructor(scope: Construct, id: string, props: AuditStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.findings = new FindingsBucket(this, "Findings", {
      retention: Duration.days(config.findingsRetentionDays),
      ...(config.objectLock ? { objectLock: config.objectLock } : {}),
    });
    this.alerts = new AlertsTopic(this, "Alerts", {
      emails: config.alertEmails,
      ...(config.slack ? { slack: config.slack } : {}),
    });
    this.auditApiKey = new ApiKeySecret(this, "AuditApiKey", {
      secretName: `${this.stackName}/audit-api-key`,
      description:
        "JumpCloud API key of a Read Only administrator, read only by the scheduled audit functions",
    });
    this.remediationApiKey = new ApiKeySecret(this, "RemediationApiKey", {
      secretName: `${this.stackName}/remediation-api-key`,
      description: "Write-capable JumpCloud API key, read only by the manually invoked remediation function",
    });
    this.deadLetterQueue = new DeadLetterQueue(this, "DeadLetters", {
      encryptionKey: this.alerts.masterKey,
      alarmTopic: this.alerts.topic,
    });

    const functionOptions: ServiceFunctionOptions = {
      memorySize: config.memoryMb,
      timeout: Duration.seconds(config.timeoutSeconds),
      logRetention: config.logRetentionDays as logs.RetentionDays,
      logLevel: config.logLevel,
      reservedConcurrency: config.reservedConcurrency ?? false,
      tracing: config.tracing,
      sourceMaps: config.sourceMaps,
    };
    // Several organizations: one state machine runs the audits (no rule per control), with up to
    // maxConcurrency invocations of each audit function at once, so a reservation must leave room for them.
    const multiOrg = isMultiOrg(config);
    const auditOptions: ServiceFunctionOptions =
      multiOrg && config.reservedConcurrency !== undefined
        ? {
            ...functionOptions,
            reservedConcurrency: Math.max(config.reservedConcurrency, config.maxConcurrency),
          }
        : functionOptions;
    // Detection and remediation read an explicit list only: under "all" they keep the key's own organization.
    const listedOrgIds = config.orgIds === "all" ? [] : config.orgIds;
    const audits = new Map<string, AuditFunction>();
    for (const control of config.controls) {
      const thresholds = config.thresholds[control.id];
      audits.set(
        control.id,
        new AuditFunction(this, auditConstructId(control.id), {
          control,
          ...(multiOrg ? {} : { schedule: config.schedules[control.id] ?? "" }),
          findingsBucket: this.findings.bucket,
          apiKey: this.auditApiKey,
          alertsTopic: this.alerts.topic,
          deadLetterQueue: this.deadLetterQueue.queue,
          settings: {
            region: config.region,
            orgIds: config.orgIds,
            orgExclude: config.orgExclude,
            ...(config.plan ? { plan: config.plan } : {}),
            announceRecoveries: config.announceRecoveries,
            errorAlertAfter: config.errorAlertAfter,
            ...(thresholds ? { thresholds } : {}),
            securityHub: config.securityHub,
          },
          functionOptions: auditOptions,
        }),
      );
    }
    this.audits = audits;
    this.detection = config.detections
      ? new DetectionFunction(this, "Detection", {
          schedule: config.detections.schedule,
          silenceHours: config.detections.silenceHours,
          minAlertLevel: config.detections.minAlertLevel,
          findingsBucket: this.findings.bucket,
          apiKey: this.auditApiKey,
          alertsTopic: this.alerts.topic,
          deadLetterQueue: this.deadLetterQueue.queue,
          region: config.region,
          orgIds: listedOrgIds,
          functionOptions,
        })
      : undefined;
    this.remediation = new RemediationFunction(this, "Remediation", {
      findingsBucket: this.findings.bucket,
      apiKey: this.remediationApiKey,
      alertsTopic: this.alerts.topic,
      deadLetterQueue: this.deadLetterQueue.queue,
      region: config.region,
      orgIds: listedOrgIds,
      trustedRanges: config.trustedRanges,
      ...(config.plan ? { plan: config.plan } : {}),
      functionOptions,
    });
    this.report = new ReportFunction(this, "Report", {
      ...(multiOrg ? {} : { schedule: config.report.schedule }),
      controlSchedules: config.schedules,
      findingsBucket: this.findings.bucket,
      alertsTopic: this.alerts.topic,
      deadLetterQueue: this.deadLetterQueue.queue,
      orgIds: config.orgIds,
      dailyDigest: config.report.dailyDigest,
      // Many organizations: up to Lambda's 15 minutes and at least 1 GB (the portfolio holds them all).
      functionOptions: multiOrg
        ? {
            ...functionOptions,
            timeout: Duration.minutes(15),
            memorySize: Math.max(config.memoryMb, REPORT_MEMORY_MB_MANY_ORGS),
          }
        : functionOptions,
    });
    const first = config.controls[0];
    this.fanout =
      multiOrg && first
        ? new AuditFanout(this, "Fanout", {
            controls: config.controls.map((control) => ({
              id: control.id,
              function: (audits.get(control.id) as AuditFunction).service.function,
            })),
            reportFunction: this.report.service.function,
            findingsBucket: this.findings.bucket,
            schedule: config.schedules[first.id] ?? config.report.schedule,
            deadLetterQueue: this.deadLetterQueue.queue,
            alarmTopic: this.alerts.topic,
            maxConcurrency: config.maxConcurrency,
            toleratedFailurePercentage: config.toleratedFailurePercentage,
            functionTimeout: Duration.seconds(Math.max(config.timeoutSeconds, 900)),
            logRetention: config.logRetentionDays as logs.RetentionDays,
            tracing: config.tracing,
          })
        : undefined;
    this.dashboard = new AuditDashboard(this, "Dashboard", {
      controls: config.controls.map((control) => ({
        id: control.id,
        title: control.title,
        function: (audits.get(control.id) as AuditFunction).service.function,
      })),
      deadLetterQueue: this.deadLetterQueue.queue,
      ...(this.detection
        ? {
            detection: {
              function: this.detection.service.function,
              logGroup: this.detection.service.logGroup,
            },
          }
        : {}),
      report: this.report.service.function,
      otherFunctions: { "Remediation: function": this.remediation.service.function },
    });

    const output = (outputId: string, value: string, description: string) =>
      new CfnOutput(this, outputId, { value, description });
    output(
      "FindingsBucketName",
      this.findings.bucket.bucketName,
      "Bucket of findings, history and run reports",
    );
    output("AlertsTopicArn", this.alerts.topic.topicArn, "SNS topic of the alerts");
    output(
      "AuditApiKeySecretName",
      `${this.stackName}/audit-api-key`,
      "Secret to put the Read Only admin's API key in",
    );
    output("AuditApiKeySecretArn", this.auditApiKey.secret.secretArn, "ARN of the audit API key secret");
    output(
      "RemediationApiKeySecretName",
      `${this.stackName}/remediation-api-key`,
      "Secret to put the write-capable API key in",
    );
    output(
      "RemediationApiKeySecretArn",
      this.remediationApiKey.secret.secretArn,
      "ARN of the remediation API key secret",
    );
    output(
      "RemediationFunctionName",
      this.remediation.service.function.functionName,
      "Function to invoke for a remediation",
    );
    output(
      "ReportFunctionName",
      this.report.service.function.functionName,
      "Function to invoke for an on-demand report",
    );
    if (this.fanout)
      output(
        "FanoutStateMachineArn",
        this.fanout.stateMachine.stateMachineArn,
        "State machine auditing every organization (start it with {eventId, time} for an on-demand run)",
      );
    output("DashboardName", this.dashboard.dashboard.dashboardName, "CloudWatch dashboard of the audits");
    output(
      "DeadLetterQueueUrl",
      this.deadLetterQueue.queue.queueUrl,
      "Queue of audits that failed after all retries",
    );
  }
}
