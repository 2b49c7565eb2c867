/** The alerting port: one message, with a body per protocol and attributes subscribers can filter on. */
import type { ChatbotNotification } from "../alerts/chatbot.js";

/** What kind of alert a message is (message attribute `kind`). */
export type AlertKind =
  | "regression"
  | "recovery"
  | "evaluation-failure"
  | "remediation"
  | "detection"
  /** One organization's daily report digest (`controlId` and `level` are then `all`). */
  | "digest";

/** One alert, ready for any subscriber. */
export interface AlertMessage {
  /** At most 100 characters (SNS). */
  subject: string;
  /** Plain text, for e-mail. */
  email: string;
  /** Custom-notification JSON, for Slack through AWS Chatbot. */
  chatbot: ChatbotNotification;
  attributes: { controlId: string; severity: string; level: string; kind: AlertKind; orgId: string };
}

/** Sends alerts (SNS in AWS, a list in tests). */
export interface Notifier {
  publish(message: AlertMessage): Promise<void>;
}
