/**
 * Where failed invocations end up: scheduled events EventBridge could not deliver, and asynchronous
 * invocations that still failed after Lambda's retries. A message here is an audit that did not run; an
 * alarm publishes to the alerts topic as soon as one arrives.
 */
import { Duration, Validations } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** Properties of a DeadLetterQueue. */
export interface DeadLetterQueueProps {
  /**
   * Key encrypting the messages. EventBridge rules of this account are allowed to use it to deliver
   * their failed events.
   */
  readonly encryptionKey: kms.IKey;
  /** Topic the "messages waiting" alarm publishes to. */
  readonly alarmTopic: sns.ITopic;
  /**
   * How long a failed invocation is kept for inspection or replay.
   * @default Duration.days(14) - the most SQS allows
   */
  readonly retentionPeriod?: Duration;
}

/** An encrypted, TLS-only SQS dead-letter queue with an alarm on its depth. */
export class DeadLetterQueue extends Construct {
  /** The queue. */
  readonly queue: sqs.Queue;
  /** Alarm raised when at least one message is waiting. */
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, "Queue", {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is itself the dead-letter queue of the EventBridge schedules and of the functions' asynchronous invocations; nothing consumes it automatically, so it needs no dead-letter queue of its own.",
    });
    // EventBridge delivers a rule's failed events with its own service principal, through SQS, which
    // encrypts with this key on its behalf. What EventBridge may send is gated by the queue policy, which
    // the rule targets scope to each rule's ARN; the key grant carries no condition, because a condition
    // key missing from the KMS request would make the dead-letter delivery itself fail silently.
    props.encryptionKey.grant(
      new iam.ServicePrincipal("events.amazonaws.com"),
      "kms:Decrypt",
      "kms:GenerateDataKey",
    );

    this.alarm = new cloudwatch.Alarm(this, "MessagesWaiting", {
      alarmDescription:
        "A scheduled JumpCloud audit (or a remediation) failed after all retries: its event is in the dead-letter queue. Read the message, fix the cause, then delete or replay it.",
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
