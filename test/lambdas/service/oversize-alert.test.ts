/**
 * One long name must not silence a control. Failing systems with hostile 60,000-character names go
 * through the real client, engine, scheduled service and SNS notifier; the SNS client is a fake that
 * refuses what real SNS refuses (more than 262,144 bytes, body and attributes together). The
 * regression is still alerted, clean, and the findings (with the whole names) persist.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { snsNotifier } from "../../../lambdas/adapters/sns-notifier.js";
import type { ChatbotNotification } from "../../../lambdas/alerts/chatbot.js";
import type { ControlFinding } from "../../../lambdas/engine/findings.js";
import {
  runScheduledAudit,
  type ScheduledAuditDependencies,
} from "../../../lambdas/service/scheduled-audit.js";
import type { StateStore } from "../../../lambdas/service/state-store.js";
import { silentLogger } from "../../../lambdas/shared/logger.js";
import { layout } from "../../../lambdas/store/findings-store.js";
import { localFindingsStore } from "../../../lambdas/store/local-store.js";
import { type RunningSimulator, startSimulator } from "../../../sim/index.js";
import { COMPLIANT_ORG_ID } from "../../../sim/presets/compliant.js";
import type { Doc } from "../../../sim/query.js";
import { NOW } from "../../helpers/audit.js";
import { simClient } from "../../helpers/simulator.js";
import { FORGED_LINE, HOSTILE, UNESCAPED_MRKDWN, UNSAFE, UNSAFE_IN_LINE } from "../shared/hostile.js";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts";
const SNS_LIMIT = 262_144;
const sns = mockClient(SNSClient);

/** What SNS counts against its limit: message, subject and each attribute's name, type and value. */
function snsBytes(input: PublishCommandInput): number {
  let bytes = Buffer.byteLength(input.Message ?? "") + Buffer.byteLength(input.Subject ?? "");
  for (const [name, value] of Object.entries(input.MessageAttributes ?? {}))
    bytes +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? "") +
      Buffer.byteLength(value.StringValue ?? "");
  return bytes;
}

function memoryState(): StateStore {
  const docs = new Map<string, unknown>();
  return {
    async getJson<T>(key: string) {
      return structuredClone(docs.get(key)) as T | undefined;
    },
    async putJson(key: string, value: unknown) {
      docs.set(key, structuredClone(value));
    },
  };
}

let root: string;
let sim: RunningSimulator;
let published: PublishCommandInput[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "oversize-alert-"));
  sim = await startSimulator({ scenario: "compliant", now: () => NOW });
  published = [];
  sns.reset();
  // Like SNS: a message over the limit is refused (InvalidParameter), and nothing is delivered.
  sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
    if (snsBytes(input) > SNS_LIMIT)
      throw Object.assign(new Error("Invalid parameter: Message too long"), {
        name: "InvalidParameterException",
      });
    published.push(input);
    return { MessageId: `m-${published.length}` };
  });
});
afterEach(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

const event = (n: number) => ({
  controlId: "2.2",
  eventId: `evt-${n}`,
  time: new Date(NOW.getTime() + n * 3_600_000).toISOString(),
});

function deps(): ScheduledAuditDependencies {
  return {
    clientFor: () => simClient(sim, { retry: { maxAttempts: 2 } }),
    store: localFindingsStore(root),
    state: memoryState(),
    notifier: snsNotifier(new SNSClient({ region: "us-east-1" }), TOPIC),
    logger: silentLogger,
    clock: () => NOW,
    locate: (orgId, controlId) => ({
      uri: `s3://findings-bucket/${layout.latest(orgId, controlId)}`,
      consoleUrl: `https://console.example/${orgId}/${controlId}?region=us-east-1&tab=overview`,
    }),
    settings: { orgIds: [], announceRecoveries: false, errorAlertAfter: 3 },
  };
}

/** Adds `count` macOS systems without MFA at login, named by `name(i)`. */
function addFailingSystems(count: number, name: (i: number) => string): string[] {
  const systems = sim.scenario.organizations[0]?.systems as Doc[];
  const template = systems.find((s) => s.osFamily === "darwin");
  if (!template) throw new Error("no macOS system in the compliant preset");
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const displayName = name(i);
    names.push(displayName);
    systems.push({
      ...structuredClone(template),
      _id: `5e${String(i).padStart(22, "0")}`,
      displayName,
      hostname: displayName,
      allowMultiFactorAuthentication: false,
    });
  }
  return names;
}

/** The one published message, parsed: e-mail text and Chatbot JSON. */
function bodies(input: PublishCommandInput) {
  const message = JSON.parse(String(input.Message)) as { default: string; email: string };
  return { email: message.email, chat: JSON.parse(message.default) as ChatbotNotification };
}

async function latest(): Promise<ControlFinding> {
  return JSON.parse(
    await readFile(join(root, layout.latest(COMPLIANT_ORG_ID, "2.2")), "utf8"),
  ) as ControlFinding;
}

describe("an alert fits SNS's 256 KiB whatever JumpCloud holds", () => {
  it("the fake SNS refuses what real SNS refuses (a message over 262,144 bytes)", async () => {
    await expect(
      new SNSClient({ region: "us-east-1" }).send(
        new PublishCommand({ TopicArn: TOPIC, Message: "x".repeat(SNS_LIMIT + 1) }),
      ),
    ).rejects.toThrow("Message too long");
  });

  it("a failing system with a hostile 60,000-character name: the regression is alerted, clean; findings persist", async () => {
    await runScheduledAudit(deps(), event(1));
    expect((await latest()).status).toBe("PASS");

    const hostile = [
      `${HOSTILE.screenClear}${HOSTILE.windowTitle}${HOSTILE.forgedLine} ${HOSTILE.channel} ${HOSTILE.link} ${HOSTILE.bidi}${HOSTILE.long}`,
    ];
    addFailingSystems(1, () => hostile[0] as string);
    const outcomes = await runScheduledAudit(deps(), event(2));
    expect(outcomes[0]).toMatchObject({ status: "FAIL", published: 1 });

    expect(published).toHaveLength(1);
    const input = published[0] as PublishCommandInput;
    expect(snsBytes(input)).toBeLessThanOrEqual(SNS_LIMIT);
    expect(input.Subject).toMatch(/^\[JumpCloud HIGH\] 2\.2 .*regression/);
    const { email, chat } = bodies(input);
    expect(email).toContain("is now FAIL");
    expect(email).toContain("What got worse since the last run:");
    expect(email).not.toMatch(UNSAFE);
    expect(email).not.toMatch(FORGED_LINE);
    // The name is cut in the message: no line longer than a capped paragraph…
    expect(Math.max(...email.split("\n").map((line) => line.length))).toBeLessThanOrEqual(1000);
    const texts = [
      chat.content.title,
      chat.content.description,
      ...(chat.content.nextSteps ?? []),
      chat.metadata.summary,
      ...(chat.metadata.relatedResources ?? []),
    ];
    for (const text of texts) {
      expect(text).not.toMatch(UNESCAPED_MRKDWN);
      expect(text).not.toMatch(UNSAFE);
    }
    expect(chat.content.description).toContain("&lt;!channel&gt;");
    for (const name of chat.metadata.relatedResources ?? []) expect(name).not.toMatch(UNSAFE_IN_LINE);

    // …and kept whole in the finding the alert links to, which is FAIL (no longer a stale PASS).
    const finding = await latest();
    expect(finding.status).toBe("FAIL");
    expect(finding.results.map((r) => r.resourceName)).toContain(hostile[0]);
  });

  // 100 systems through the whole service (1,000 at the message level: test/lambdas/alerts/size.test.ts).
  it("100 failing systems with 60,000-character names: one alert under 256 KiB with 'and N more'; all 100 in the finding", async () => {
    await runScheduledAudit(deps(), event(1));
    // One long base shared by every name keeps the test's memory small; each name is still distinct.
    const base = HOSTILE.long.slice(0, 59_990);
    const names = addFailingSystems(100, (i) =>
      `${String(i).padStart(4, "0")}<!here>${base}`.slice(0, 60_000),
    );
    const outcomes = await runScheduledAudit(deps(), event(2));
    expect(outcomes[0]).toMatchObject({ status: "FAIL", published: 1 });

    const input = published[0] as PublishCommandInput;
    expect(snsBytes(input)).toBeLessThanOrEqual(SNS_LIMIT);
    const { email, chat } = bodies(input);
    expect(email).toContain("Failing resources (100):");
    expect(email).toContain("  … and 80 more (see the finding)");
    expect(chat.metadata.relatedResources).toHaveLength(10);
    expect(chat.metadata.relatedResources?.at(-1)).toBe("… and 91 more (see the finding)");
    expect(chat.metadata.relatedResources?.[0]).toMatch(/^0000&lt;!here&gt;A+…$/);

    const finding = await latest();
    expect(finding.status).toBe("FAIL");
    const failing = new Set(finding.results.filter((r) => r.status === "FAIL").map((r) => r.resourceName));
    expect(names.every((n) => failing.has(n))).toBe(true);
  });
});
