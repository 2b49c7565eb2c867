/** Alerts to the SNS topic: plain text for e-mail, Chatbot JSON for everything else, filterable attributes. */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { AlertMessage, Notifier } from "../service/notifier.js";

/** A notifier publishing to one topic. */
export function snsNotifier(sns: SNSClient, topicArn: string): Notifier {
  return {
    async publish(message: AlertMessage) {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: message.subject,
          // Per-protocol bodies: e-mail subscribers get the text; AWS Chatbot (HTTPS) gets "default".
          MessageStructure: "json",
          Message: JSON.stringify({ default: JSON.stringify(message.chatbot), email: message.email }),
          MessageAttributes: Object.fromEntries(
            Object.entries(message.attributes).map(([name, value]) => [
              name,
              { DataType: "String", StringValue: value },
            ]),
          ),
        }),
      );
    },
  };
}
