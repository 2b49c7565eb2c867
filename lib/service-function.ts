/**
 * The Lambda function shared by the audit and remediation functions: Node.js 24 on ARM64, bundled locally
 * by esbuild as one minified ES module (source maps only on request), its own role (no managed policy: grants only),
 * an explicit log group with retention and JSON logs, failed asynchronous invocations sent to a
 * dead-letter queue, and alarms on errors and throttles.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as destinations from "aws-cdk-lib/aws-lambda-destinations";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { lambdaBundling } from "./bundling.js";

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
      onFailure: new destinations.SqsDestination(props.deadLetterQueue),
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
