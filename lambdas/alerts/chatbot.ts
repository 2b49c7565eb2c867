/**
 * Slack (and Teams) alerts through AWS Chatbot / Amazon Q Developer in chat applications: its
 * custom-notification JSON (`version` 1.0, `source` custom, `content`, `metadata.threadId`).
 * Every text is neutralized and mrkdwn-escaped here, in one place, so no caller can forget it.
 */
import { clean, cleanBlock, escapeMrkdwn, MAX_NAME, MAX_PARAGRAPH } from "../shared/output-safety.js";

/** A custom notification, as Amazon Q Developer in chat applications renders it. */
export interface ChatbotNotification {
  version: "1.0";
  source: "custom";
  id?: string;
  content: {
    textType: "client-markdown";
    title: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata: {
    threadId: string;
    summary: string;
    eventType: string;
    relatedResources?: string[];
    additionalContext?: Record<string, string>;
  };
}

/**
 * What goes into one chat notification, as raw text: may hold names from JumpCloud (escaped here),
 * and our own mrkdwn (`*bold*`, `:emoji:`, `•`), which needs no `&`, `<` or `>`.
 */
export interface ChatbotInput {
  title: string;
  description: string;
  nextSteps: string[];
  keywords: string[];
  /** One thread per organization and control, so updates gather under the first alert. */
  threadId: string;
  summary: string;
  eventType: string;
  relatedResources: string[];
  context: Record<string, string>;
}

// Chat messages are short; long lists are cut with a pointer to the finding.
const MAX_DESCRIPTION = 3500;
const MAX_ITEMS = 10;
const MAX_TITLE = 250;

/** Builds a custom notification; every text is cleaned, capped and escaped for Slack mrkdwn. */
export function chatbotNotification(input: ChatbotInput): ChatbotNotification {
  // How Chatbot renders `title`, `summary` and `keywords` (mrkdwn or plain) is not documented: they
  // are escaped too, so a name may show `&lt;` literally but can never mention or link.
  const text = (value: string, max: number) => escapeMrkdwn(clean(value, max));
  return {
    version: "1.0",
    source: "custom",
    content: {
      textType: "client-markdown",
      title: text(input.title, MAX_TITLE),
      description: escapeMrkdwn(cleanBlock(input.description, MAX_DESCRIPTION)),
      nextSteps: input.nextSteps.slice(0, MAX_ITEMS).map((step) => text(step, MAX_PARAGRAPH)),
      keywords: input.keywords.slice(0, MAX_ITEMS).map((keyword) => text(keyword, 64)),
    },
    metadata: {
      threadId: clean(input.threadId, MAX_NAME),
      summary: text(input.summary, MAX_TITLE),
      eventType: clean(input.eventType, 64),
      relatedResources: listed(input.relatedResources).map((name) => text(name, MAX_NAME)),
      additionalContext: Object.fromEntries(
        Object.entries(input.context).map(([key, value]) => [clean(key, 64), text(value, MAX_NAME)]),
      ),
    },
  };
}

/** At most ten items; when there are more, nine and "… and N more (see the finding)". */
function listed(items: readonly string[]): string[] {
  if (items.length <= MAX_ITEMS) return [...items];
  return [...items.slice(0, MAX_ITEMS - 1), `… and ${items.length - (MAX_ITEMS - 1)} more (see the finding)`];
}
