/** Alerts to the SNS topic: plain text for e-mail, Chatbot JSON for everything else, filterable attributes. */
import { PublishCommand, type PublishCommandInput, type SNSClient } from "@aws-sdk/client-sns";
import { fitAlert, snsMessageBody } from "../alerts/fit.js";
import type { AlertMessage, Notifier } from "../service/notifier.js";

/** The Publish input for a message, within SNS's 256 KiB whatever the message holds. */
export function publishInput(topicArn: string, alert: AlertMessage): PublishCommandInput {
  const message = fitAlert(alert);
  return {
    TopicArn: topicArn,
    Subject: message.subject,
    // Per-protocol bodies: e-mail subscribers get the text; AWS Chatbot (HTTPS) gets "default".
    MessageStructure: "json",
    Message: snsMessageBody(message),
    MessageAttributes: Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [
        name,
        { DataType: "String", StringValue: value },
      ]),
    ),
  };
}

/** A notifier publishing to one topic. */
export function snsNotifier(sns: SNSClient, topicArn: string): Notifier {
  return {
    async publish(message: AlertMessage) {
      await sns.send(new PublishCommand(publishInput(topicArn, message)));
    },
  };
}
