/** The scheduled detection function: the Sigma rules over new Directory Insights events, every 15 minutes. */
import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { ApiKeySecret } from "./api-key-secret.js";
import { FINDINGS_PREFIXES } from "./findings-bucket.js";
import { grantList, grantObjectRead, grantObjectWrite } from "./grants.js";
import { acknowledgeGrantWildcards } from "./nag.js";
import { handlerEntry, ServiceFunction, type ServiceFunctionOptions } from "./service-function.js";

/** Path of the detection handler, relative to the repository root. */
export const DETECTION_HANDLER = "lambdas/handlers/detect.ts";
/** The rules folder, shipped beside the bundle. */
export const RULES_FOLDER = "detections";

/** Properties of a DetectionFunction. */
export interface DetectionFunctionProps {
  /** EventBridge schedule expression, already validated. @default "rate(15 minutes)" (set by the config) */
  readonly schedule: string;
  /** The findings bucket: the checkpoint lives under `state/`. */
  readonly findingsBucket: s3.IBucket;
  /** The audit (Read Only) API key: detection only reads. */
  readonly apiKey: ApiKeySecret;
  /** Topic of detections and of this function's alarms. */
  readonly alertsTopic: sns.ITopic;
  /** Dead-letter queue of undeliverable events and failed invocations. */
  readonly deadLetterQueue: sqs.IQueue;
  /** JumpCloud region. */
  readonly region: "us" | "eu" | "in";
  /** Organizations (MSP keys). @default [] (the key's own organization) */
  readonly orgIds?: readonly string[];
  /** No events for this many hours is alerted once. @default 24 */
  readonly silenceHours?: number;
  /**
   * Lowest Sigma rule level that is alerted; lower levels are only counted (`MIN_ALERT_LEVEL`).
   * @default "low"
   */
  readonly minAlertLevel?: "informational" | "low" | "medium" | "high" | "critical";
  /** Sizing and operational settings. @default - the ServiceFunction defaults */
  readonly functionOptions?: ServiceFunctionOptions;
}

/** The detection function and its schedule. */
export class DetectionFunction extends Construct {
  /** The function and its role, log group and alarms. */
  readonly service: ServiceFunction;
  /** The schedule. */
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: DetectionFunctionProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, "Detect", {
      ...props.functionOptions,
      entry: handlerEntry(DETECTION_HANDLER),
      description: "Evaluates the JumpCloud hardening guide's Sigma rules on new Directory Insights events",
      label: "detection",
      serviceName: "jumpcloud-detection",
      deadLetterQueue: props.deadLetterQueue,
      alarmTopic: props.alertsTopic,
      copyIntoBundle: [RULES_FOLDER],
      environment: {
        FINDINGS_BUCKET: props.findingsBucket.bucketName,
        ALERTS_TOPIC_ARN: props.alertsTopic.topicArn,
        API_KEY_SECRET_ARN: props.apiKey.secret.secretArn,
        JC_REGION: props.region,
        JC_ORG_IDS: (props.orgIds ?? []).join(","),
        SILENCE_HOURS: String(props.silenceHours ?? 24),
        MIN_ALERT_LEVEL: props.minAlertLevel ?? "low",
      },
    });
    const role = this.service.role;
    props.apiKey.grantRead(role);
    // The checkpoint of each organization is the only object it reads and writes.
    const checkpoint = [`${FINDINGS_PREFIXES.state}*/detections/checkpoint.json`];
    grantObjectRead(role, props.findingsBucket, checkpoint);
    grantObjectWrite(role, props.findingsBucket, checkpoint);
    grantList(role, props.findingsBucket, [`${FINDINGS_PREFIXES.state}*/detections/`]);
    props.alertsTopic.grantPublish(role);
    acknowledgeGrantWildcards(role, {
      bucket: props.findingsBucket,
      keyPatterns: checkpoint,
      tracing: props.functionOptions?.tracing ?? false,
    });

    this.rule = new events.Rule(this, "Schedule", {
      description: "Runs the JumpCloud Sigma detections",
      schedule: events.Schedule.expression(props.schedule),
      targets: [
        new targets.LambdaFunction(this.service.function, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(30),
          deadLetterQueue: props.deadLetterQueue,
        }),
      ],
    });
  }
}
