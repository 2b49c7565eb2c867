/**
 * Slack (and Teams) alerts through AWS Chatbot / Amazon Q Developer in chat applications: its
 * custom-notification JSON (`version` 1.0, `source` custom, `content`, `metadata.threadId`).
 */

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

/** What goes into one chat notification. */
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

/** Builds a custom notification. */
export function chatbotNotification(input: ChatbotInput): ChatbotNotification {
  const description =
    input.description.length > MAX_DESCRIPTION
      ? `${input.description.slice(0, MAX_DESCRIPTION - 1)}…`
      : input.description;
  return {
    version: "1.0",
    source: "custom",
    content: {
      textType: "client-markdown",
      title: input.title,
      description,
      nextSteps: input.nextSteps.slice(0, MAX_ITEMS),
      keywords: input.keywords,
    },
    metadata: {
      threadId: input.threadId,
      summary: input.summary,
      eventType: input.eventType,
      relatedResources: input.relatedResources.slice(0, MAX_ITEMS),
      additionalContext: input.context,
    },
  };
}
