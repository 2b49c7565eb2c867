/** The SNS notifier against a mocked SNSClient: one PublishCommand with per-protocol bodies and attributes. */
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { snsNotifier } from "../../../lambdas/adapters/sns-notifier.js";
import type { ChatbotNotification } from "../../../lambdas/alerts/chatbot.js";
import { evaluationFailureAlert, regressionAlert } from "../../../lambdas/alerts/messages.js";
import type { Regression } from "../../../lambdas/engine/findings.js";
import { finding, row } from "../../helpers/findings.js";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts";
const ORG = "5f0000000000000000000001";
const WHERE = {
  uri: `s3://findings-bucket/findings/${ORG}/1.1/latest.json`,
  consoleUrl: "https://us-east-1.console.aws.amazon.com/s3/object/findings-bucket?region=us-east-1",
};
const sns = mockClient(SNSClient);

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
});

const failing = finding([row("FAIL", "erin.admin"), row("PASS", "bob.admin")], {
  summary: "1 of 2 admins lacks MFA (expected: all)",
});
const regression: Regression = {
  kind: "resource",
  controlId: "1.1",
  title: "Secure Admin Portal Access",
  severity: "critical",
  level: "L1",
  message: "erin.admin@example.com: MFA not required (was PASS)",
};

async function published(
  message = regressionAlert(failing, [regression], WHERE),
): Promise<PublishCommandInput> {
  await snsNotifier(new SNSClient({}), TOPIC).publish(message);
  expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
  if (!input) throw new Error("no publish");
  return input;
}

describe("snsNotifier", () => {
  it("publishes to the topic with a subject of at most 100 characters and a JSON message structure", async () => {
    const input = await published();
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe("json");
    expect(input.Subject).toBe("[JumpCloud CRITICAL] 1.1 Secure Admin Portal Access: 1 regression");
    expect(input.Subject?.length).toBeLessThanOrEqual(100);
  });

  it("keeps a long subject within SNS's 100 characters", async () => {
    const long = finding([row("FAIL", "a")], { title: "A very long control title ".repeat(8) });
    const input = await published(regressionAlert(long, [regression], WHERE));
    expect(input.Subject?.length).toBeLessThanOrEqual(100);
    expect(input.Subject?.endsWith("…")).toBe(true);
  });

  it("sends the Chatbot custom notification as `default` and the plain text as `email`", async () => {
    const input = await published();
    const bodies = JSON.parse(String(input.Message)) as Record<string, unknown>;
    expect(Object.keys(bodies).sort()).toEqual(["default", "email"]);
    expect(typeof bodies.default).toBe("string");

    const chat = JSON.parse(String(bodies.default)) as ChatbotNotification;
    expect(chat.version).toBe("1.0");
    expect(chat.source).toBe("custom");
    expect(chat.content.textType).toBe("client-markdown");
    expect(chat.content.title).toContain("1.1 Secure Admin Portal Access: 1 regression");
    expect(chat.content.description).toContain("erin.admin@example.com: MFA not required (was PASS)");
    expect(chat.content.nextSteps?.length).toBeGreaterThan(0);
    expect(chat.content.nextSteps?.at(-1)).toBe(`Finding: ${WHERE.consoleUrl}`);
    expect(chat.metadata.threadId).toBe(`jumpcloud-${ORG}-1.1`);
    expect(chat.metadata.eventType).toBe("jumpcloud-audit-regression");

    const email = String(bodies.email);
    expect(email).toContain("Control 1.1 Secure Admin Portal Access (L1, critical) is now FAIL.");
    expect(email).toContain("  - erin.admin@example.com: MFA not required (was PASS)");
    expect(email).toContain(WHERE.uri);
    // Plain text, not JSON.
    expect(() => JSON.parse(email)).toThrow();
  });

  it("sets controlId, severity, level, kind and orgId as String message attributes", async () => {
    const input = await published();
    expect(input.MessageAttributes).toEqual({
      controlId: { DataType: "String", StringValue: "1.1" },
      severity: { DataType: "String", StringValue: "critical" },
      level: { DataType: "String", StringValue: "L1" },
      kind: { DataType: "String", StringValue: "regression" },
      orgId: { DataType: "String", StringValue: ORG },
    });
  });

  it("tags an evaluation failure with kind evaluation-failure", async () => {
    const errored = finding([], {
      status: "ERROR",
      error: { code: "AUTH_REJECTED", message: "API key rejected; rotate the secret", datasets: [] },
    });
    const input = await published(evaluationFailureAlert(errored, 1, WHERE));
    expect(input.MessageAttributes?.kind).toEqual({ DataType: "String", StringValue: "evaluation-failure" });
    expect(JSON.parse(String(input.Message)).email).toContain("put-secret-value");
  });

  it("lets a publish failure surface (the run must be retried)", async () => {
    sns.on(PublishCommand).rejects(new Error("Throttled"));
    await expect(
      snsNotifier(new SNSClient({}), TOPIC).publish(regressionAlert(failing, [regression], WHERE)),
    ).rejects.toThrow("Throttled");
  });
});
