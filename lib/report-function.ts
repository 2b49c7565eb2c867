/**
 * The report function: after the day's audits, reads each organization's latest findings and writes its
 * report under `reports/`, flagging a control whose latest finding is older than two of its schedule
 * periods as stale; with the daily digest on, it also publishes one message per organization. Its
 * EventBridge rule sends `{ eventId, time }` (with several organizations, the fan-out's last step invokes
 * it instead, with the portfolio); an operator may invoke it on demand.
 */
import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { orgIdsEnv } from "./config.js";
import { FINDINGS_PREFIXES } from "./findings-bucket.js";
import { grantList, grantObjectRead, grantObjectWrite } from "./grants.js";
import { acknowledgeGrantWildcards } from "./nag.js";
import { schedulePeriodSeconds } from "./schedule-expression.js";
import { handlerEntry, ServiceFunction, type ServiceFunctionOptions } from "./service-function.js";

/** The report handler. */
export const REPORT_HANDLER = "lambdas/handlers/report.ts";

/** Properties of a ReportFunction. */
export interface ReportFunctionProps {
  /**
   * EventBridge schedule expression of the report, already validated.
   * @default - no rule: the MSP fan-out's state machine invokes it after the audits
   */
  readonly schedule?: string;
  /**
   * The deployed controls and their schedule expressions, by id: a control without a finding is reported,
   * and a finding older than two periods of its control's schedule is stale.
   */
  readonly controlSchedules: Readonly<Record<string, string>>;
  /** The findings bucket: reads `findings/*\/*\/latest.json`, lists `findings/` and `reports/`, reads and writes `reports/`. */
  readonly findingsBucket: s3.IBucket;
  /** Topic of the digests and of this function's alarms. */
  readonly alertsTopic: sns.ITopic;
  /** Dead-letter queue of the rule's undeliverable events and the function's failed invocations. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Organizations reported; "all" or none: every organization with findings in the bucket.
   * @default []
   */
  readonly orgIds?: readonly string[] | "all";
  /**
   * Whether one digest message per organization is published to the alerts topic.
   * @default false
   */
  readonly dailyDigest?: boolean;
  /**
   * Sizing and operational settings.
   * @default - the ServiceFunction defaults (512 MB, 5 minutes, 1 year of logs, concurrency 1)
   */
  readonly functionOptions?: ServiceFunctionOptions;
}

/** Seconds after which each control's latest finding is stale: two periods of its schedule. */
export function staleAfterSeconds(
  controlSchedules: Readonly<Record<string, string>>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(controlSchedules).map(([id, schedule]) => [id, 2 * schedulePeriodSeconds(schedule)]),
  );
}

/** The scheduled, on-demand report function. */
export class ReportFunction extends Construct {
  /** The function and its role, log group and alarms. */
  readonly service: ServiceFunction;
  /** The schedule; undefined when the MSP fan-out invokes the report. */
  readonly rule: events.Rule | undefined;

  constructor(scope: Construct, id: string, props: ReportFunctionProps) {
    super(scope, id);
    const controlIds = Object.keys(props.controlSchedules);
    if (controlIds.length === 0) throw new Error("ReportFunction: controlSchedules names no control");
    this.service = new ServiceFunction(this, "Reporter", {
      ...props.functionOptions,
      entry: handlerEntry(REPORT_HANDLER),
      description: "Writes each organization's JumpCloud hardening report from the latest findings",
      label: "report",
      serviceName: "jumpcloud-report",
      deadLetterQueue: props.deadLetterQueue,
      alarmTopic: props.alertsTopic,
      environment: {
        FINDINGS_BUCKET: props.findingsBucket.bucketName,
        ALERTS_TOPIC_ARN: props.alertsTopic.topicArn,
        JC_ORG_IDS: orgIdsEnv(props.orgIds ?? []),
        CONTROL_IDS: controlIds.join(","),
        STALE_AFTER_JSON: JSON.stringify(staleAfterSeconds(props.controlSchedules)),
        DAILY_DIGEST: String(props.dailyDigest ?? false),
      },
    });
    grantReportAccess(this.service.role, props);

    this.rule =
      props.schedule === undefined
        ? undefined
        : new events.Rule(this, "Schedule", {
            description: "Writes the JumpCloud hardening reports after the day's audits",
            schedule: events.Schedule.expression(props.schedule),
            targets: [
              new targets.LambdaFunction(this.service.function, {
                event: events.RuleTargetInput.fromObject({
                  eventId: events.EventField.eventId,
                  time: events.EventField.time,
                }),
                retryAttempts: 4,
                maxEventAge: Duration.hours(2),
                deadLetterQueue: props.deadLetterQueue,
              }),
            ],
          });
  }
}

/**
 * What the report reads and writes, action by action: the latest findings, listings of `findings/`
 * (organization discovery) and `reports/`, its own `reports/` objects, the bucket key to decrypt and to generate data keys
 * (never Encrypt or ReEncrypt), and publishing to the alerts topic. Nothing is deleted.
 */
function grantReportAccess(role: iam.Role, props: ReportFunctionProps): void {
  const bucket = props.findingsBucket;
  const { findings, reports } = FINDINGS_PREFIXES;
  const latest = `${findings}*/*/latest.json`;
  grantObjectRead(role, bucket, [latest, `${reports}*`]);
  grantObjectWrite(role, bucket, [`${reports}*`]);
  // Listing tells a missing object from a refused one (S3 answers AccessDenied for both without it).
  grantList(role, bucket, [findings, reports]);
  props.alertsTopic.grantPublish(role);

  acknowledgeGrantWildcards(role, {
    bucket,
    keyPatterns: [latest, `${reports}*`],
    tracing: props.functionOptions?.tracing ?? false,
  });
}
