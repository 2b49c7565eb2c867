/**
 * Every alert with attacker-chosen text in it (device names, failed-login usernames and user agents,
 * `requestedBy`/`reason`): the e-mail is clean text where no value starts a line, the Chatbot JSON has
 * no live mention or link, and the whole SNS message stays under 256 KiB, with 1,000 failing
 * resources of 60,000-character names too.
 */
import { describe, expect, it } from "vitest";
import { publishInput } from "../../../lambdas/adapters/sns-notifier.js";
import type { ChatbotNotification } from "../../../lambdas/alerts/chatbot.js";
import { fitAlert, SNS_MAX_BYTES, snsMessageBytes } from "../../../lambdas/alerts/fit.js";
import {
  evaluationFailureAlert,
  organizationUnresolvedAlert,
  recoveryAlert,
  regressionAlert,
} from "../../../lambdas/alerts/messages.js";
import { detectionAlert } from "../../../lambdas/detections/alerts.js";
import { parseRules } from "../../../lambdas/detections/engine/index.js";
import type { Recovery, Regression } from "../../../lambdas/engine/findings.js";
import type { InsightsEvent } from "../../../lambdas/jumpcloud/types.js";
import type { RemediationAction } from "../../../lambdas/remediation/actions.js";
import { remediationAlert } from "../../../lambdas/remediation/notify.js";
import type { RemediationPlan } from "../../../lambdas/remediation/record.js";
import type { AlertMessage } from "../../../lambdas/service/notifier.js";
import { userAuth } from "../../detections/events.js";
import { finding, row } from "../../helpers/findings.js";
import { detectionDoc, yamlOf } from "../detections/engine/helpers.js";
import { EVERY_HOSTILE_CLASS, FORGED_LINE, HOSTILE, UNESCAPED_MRKDWN, UNSAFE } from "../shared/hostile.js";

const ORG = "5f0000000000000000000001";
const WHERE = {
  uri: `s3://bucket/findings/${ORG}/1.1/latest.json`,
  consoleUrl: "https://console.example/o?a=1&b=2",
};
const EVIL = EVERY_HOSTILE_CLASS;

/** Every text of a Chatbot notification that Slack may render. */
function chatTexts(chat: ChatbotNotification): string[] {
  return [
    chat.content.title,
    chat.content.description,
    ...(chat.content.nextSteps ?? []),
    ...(chat.content.keywords ?? []),
    chat.metadata.summary,
    ...(chat.metadata.relatedResources ?? []),
    ...Object.values(chat.metadata.additionalContext ?? {}),
  ];
}

/** The e-mail and subject are clean text; no chat text holds a raw `<`, `>`, `&` or control. */
function expectInert(message: AlertMessage): void {
  expect(message.subject).not.toMatch(/[\n\r]/);
  expect(message.subject).not.toMatch(UNSAFE);
  expect(message.subject.length).toBeLessThanOrEqual(100);
  expect(message.email).not.toMatch(UNSAFE);
  expect(message.email).not.toMatch(FORGED_LINE);
  expect(message.email).not.toMatch(/^\s*PASS\b/m);
  for (const text of chatTexts(message.chatbot)) {
    expect(text).not.toMatch(UNESCAPED_MRKDWN);
    expect(text).not.toMatch(UNSAFE);
  }
  expect(message.chatbot.content.description).not.toMatch(FORGED_LINE);
}

/** The whole Publish (body, subject, attributes) within SNS's limit, and so without any cut. */
function expectFits(message: AlertMessage): void {
  const input = publishInput("arn:aws:sns:us-east-1:123456789012:t", message);
  let bytes = Buffer.byteLength(String(input.Message)) + Buffer.byteLength(String(input.Subject));
  for (const [name, value] of Object.entries(input.MessageAttributes ?? {}))
    bytes += name.length + String(value.DataType).length + Buffer.byteLength(String(value.StringValue));
  expect(bytes).toBeLessThanOrEqual(SNS_MAX_BYTES);
  // By construction: the builders alone keep it well under, the last-resort cut is not needed.
  expect(snsMessageBytes(message)).toBeLessThan(SNS_MAX_BYTES / 2);
  expect(JSON.parse(String(input.Message)).email).toBe(message.email);
}

/** `count` failing resources (and their regressions) named `name(i)`. */
function failingFinding(count: number, name: (i: number) => string) {
  const results = Array.from({ length: count }, (_, i) =>
    row("FAIL", `id${i}`, { resourceName: name(i), message: `MFA not required for ${name(i)}` }),
  );
  const regressions: Regression[] = results.map((r) => ({
    kind: "resource",
    controlId: "1.1",
    title: "Secure Admin Portal Access",
    severity: "critical",
    level: "L1",
    message: `admin ${r.resourceName} newly fails admin-mfa: ${r.message}`,
    resource: { type: "admin", id: r.resourceId, name: r.resourceName, check: "admin-mfa" },
  }));
  const summary = `${count} admins lack MFA: ${results.map((r) => r.resourceName).join(", ")}`;
  return { finding: finding(results, { summary }), regressions };
}

const LONG_BASE = HOSTILE.long;
const longName = (i: number) => `${i}${EVIL}${LONG_BASE}`.slice(0, 60_000);

describe("audit alerts with hostile names", () => {
  it("regression: clean e-mail and inert Chatbot JSON; the name is still recognizable", () => {
    const { finding: f, regressions } = failingFinding(1, () => EVIL);
    const message = regressionAlert(f, regressions, WHERE);
    expectInert(message);
    expect(message.email).toContain("x PASS   2.2 Enforce MFA");
    expect(message.chatbot.content.description).toContain("&lt;!channel&gt; wake up");
    expect(message.chatbot.metadata.relatedResources?.[0]).toContain(
      "&lt;https://evil.example|click here&gt;",
    );
    // Our own links survive: `&` escaped is what Slack decodes back.
    expect(message.chatbot.content.nextSteps?.at(-1)).toBe("Finding: https://console.example/o?a=1&amp;b=2");
  });

  it("recovery, evaluation failure and unresolved organization carry hostile text inertly", () => {
    const { finding: f } = failingFinding(1, () => EVIL);
    const recoveries: Recovery[] = [
      {
        kind: "resource",
        controlId: "1.1",
        title: "Secure Admin Portal Access",
        message: `${EVIL} no longer fails`,
      },
    ] as Recovery[];
    expectInert(recoveryAlert(f, recoveries, WHERE));
    const errored = finding([], {
      status: "ERROR",
      error: { code: "SERVER_ERROR", message: `JumpCloud said: ${EVIL}`, datasets: [] },
    });
    expectInert(evaluationFailureAlert(errored, 3, WHERE));
    expectInert(organizationUnresolvedAlert("1.1", { code: "AUTH_REJECTED", message: EVIL }));
  });

  it("1,000 failing resources of 60,000-character names: every alert under 256 KiB, lists cut with 'and N more'", () => {
    const { finding: f, regressions } = failingFinding(1000, longName);
    const message = regressionAlert(f, regressions, WHERE);
    expectInert(message);
    expectFits(message);
    expect(message.email).toContain("  … and 980 more (see the finding)");
    expect(message.email).toContain("Failing resources (1000):");
    expect(message.chatbot.content.description).toContain("… and 990 more (see the finding)");
    expect(message.chatbot.metadata.relatedResources).toHaveLength(10);

    const recoveries = regressions.map((r) => ({
      ...r,
      message: `${r.message} recovered`,
    })) as unknown as Recovery[];
    expectFits(recoveryAlert(f, recoveries, WHERE));
    const errored = finding([], {
      status: "ERROR",
      summary: f.summary,
      error: { code: "SERVER_ERROR", message: f.summary, datasets: [] },
    });
    expectFits(evaluationFailureAlert(errored, 3, WHERE));
    expectFits(organizationUnresolvedAlert("1.1", { code: "SERVER_ERROR", message: f.summary }));
  });
});

describe("detection alerts with attacker-typed usernames and user agents", () => {
  const [rule] = parseRules(
    yamlOf(
      detectionDoc(
        { selection: { event_type: "sso_auth" }, condition: "selection" },
        { title: "Failed SSO" },
      ),
    ),
    "sso.yml",
  );
  const hostileLogin = (name: string): InsightsEvent =>
    userAuth("sso_auth", false, {
      client_ip: "203.0.113.9",
      username: name,
      initiated_by: { type: "user", username: name },
      useragent: name,
    });

  it("the e-mail and Chatbot text are inert", () => {
    if (!rule) throw new Error("rule missing");
    const message = detectionAlert(
      rule,
      [{ rule, events: [hostileLogin(EVIL)], group: { username: EVIL } }],
      "5f00000000000000000000e1",
    );
    expectInert(message);
    expect(message.email).toContain("by ��wiped");
  });

  it("1,000 events with 60,000-character usernames: under 256 KiB, 'and N more'", () => {
    if (!rule) throw new Error("rule missing");
    const events = Array.from({ length: 1000 }, (_, i) => hostileLogin(longName(i)));
    const message = detectionAlert(
      rule,
      [{ rule, events, group: { username: longName(0) } }],
      "5f00000000000000000000e1",
    );
    expectInert(message);
    expectFits(message);
    expect(message.email).toContain("… and 980 more (in Directory Insights)");
  });
});

describe("remediation notifications", () => {
  /** A plan with `count` actions on resources named `name(i)`, requested and applied by `who`. */
  function plan(count: number, name: (i: number) => string, who: string, reason: string): RemediationPlan {
    const actions = Array.from(
      { length: count },
      (_, i): RemediationAction => ({
        kind: "admin-mfa",
        id: `1.1:admin:${i}`,
        controlId: "1.1",
        adminId: `a${i}`,
        resource: { type: "admin", id: `a${i}`, name: name(i) },
        field: "enableMultiFactor",
        description: `Require MFA for admin ${name(i)}`,
        before: false,
        after: true,
      }),
    );
    // Only what the notification reads; the rest of a record does not matter here.
    return {
      planId: "rp-20261203T084807Z-82ee9e2f",
      orgId: ORG,
      requestedBy: who,
      reason,
      controls: [{ controlId: "1.1", title: "Secure Admin Portal Access", statusBefore: "FAIL", actions }],
      applied: { by: who, reason, statusAfter: { "1.1": "PASS" } },
    } as unknown as RemediationPlan;
  }

  it("requestedBy and reason with U+2028, mrkdwn, ESC or a mention are inert", () => {
    const who = `mallory\u2028PASS   2.2 Enforce MFA <!channel> *boss* ${HOSTILE.windowTitle}`;
    const reason = `${HOSTILE.link}\u2029${HOSTILE.screenClear}`;
    const message = remediationAlert(
      plan(1, () => EVIL, who, reason),
      "applied",
    );
    expectInert(message);
    expect(message.email).toContain("Who: mallory PASS   2.2 Enforce MFA <!channel> *boss* �title.");
    expect(message.chatbot.metadata.summary).toBe(
      "Remediation applied by mallory PASS   2.2 Enforce MFA &lt;!channel&gt; *boss* �title",
    );
  });

  it("1,000 changes on 60,000-character names: under 256 KiB, 'and N more'", () => {
    const message = remediationAlert(plan(1000, longName, "alice", "CHG-1"), "applied");
    expectInert(message);
    expectFits(message);
    expect(message.email).toContain("  … and 900 more (see the plan record)");
  });
});

describe("fitAlert: the last resort", () => {
  it("cuts a message that would not fit, marks the cut, and leaves one that fits as it is", () => {
    const { finding: f, regressions } = failingFinding(1, () => "a");
    const small = regressionAlert(f, regressions, WHERE);
    expect(fitAlert(small)).toBe(small);
    // Built by hand past every cap: 300,000 four-byte characters.
    const huge: AlertMessage = {
      ...small,
      email: "😀".repeat(300_000),
      chatbot: { ...small.chatbot, content: { ...small.chatbot.content, description: "😀".repeat(300_000) } },
    };
    expect(snsMessageBytes(huge)).toBeGreaterThan(SNS_MAX_BYTES);
    const fitted = fitAlert(huge);
    expect(snsMessageBytes(fitted)).toBeLessThanOrEqual(SNS_MAX_BYTES);
    expect(fitted.email).toMatch(/cut to fit the alert's size limit; the finding has everything\)$/);
    expect(fitted.subject).toBe(small.subject);
    expect(fitted.attributes).toEqual(small.attributes);
  });
});
