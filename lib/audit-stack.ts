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
import type { DeployConfig } from "./config.js";
import { AuditDashboard } from "./dashboard.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import { DetectionFunction } from "./detection-function.js";
import { FindingsBucket } from "./findings-bucket.js";
import { RemediationFunction } from "./remediation-function.js";
import { ReportFunction } from "./report-function.js";
import type { ServiceFunctionOptions } from "./service-function.js";

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
    const audits = new Map<string, AuditFunction>();
    for (const control of config.controls) {
      const thresholds = config.thresholds[control.id];
      audits.set(
        control.id,
        new AuditFunction(this, auditConstructId(control.id), {
          control,
          schedule: config.schedules[control.id] ?? "",
          findingsBucket: this.findings.bucket,
          apiKey: this.auditApiKey,
          alertsTopic: this.alerts.topic,
          deadLetterQueue: this.deadLetterQueue.queue,
          settings: {
            region: config.region,
            orgIds: config.orgIds,
            ...(config.plan ? { plan: config.plan } : {}),
            announceRecoveries: config.announceRecoveries,
            errorAlertAfter: config.errorAlertAfter,
            ...(thresholds ? { thresholds } : {}),
            securityHub: config.securityHub,
          },
          functionOptions,
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
          orgIds: config.orgIds,
          functionOptions,
        })
      : undefined;
    this.remediation = new RemediationFunction(this, "Remediation", {
      findingsBucket: this.findings.bucket,
      apiKey: this.remediationApiKey,
      alertsTopic: this.alerts.topic,
      deadLetterQueue: this.deadLetterQueue.queue,
      region: config.region,
      orgIds: config.orgIds,
      trustedRanges: config.trustedRanges,
      ...(config.plan ? { plan: config.plan } : {}),
      functionOptions,
    });
    this.report = new ReportFunction(this, "Report", {
      schedule: config.report.schedule,
      controlSchedules: config.schedules,
      findingsBucket: this.findings.bucket,
      alertsTopic: this.alerts.topic,
      deadLetterQueue: this.deadLetterQueue.queue,
      orgIds: config.orgIds,
      dailyDigest: config.report.dailyDigest,
      functionOptions,
    });
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
    output("DashboardName", this.dashboard.dashboard.dashboardName, "CloudWatch dashboard of the audits");
    output(
      "DeadLetterQueueUrl",
      this.deadLetterQueue.queue.queueUrl,
      "Queue of audits that failed after all retries",
    );
  }
}
