/**
 * The Lambda function shared by the audit and remediation functions: Node.js 24 on ARM64, bundled locally
 * by esbuild as one minified ES module (source maps only on request), its own role (no managed policy: grants only),
 * an explicit log group with retention and JSON logs, failed asynchronous invocations sent to a
 * dead-letter queue, and alarms on errors and throttles.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Aws, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { lambdaBundling } from "./bundling.js";
import { rotatingKey } from "./encryption-key.js";

/** The repository root: esbuild's working directory and where package-lock.json is. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A handler file of the repository, e.g. `lambdas/handlers/audit.ts`. */
export function handlerEntry(relativePath: string): string {
  return join(PROJECT_ROOT, relativePath);
}

/** Sizing and operational settings shared by the functions of a deployment. */
export interface ServiceFunctionOptions {
  /**
   * Memory in MB (Lambda also scales CPU with it).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Timeout.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Log level of the application (Powertools) and of Lambda's JSON log filter.
   * @default "INFO"
   */
  readonly logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /**
   * Reserved concurrency; `false` reserves none (for accounts with a low concurrency quota).
   * @default 1 - runs of the same function never overlap
   */
  readonly reservedConcurrency?: number | false;
  /**
   * Whether the function sends X-Ray traces.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Whether source maps ship in the bundle and `NODE_OPTIONS=--enable-source-maps` is set (readable stack
   * traces, at the cost of a larger zip and a slower cold start).
   * @default false
   */
  readonly sourceMaps?: boolean;
}

/** Properties of a ServiceFunction. */
export interface ServiceFunctionProps extends ServiceFunctionOptions {
  /** Absolute path of the TypeScript handler file; it exports `handler`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** Environment variables, besides NODE_OPTIONS and the Powertools settings. */
  readonly environment: Readonly<Record<string, string>>;
  /** Where failed asynchronous invocations go, after the retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Topic the errors and throttles alarms publish to. */
  readonly alarmTopic: sns.ITopic;
  /** Short name of the function in alarm descriptions, e.g. "audit of control 1.1". */
  readonly label: string;
  /** Powertools service name (`POWERTOOLS_SERVICE_NAME`), the `service` key of every log line. */
  readonly serviceName: string;
  /**
   * Retries of a failed asynchronous invocation (0 to 2).
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * Oldest asynchronous event still processed (events wait while the function is throttled).
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
  /**
   * Folders of the repository copied beside the bundle (e.g. `detections`, the Sigma rules read at cold start).
   * @default []
   */
  readonly copyIntoBundle?: readonly string[];
}

/**
 * The stack's key for the functions' log groups (one per stack, created by the first function): logs carry
 * organization ids, control results and error messages. Its policy lets CloudWatch Logs of this region use
 * it only for this account's log groups (`kms:EncryptionContext:aws:logs:arn`), as AWS documents.
 */
export function logsKey(scope: Construct): kms.IKey {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LOGS_KEY_ID) as kms.Key | undefined;
  if (existing) return existing;
  const key = rotatingKey(stack, LOGS_KEY_ID, "Encrypts the JumpCloud audit functions' log groups");
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "CloudWatchLogsOfThisAccount",
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      resources: ["*"],
      conditions: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
        },
      },
    }),
  );
  return key;
}

/** Construct id of the logs key, a child of the stack. */
export const LOGS_KEY_ID = "LogsKey";

/** Acknowledges, beside every function, the NIST 800-53 R5 findings that hold for all of them. */
function acknowledgeFunctionFindings(fn: lambda.Function, role: iam.Role, unreserved: boolean): void {
  const ack = (construct: Construct, id: string, reason: string) =>
    Validations.of(construct).acknowledge({ id: `NIST.800.53.R5-${id}`, reason });
  ack(
    fn,
    "LambdaInsideVPC",
    "The functions accept no inbound traffic (only EventBridge schedules and operators invoke them) and only make outbound HTTPS calls to JumpCloud's public API and to AWS APIs; a VPC would add NAT gateways (or one interface endpoint per AWS service) and their cost without isolating anything, since the egress they need is the public internet either way.",
  );
  ack(
    fn,
    "LambdaDLQ",
    "Failed asynchronous invocations go to the encrypted dead-letter queue through an on-failure destination (EventInvokeConfig), which records the error and the request context that a DeadLetterConfig would not; the queue alarms to the alerts topic on its first message.",
  );
  ack(
    role,
    "IAMNoInlinePolicy",
    "The role's policy is generated by CDK grants for this one function and lives and dies with it: a role-bound policy cannot be attached to another principal by mistake, which is what least privilege per function wants; managed policies' reuse and separate versioning serve shared permissions, and nothing here is shared.",
  );
  if (unreserved)
    ack(
      fn,
      "LambdaConcurrency",
      "Reserved concurrency is off by the operator's choice (jcAudit:reservedConcurrency none) for accounts whose concurrency quota cannot spare a reservation per function; the schedules invoke each function once per period, and runs are idempotent per scheduled event.",
    );
}

/**
 * The on-failure destination of asynchronous invocations: the dead-letter queue. CDK's SqsDestination
 * grants `sqs:GetQueueAttributes`, `sqs:GetQueueUrl` and, on an encrypted queue, `kms:Encrypt` and
 * `kms:ReEncrypt*`; Lambda sends with the function's role and needs only `sqs:SendMessage`, plus what SQS
 * asks of a producer on the queue's key (`kms:GenerateDataKey`, `kms:Decrypt`).
 */
export class DeadLetterDestination implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}

  /** Grants the function's role the send, and names the queue as the destination. */
  bind(_scope: Construct, fn: lambda.IFunction): lambda.DestinationConfig {
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ["sqs:SendMessage"],
      resourceArns: [this.queue.queueArn],
    });
    this.queue.encryptionMasterKey?.grant(fn, "kms:GenerateDataKey", "kms:Decrypt");
    return { destination: this.queue.queueArn };
  }
}

/** CloudWatch namespace of the functions' Powertools metrics (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = "JumpCloudHardening";

/** A hardened Node.js 24 ARM64 function with its own role, log group, dead-letter queue and alarms. */
export class ServiceFunction extends Construct {
  /** The function. */
  readonly function: nodejs.NodejsFunction;
  /** The function's role: no managed policy, only the grants made on it. */
  readonly role: iam.Role;
  /** The function's log group. */
  readonly logGroup: logs.LogGroup;
  /** Alarm on any error of the function. */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** Alarm on any throttled invocation. */
  readonly throttlesAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const logLevel = props.logLevel ?? "INFO";
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Role of the ${props.label} function`,
    });
    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: logsKey(this),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logGroup.grantWrite(this.role);

    const reserved = props.reservedConcurrency ?? 1;
    const bundling = lambdaBundling(props.sourceMaps ?? false);
    this.function = new nodejs.NodejsFunction(this, "Function", {
      entry: props.entry,
      handler: "handler",
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, "package-lock.json"),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(5),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      ...(reserved === false ? {} : { reservedConcurrentExecutions: reserved }),
      onFailure: new DeadLetterDestination(props.deadLetterQueue),
      retryAttempts: props.retryAttempts ?? 2,
      maxEventAge: props.maxEventAge ?? Duration.hours(6),
      bundling: props.copyIntoBundle?.length
        ? {
            ...bundling,
            commandHooks: {
              beforeBundling: () => [],
              beforeInstall: () => [],
              afterBundling: (inputDir: string, outputDir: string) =>
                (props.copyIntoBundle ?? []).map(
                  (folder) => `cp -R "${join(inputDir, folder)}" "${join(outputDir, folder)}"`,
                ),
            },
          }
        : bundling,
      environment: {
        ...props.environment,
        ...(props.sourceMaps ? { NODE_OPTIONS: "--enable-source-maps" } : {}),
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: logLevel,
      },
    });

    acknowledgeFunctionFindings(this.function, this.role, reserved === false);

    const alarm = (alarmId: string, metric: cloudwatch.Metric, description: string) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new actions.SnsAction(props.alarmTopic));
      return created;
    };
    const period = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    this.errorsAlarm = alarm(
      "ErrorsAlarm",
      this.function.metricErrors(period),
      `The ${props.label} function failed (an uncaught error, a timeout or running out of memory); it is retried, then its event goes to the dead-letter queue. See its log group.`,
    );
    this.throttlesAlarm = alarm(
      "ThrottlesAlarm",
      this.function.metricThrottles(period),
      `The ${props.label} function was throttled: a run was still going (reserved concurrency) or the account's concurrency is exhausted. Lambda retries for a while.`,
    );
  }
}
