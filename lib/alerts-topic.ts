/**
 * The alerts topic: regressions, evaluation failures and operational alarms, delivered by e-mail and,
 * optionally, to Slack through AWS Chatbot.
 */
import { Aws, Stack } from "aws-cdk-lib";
import * as chatbot from "aws-cdk-lib/aws-chatbot";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { rotatingKey } from "./encryption-key.js";

/** The Slack channel that receives the alerts. */
export interface SlackChannelProps {
  /** Id of the Slack workspace, authorized once in the AWS Chatbot console (e.g. `T0123ABCD`). */
  readonly workspaceId: string;
  /** Id of the Slack channel (the end of the channel's link, e.g. `C0123ABCD`). */
  readonly channelId: string;
  /**
   * Name of the Chatbot channel configuration, unique in the account.
   * @default - `${stackName}-alerts`
   */
  readonly configurationName?: string;
}

/** Properties of an AlertsTopic. */
export interface AlertsTopicProps {
  /**
   * Key of the topic's messages. CloudWatch alarms are allowed to use it, which the AWS managed
   * `alias/aws/sns` key cannot do.
   * @default - a new customer managed key with yearly rotation
   */
  readonly masterKey?: kms.IKey;
  /**
   * Addresses subscribed by e-mail; each must confirm its subscription from the message AWS sends.
   * @default - none
   */
  readonly emails?: readonly string[];
  /**
   * Slack channel, through AWS Chatbot.
   * @default - no Slack delivery
   */
  readonly slack?: SlackChannelProps;
  /**
   * Display name, the sender name of the e-mails.
   * @default "JumpCloud audit"
   */
  readonly displayName?: string;
}

/** An encrypted, TLS-only SNS topic with its e-mail subscriptions and optional Slack channel. */
export class AlertsTopic extends Construct {
  /** The topic. */
  readonly topic: sns.Topic;
  /** The key encrypting the topic (and, in this stack, the dead-letter queue). */
  readonly masterKey: kms.IKey;
  /** The Chatbot channel configuration, when Slack is configured. */
  readonly slackChannel?: chatbot.SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: AlertsTopicProps = {}) {
    super(scope, id);
    this.masterKey =
      props.masterKey ??
      rotatingKey(this, "Key", "Encrypts the JumpCloud audit alerts topic and dead-letter queue");
    this.topic = new sns.Topic(this, "Topic", {
      displayName: props.displayName ?? "JumpCloud audit",
      masterKey: this.masterKey,
      enforceSSL: true,
    });

    // CloudWatch alarms of this account publish to the topic (the AWS managed alias/aws/sns key would not
    // let them). The topic policy, which gates publishing, is scoped to this account's alarms; the key grant
    // carries no condition, because a condition key missing from the KMS request would silently drop every
    // alarm notification.
    iam.Grant.addToPrincipalOrResource({
      grantee: new iam.ServicePrincipal("cloudwatch.amazonaws.com", {
        conditions: {
          StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID },
          ArnLike: {
            "aws:SourceArn": `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
      actions: ["sns:Publish"],
      resourceArns: [this.topic.topicArn],
      resource: this.topic,
    });
    this.masterKey.grant(
      new iam.ServicePrincipal("cloudwatch.amazonaws.com"),
      "kms:Decrypt",
      "kms:GenerateDataKey*",
    );

    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    if (props.slack) {
      // Chatbot only relays the topic's notifications: its role holds no permission at all, and the
      // channel guardrail AWSDenyAll caps whatever a channel member could ever run from Slack (without a
      // guardrail, Chatbot applies AdministratorAccess).
      const role = new iam.Role(this, "ChatbotRole", {
        assumedBy: new iam.ServicePrincipal("chatbot.amazonaws.com"),
        description:
          "AWS Chatbot channel role for the JumpCloud audit alerts: relays notifications only, no permissions",
      });
      this.slackChannel = new chatbot.SlackChannelConfiguration(this, "SlackChannel", {
        slackChannelConfigurationName: props.slack.configurationName ?? `${Stack.of(this).stackName}-alerts`,
        slackWorkspaceId: props.slack.workspaceId,
        slackChannelId: props.slack.channelId,
        notificationTopics: [this.topic],
        role,
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName("AWSDenyAll")],
        userRoleRequired: false,
        loggingLevel: chatbot.LoggingLevel.ERROR,
      });
    }
  }
}
