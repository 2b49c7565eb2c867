/**
 * SNS's 256 KiB limit, by construction. Messages are built from bounded parts (names cut to 256
 * characters, lists to 20 items with "… and N more"), which keeps them far below the limit; `fitAlert`
 * measures the encoded message anyway and cuts the long bodies, so no input can make a publish fail.
 */
import type { AlertMessage } from "../service/notifier.js";
import { cap } from "../shared/output-safety.js";

/** SNS's limit for one published message, body and attributes together (262,144 bytes). */
export const SNS_MAX_BYTES = 262_144;
// Headroom for what SNS counts that we cannot see (its exact accounting of attributes is not documented).
const BUDGET = SNS_MAX_BYTES - 16_384;
const CUT_NOTE = "\n… (cut to fit the alert's size limit; the finding has everything)";

/** The `Message` of a `MessageStructure: json` publish: Chatbot JSON as `default`, text as `email`. */
export function snsMessageBody(message: AlertMessage): string {
  return JSON.stringify({ default: JSON.stringify(message.chatbot), email: message.email });
}

/** Bytes SNS counts for a message: the body, the subject and every attribute's name, type and value. */
export function snsMessageBytes(message: AlertMessage): number {
  let bytes = Buffer.byteLength(snsMessageBody(message)) + Buffer.byteLength(message.subject);
  for (const [name, value] of Object.entries(message.attributes))
    bytes += Buffer.byteLength(name) + "String".length + Buffer.byteLength(value);
  return bytes;
}

/** The message itself when it fits SNS's limit (with headroom); otherwise its long bodies cut until it does. */
export function fitAlert(message: AlertMessage, budget: number = BUDGET): AlertMessage {
  let fitted = message;
  let bytes = snsMessageBytes(fitted);
  // Each round cuts the bodies in proportion to the excess; a few rounds always suffice, and the
  // last resort keeps only the first lines, which are ours (control, status, counts).
  for (let round = 0; bytes > budget && round < 8; round++) {
    const ratio = (budget / bytes) * 0.9;
    fitted = cut(fitted, Math.floor(fitted.email.length * ratio), ratio);
    bytes = snsMessageBytes(fitted);
  }
  if (bytes > budget) fitted = cut(fitted, 1000, 0);
  return fitted;
}

function cut(message: AlertMessage, emailLength: number, ratio: number): AlertMessage {
  const chat = message.chatbot;
  const shorter = (text: string) => cap(text, Math.max(200, Math.floor(text.length * ratio)));
  return {
    ...message,
    email:
      message.email.length > emailLength ? `${cap(message.email, emailLength)}${CUT_NOTE}` : message.email,
    chatbot: {
      ...chat,
      content: {
        ...chat.content,
        title: shorter(chat.content.title),
        description: shorter(chat.content.description),
        nextSteps: chat.content.nextSteps?.slice(0, 3).map(shorter),
        keywords: chat.content.keywords?.slice(0, 3).map(shorter),
      },
      metadata: {
        ...chat.metadata,
        summary: shorter(chat.metadata.summary),
        relatedResources: chat.metadata.relatedResources?.slice(0, 3).map(shorter),
      },
    },
  };
}
