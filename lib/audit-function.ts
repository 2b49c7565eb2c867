/**
 * One control's scheduled audit: a function that audits that control, and the EventBridge rule that
 * invokes it on its schedule with `{ controlId, eventId, time }` (the handler's contract); without a
 * schedule, no rule: the MSP fan-out's state machine invokes it per organization. The function
 * reads only the audit (Read Only) key, reads and writes its objects of the findings bucket, and
 * publishes alerts.
 */
import { Aws, Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { ApiKeySecret } from "./api-key-secret.js";
import { orgIdsEnv } from "./config.js";
import { FINDINGS_PREFIXES } from "./findings-bucket.js";
import {
  grantList,
  grantObjectRead,
  grantObjectWrite,
  grantSecurityHubImport,
  securityHubProductArn,
} from "./grants.js";
import { acknowledgeGrantWildcards } from "./nag.js";
import { handlerEntry, ServiceFunction, type ServiceFunctionOptions } from "./service-function.js";

/** The handler every audit function runs; the event says which control. */
export const AUDIT_HANDLER = "lambdas/handlers/audit.ts";

/** This account's default Security Hub product in the stack's region, as CloudFormation resolves it. */
const AUDIT_PRODUCT_ARN = securityHubProductArn(Aws.PARTITION, Aws.REGION, Aws.ACCOUNT_ID);

/**
 * The findings bucket's keys one control's audit uses (see `lambdas/store/findings-store.ts` and
 * `lambdas/service/state-store.ts`); the organization segment is `*`, resolved from the API key at run time.
 * It reads and writes `findings/{org}/{control}/` (latest, last-evaluated, history-scanned, history —
 * tagged to expire), `state/{org}/{control}/` (health, Security Hub ids; `unresolved` as the org when the
 * organization cannot be resolved) and `events/{org}/{control}/` (markers); lists those prefixes (history
 * is listed; S3 answers NoSuchKey rather than AccessDenied for a missing key only to a caller that may
 * list it); writes run reports, whose keys name no control, anywhere under `runs/`.
 */
export function auditObjectKeys(controlId: string): {
  read: string[];
  writeTagged: string[];
  write: string[];
  list: string[];
} {
  const { findings, runs, state, events: markers } = FINDINGS_PREFIXES;
  const own = (prefix: string) => `${prefix}*/${controlId}/`;
  return {
    read: [findings, state, markers].map((prefix) => `${own(prefix)}*`),
    writeTagged: [`${own(findings)}*`],
    write: [`${own(state)}*`, `${own(markers)}*`, `${runs}*`],
    list: [findings, state, markers].map(own),
  };
}

/** What the audit function is configured with, beyond its control (see `lambdas/service/config.ts`). */
export interface AuditSettings {
  /** JumpCloud data centre. */
  readonly region: "us" | "eu" | "in";
  /**
   * Organizations audited with a multi-tenant (MSP) key.
   * @default - the key's own organization
   */
  readonly orgIds?: readonly string[] | "all";
  /**
   * Organizations never audited (`JC_ORG_EXCLUDE`).
   * @default []
   */
  readonly orgExclude?: readonly string[];
  /**
   * Declared JumpCloud plan.
   * @default - detected from the API's answers
   */
  readonly plan?: string;
  /**
   * Whether recoveries are announced.
   * @default false
   */
  readonly announceRecoveries?: boolean;
  /**
   * Consecutive ERROR runs before the "cannot evaluate" alert.
   * @default 3
   */
  readonly errorAlertAfter?: number;
  /**
   * Threshold overrides of this control, by name.
   * @default - the catalog's defaults
   */
  readonly thresholds?: Readonly<Record<string, number | boolean | string>>;
  /**
   * Whether findings are imported into Security Hub, as this account's default product
   * (`SECURITY_HUB_PRODUCT_ARN`); the role may then call `securityhub:BatchImportFindings` on that ARN only.
   * @default false
   */
  readonly securityHub?: boolean;
}

/** Properties of an AuditFunction. */
export interface AuditFunctionProps {
  /** The control this function audits. */
  readonly control: { readonly id: string; readonly title: string; readonly level: string };
  /**
   * EventBridge schedule expression, already validated (`cron(...)` or `rate(...)`).
   * @default - no rule: something else invokes the function (the MSP fan-out's state machine)
   */
  readonly schedule?: string;
  /** The findings bucket. */
  readonly findingsBucket: s3.IBucket;
  /** The audit (Read Only) API key; the function is the only kind of reader. */
  readonly apiKey: ApiKeySecret;
  /** Topic of regression alerts and of this function's alarms. */
  readonly alertsTopic: sns.ITopic;
  /** Dead-letter queue of the rule's undeliverable events and the function's failed invocations. */
  readonly deadLetterQueue: sqs.IQueue;
  /** JumpCloud and alerting settings. */
  readonly settings: AuditSettings;
  /**
   * Sizing and operational settings.
   * @default - the ServiceFunction defaults (512 MB, 5 minutes, 1 year of logs, concurrency 1)
   */
  readonly functionOptions?: ServiceFunctionOptions;
}

/** One control's audit function and its schedule. */
export class AuditFunction extends Construct {
  /** The function and its role, log group and alarms. */
  readonly service: ServiceFunction;
  /** The schedule; undefined when the function is invoked by the MSP fan-out. */
  readonly rule: events.Rule | undefined;

  constructor(scope: Construct, id: string, props: AuditFunctionProps) {
    super(scope, id);
    const { control, settings } = props;
    this.service = new ServiceFunction(this, "Audit", {
      ...props.functionOptions,
      entry: handlerEntry(AUDIT_HANDLER),
      description: `Audits JumpCloud hardening control ${control.id} (${control.level}) ${control.title}`,
      label: `audit of control ${control.id}`,
      serviceName: "jumpcloud-audit",
      deadLetterQueue: props.deadLetterQueue,
      alarmTopic: props.alertsTopic,
      environment: {
        FINDINGS_BUCKET: props.findingsBucket.bucketName,
        ALERTS_TOPIC_ARN: props.alertsTopic.topicArn,
        API_KEY_SECRET_ARN: props.apiKey.secret.secretArn,
        JC_REGION: settings.region,
        JC_ORG_IDS: orgIdsEnv(settings.orgIds ?? []),
        ...(settings.orgExclude?.length ? { JC_ORG_EXCLUDE: settings.orgExclude.join(",") } : {}),
        ...(settings.plan ? { JC_PLAN: settings.plan } : {}),
        ANNOUNCE_RECOVERIES: String(settings.announceRecoveries ?? false),
        ERROR_ALERT_AFTER: String(settings.errorAlertAfter ?? 3),
        THRESHOLDS_JSON: JSON.stringify(settings.thresholds ? { [control.id]: settings.thresholds } : {}),
        ...(settings.securityHub ? { SECURITY_HUB_PRODUCT_ARN: AUDIT_PRODUCT_ARN } : {}),
      },
    });
    const role = this.service.role;
    if (settings.securityHub) grantSecurityHubImport(role, AUDIT_PRODUCT_ARN);

    props.apiKey.grantRead(role);
    const keys = auditObjectKeys(control.id);
    grantObjectRead(role, props.findingsBucket, keys.read);
    grantObjectWrite(role, props.findingsBucket, keys.writeTagged, { tagging: true });
    grantObjectWrite(role, props.findingsBucket, keys.write);
    grantList(role, props.findingsBucket, keys.list);
    props.alertsTopic.grantPublish(role);
    acknowledgeGrantWildcards(role, {
      bucket: props.findingsBucket,
      keyPatterns: [...keys.read, ...keys.write],
      tracing: props.functionOptions?.tracing ?? false,
    });

    this.rule =
      props.schedule === undefined
        ? undefined
        : new events.Rule(this, "Schedule", {
            description: `Runs the JumpCloud audit of control ${control.id} ${control.title}`,
            schedule: events.Schedule.expression(props.schedule),
            targets: [
              new targets.LambdaFunction(this.service.function, {
                event: events.RuleTargetInput.fromObject({
                  controlId: control.id,
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
