/**
 * The MSP fan-out: a Step Functions state machine that audits many organizations with bounded concurrency.
 * `Discover` asks the first control's audit function which organizations to audit (`{action: "discover"}`);
 * `AuditOrganizations`, a Distributed Map over them, runs in each child execution the deployed controls
 * one after the other (`{controlId, orgId, eventId, time}`), so at most MaxConcurrency audits are in
 * flight, one per organization; `Report` then writes each organization's report and the portfolio.
 * The definition is written as ASL rather than with CDK's state classes because their Distributed Map
 * ResultWriter grants `s3:GetObject`/`s3:PutObject` on the whole bucket; here the role gets exactly what
 * the definition uses.
 */
import { ArnFormat, Duration, Stack, Validations } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { FINDINGS_PREFIXES } from "./findings-bucket.js";
import { nagArn } from "./nag.js";
import { logsKey } from "./service-function.js";

/** Where the Distributed Map writes its results (manifest and per-item outputs) in the findings bucket. */
export const FANOUT_RESULTS_PREFIX = `${FINDINGS_PREFIXES.runs}_fanout/`;

/** Errors of a Lambda invocation worth retrying: throttling, Lambda-side and transient failures, timeouts. */
export const RETRIED_ERRORS = [
  "Lambda.TooManyRequestsException",
  "Lambda.ServiceException",
  "Lambda.SdkClientException",
  "Lambda.AWSLambdaException",
  "States.Timeout",
] as const;

/** Retry policy of every task: 4 retries after 2, 4, 8, 16 s (capped at 60 s), with full jitter. */
const RETRY = [
  {
    ErrorEquals: [...RETRIED_ERRORS],
    IntervalSeconds: 2,
    MaxAttempts: 4,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: "FULL",
  },
];

/** A deployed control and the function that audits it. */
export interface FanoutControl {
  /** Control id, e.g. `1.1`. */
  readonly id: string;
  /** Its audit function. */
  readonly function: lambda.IFunction;
}

/** Properties of an AuditFanout. */
export interface AuditFanoutProps {
  /** The deployed controls in the order each organization runs them; the first also answers `discover`. */
  readonly controls: readonly FanoutControl[];
  /** The report function, invoked last with `{eventId, time, orgIds, portfolio: true}`. */
  readonly reportFunction: lambda.IFunction;
  /** The findings bucket: the Distributed Map writes its results under {@link FANOUT_RESULTS_PREFIX}. */
  readonly findingsBucket: s3.IBucket;
  /** EventBridge schedule expression starting an execution, already validated. */
  readonly schedule: string;
  /** Dead-letter queue of schedule events that could not start an execution. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Topic the failed-execution alarm publishes to. */
  readonly alarmTopic: sns.ITopic;
  /** Organizations audited at once (1–100). */
  readonly maxConcurrency: number;
  /** Percentage of organizations whose item may fail before the map, and the execution, fails (0–100). */
  readonly toleratedFailurePercentage: number;
  /** Timeout of each invoked function: a task waits this plus a minute before `States.Timeout`. */
  readonly functionTimeout: Duration;
  /** Days the execution logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Whether executions send X-Ray traces.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Name of the state machine (the role's child-execution grants name it, so it must be known up front).
   * @default - `{stack name}-audit-fanout`
   */
  readonly stateMachineName?: string;
}

/** The state name of a control's audit inside an organization's item. */
export function auditStateName(controlId: string): string {
  return `Audit ${controlId}`;
}

/** Where a caught failure of a control is recorded in the item's state (`$.failed_1_1`). */
function failurePath(controlId: string): string {
  return `$.failed_${controlId.replace(/\W/g, "_")}`;
}

/**
 * The ASL definition (tokens resolved by CloudFormation): Discover → AuditOrganizations → Report.
 * Exported so the tests can read the shape without synthesizing a stack.
 */
export function fanoutDefinition(props: {
  readonly controls: readonly { readonly id: string; readonly functionArn: string }[];
  readonly reportFunctionArn: string;
  readonly bucketName: string;
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage: number;
  readonly taskTimeoutSeconds: number;
}): Record<string, unknown> {
  const [first] = props.controls;
  if (!first) throw new Error("AuditFanout: no control to run");
  const item: Record<string, unknown> = {};
  props.controls.forEach((control, index) => {
    const next = props.controls[index + 1];
    const nextState = next ? auditStateName(next.id) : "AnyControlFailed";
    item[auditStateName(control.id)] = {
      Type: "Task",
      Resource: control.functionArn,
      Parameters: {
        controlId: control.id,
        "orgId.$": "$.orgId",
        "eventId.$": "$.eventId",
        "time.$": "$.time",
      },
      ResultPath: null,
      TimeoutSeconds: props.taskTimeoutSeconds,
      Retry: RETRY,
      // A failed control is recorded and the next one still runs; the item fails at the end.
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: failurePath(control.id), Next: nextState }],
      Next: nextState,
    };
  });
  const failed = props.controls.map((control) => ({ Variable: failurePath(control.id), IsPresent: true }));
  item.AnyControlFailed = {
    Type: "Choice",
    Choices: [{ ...(failed.length === 1 ? failed[0] : { Or: failed }), Next: "OrganizationFailed" }],
    Default: "OrganizationAudited",
  };
  item.OrganizationFailed = {
    Type: "Fail",
    Error: "AuditFailed",
    Cause: "At least one control's audit of this organization failed after its retries",
  };
  item.OrganizationAudited = { Type: "Succeed" };

  return {
    Comment: "Audits every organization of a multi-tenant JumpCloud key, then writes the reports",
    StartAt: "Discover",
    States: {
      Discover: {
        Type: "Task",
        Resource: first.functionArn,
        Parameters: { action: "discover", "eventId.$": "$.eventId", "time.$": "$.time" },
        TimeoutSeconds: props.taskTimeoutSeconds,
        Retry: RETRY,
        Next: "AuditOrganizations",
      },
      AuditOrganizations: {
        Type: "Map",
        ItemsPath: "$.orgIds",
        ItemSelector: { "orgId.$": "$$.Map.Item.Value", "eventId.$": "$.eventId", "time.$": "$.time" },
        MaxConcurrency: props.maxConcurrency,
        ToleratedFailurePercentage: props.toleratedFailurePercentage,
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: auditStateName(first.id),
          States: item,
        },
        ResultWriter: {
          Resource: "arn:aws:states:::s3:putObject",
          Parameters: { Bucket: props.bucketName, Prefix: FANOUT_RESULTS_PREFIX },
        },
        ResultPath: null,
        Next: "Report",
      },
      Report: {
        Type: "Task",
        Resource: props.reportFunctionArn,
        Parameters: { "eventId.$": "$.eventId", "time.$": "$.time", "orgIds.$": "$.orgIds", portfolio: true },
        TimeoutSeconds: props.taskTimeoutSeconds,
        Retry: RETRY,
        End: true,
      },
    },
  };
}

/** The scheduled MSP fan-out state machine, its role, log group and schedule. */
export class AuditFanout extends Construct {
  /** The state machine. */
  readonly stateMachine: sfn.StateMachine;
  /** Its role: invokes the audit and report functions, runs its own child executions, writes map results. */
  readonly role: iam.Role;
  /** Its execution log group (KMS-encrypted with the stack's logs key). */
  readonly logGroup: logs.LogGroup;
  /** The schedule starting one execution per period with `{eventId, time}`. */
  readonly rule: events.Rule;
  /** The state machine's name. */
  readonly name: string;
  /** Alarm on any execution that failed, timed out or was aborted. */
  readonly failedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AuditFanoutProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = props.stateMachineName ?? `${stack.stackName}-audit-fanout`;
    this.name = name;
    const bucket = props.findingsBucket;
    const definition = fanoutDefinition({
      controls: props.controls.map((control) => ({
        id: control.id,
        functionArn: control.function.functionArn,
      })),
      reportFunctionArn: props.reportFunction.functionArn,
      bucketName: bucket.bucketName,
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: props.toleratedFailurePercentage,
      taskTimeoutSeconds: props.functionTimeout.toSeconds() + 60,
    });

    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("states.amazonaws.com"),
      description: "Role of the MSP audit fan-out state machine",
    });
    // The tasks invoke the unqualified function ARNs: no version or alias (`:*`) is granted.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["lambda:InvokeFunction"],
        resources: [
          ...props.controls.map((control) => control.function.functionArn),
          props.reportFunction.functionArn,
        ],
      }),
    );
    // Child executions of the Distributed Map: started on this state machine, watched and stopped by it.
    // Named ARNs rather than the machine's own attribute, which would make the role depend on the machine.
    const machineArn = stack.formatArn({
      service: "states",
      resource: "stateMachine",
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executionsArn = stack.formatArn({
      service: "states",
      resource: "execution",
      resourceName: `${name}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ["states:StartExecution"], resources: [machineArn] }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["states:DescribeExecution", "states:StopExecution"],
        resources: [executionsArn],
      }),
    );
    // ResultWriter's documented permissions, on the results prefix only; KMS for SSE-KMS (multipart
    // uploads also decrypt the parts' data keys).
    const resultsPattern = `${FANOUT_RESULTS_PREFIX}*`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
        resources: [bucket.arnForObjects(resultsPattern)],
      }),
    );
    bucket.encryptionKey?.grant(this.role, "kms:GenerateDataKey", "kms:Decrypt");

    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention,
      encryptionKey: logsKey(this),
    });
    this.stateMachine = new sfn.StateMachine(this, "StateMachine", {
      stateMachineName: name,
      definitionBody: sfn.DefinitionBody.fromString(stack.toJsonString(definition)),
      role: this.role,
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: props.tracing ?? false,
      // Every event, but not the inputs and outputs (organization ids and the functions' answers stay in
      // the execution history, which only this account reads).
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    this.rule = new events.Rule(this, "Schedule", {
      description: "Starts the JumpCloud audit of every organization of the MSP key",
      schedule: events.Schedule.expression(props.schedule),
      targets: [
        new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({
            eventId: events.EventField.eventId,
            time: events.EventField.time,
          }),
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: props.deadLetterQueue,
        }),
      ],
    });
    const period = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    this.failedAlarm = new cloudwatch.Alarm(this, "FailedAlarm", {
      alarmDescription:
        "The MSP audit fan-out failed, timed out or was aborted: more organizations failed than jcAudit:toleratedFailurePercentage allows, or discovery or the report failed. See the execution in the Step Functions console.",
      metric: new cloudwatch.MathExpression({
        expression: "failed + timedOut + aborted",
        usingMetrics: {
          failed: this.stateMachine.metricFailed(period),
          timedOut: this.stateMachine.metricTimedOut(period),
          aborted: this.stateMachine.metricAborted(period),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    this.acknowledge(props, bucket, resultsPattern);
  }

  /** cdk-nag findings of this construct, each acknowledged with its reason. */
  private acknowledge(props: AuditFanoutProps, bucket: s3.IBucket, resultsPattern: string): void {
    const ack = (construct: Construct, id: string, reason: string) =>
      Validations.of(construct).acknowledge({ id, reason });
    ack(
      this.role,
      `AwsSolutions-IAM5[Resource::${nagArn(bucket)}/${resultsPattern}]`,
      "The Distributed Map's ResultWriter names its objects (a manifest and result files under an execution-specific folder) at run time; the role may write only under runs/_fanout/ of the findings bucket.",
    );
    ack(
      this.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${this.name}/*]`,
      "A Distributed Map describes and stops its own child executions, whose names Step Functions generates: only executions of this state machine.",
    );
    ack(
      this.role,
      "AwsSolutions-IAM5[Resource::*]",
      `Step Functions' log delivery actions (logs:CreateLogDelivery, logs:DescribeResourcePolicies and the like)${props.tracing ? " and X-Ray's PutTraceSegments and PutTelemetryRecords" : ""} do not support resource-level permissions, as AWS documents.`,
    );
    ack(
      this.role,
      "NIST.800.53.R5-IAMNoInlinePolicy",
      "The role's policy is generated for this one state machine and lives and dies with it; managed policies' reuse serves shared permissions, and nothing here is shared.",
    );
    const eventsRole = this.stateMachine.node.tryFindChild("EventsRole");
    if (eventsRole)
      ack(
        eventsRole,
        "NIST.800.53.R5-IAMNoInlinePolicy",
        "CDK's role for the schedule's target holds one statement, states:StartExecution on this state machine, and serves nothing else.",
      );
    if (!props.tracing)
      ack(
        this.stateMachine,
        "AwsSolutions-SF2",
        "X-Ray tracing follows jcAudit:tracing, off by default like the functions': execution history and the ALL-level execution log already show each task, its retries and its duration.",
      );
  }
}
