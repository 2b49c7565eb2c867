/**
 * The daily digest message: counts, worst failing controls, unknown statuses, the changes since the
 * previous day in each of their forms, the link, the SNS attributes; hostile text from the bucket stays
 * inert in the e-mail and in Slack, and a digest of many controls fits SNS.
 */
import { describe, expect, it } from "vitest";
import { publishInput } from "../../../lambdas/adapters/sns-notifier.js";
import { type DigestInput, dailyDigest } from "../../../lambdas/alerts/digest.js";
import { SNS_MAX_BYTES, snsMessageBytes } from "../../../lambdas/alerts/fit.js";
import type { ReportedControl } from "../../../lambdas/service/daily-report-findings.js";
import type { OrgReportSummary } from "../../../lambdas/service/daily-report-summary.js";
import { finding } from "../../helpers/findings.js";
import { EVERY_HOSTILE_CLASS, FORGED_LINE, UNESCAPED_MRKDWN, UNSAFE } from "../shared/hostile.js";

const ORG = "5f00000000000000000000a1";
const WHERE = {
  uri: `s3://bucket/reports/${ORG}/2026-11-30/report.html`,
  consoleUrl: "https://console.example/o?a=1&b=2",
};

/** Ten passing controls, no change since yesterday; each test changes one thing. */
function input(overrides: Partial<DigestInput> = {}): DigestInput {
  const summary: OrgReportSummary = {
    schemaVersion: 1,
    orgId: ORG,
    date: "2026-11-30",
    time: "2026-11-30T06:57:00.000Z",
    counts: { FAIL: 0, ERROR: 0, MANUAL: 0, MUTED: 0, PASS: 10, NOT_APPLICABLE: 0 },
    problems: { stale: 0, missing: 0, invalid: 0 },
    controls: Array.from({ length: 10 }, (_, i) => ({ controlId: `c${i}`, status: "PASS" as const })),
    worst: [],
    keys: { html: "h", csv: "c", ocsf: "o", summary: "s", latest: "l" },
  };
  return {
    summary,
    changes: {
      kind: "compared",
      date: "2026-11-29",
      controls: [],
      deltas: { FAIL: 0, ERROR: 0, MANUAL: 0, MUTED: 0, PASS: 0, NOT_APPLICABLE: 0 },
    },
    controls: [],
    report: WHERE,
    ...overrides,
  };
}

/** A control shown as ERROR for a problem with its stored finding. */
function unknown(
  code: "FINDING_STALE" | "FINDING_MISSING" | "FINDING_INVALID",
  message = "m",
): ReportedControl {
  return {
    finding: finding([], { controlId: "2.2", title: "Configure MFA for System Access", status: "ERROR" }),
    problem: {
      code,
      message,
      ...(code === "FINDING_STALE"
        ? { was: { status: "FAIL", evaluatedAt: "2026-11-25T06:00:00.000Z" } }
        : {}),
    },
  };
}

describe("dailyDigest", () => {
  it("says the counts, that nothing changed, and where the report is; attributes mark it a digest", () => {
    const message = dailyDigest(input());
    expect(message.subject).toBe(`[JumpCloud daily] ${ORG} 2026-11-30: 0 FAIL, 0 ERROR of 10`);
    expect(message.email.split("\n")).toEqual([
      `JumpCloud hardening report of organization ${ORG} for 2026-11-30 (as of 2026-11-30T06:57:00.000Z).`,
      "",
      "Controls (10): 0 FAIL · 0 ERROR · 0 MANUAL · 0 MUTED · 10 PASS · 0 N/A",
      "",
      "Worst failing controls:",
      "  none",
      "",
      "No change since the report of 2026-11-29.",
      "",
      `Report: ${WHERE.uri}`,
      WHERE.consoleUrl,
    ]);
    expect(message.attributes).toEqual({
      controlId: "all",
      severity: "none",
      level: "all",
      kind: "digest",
      orgId: ORG,
    });
    expect(message.chatbot.metadata.threadId).toBe(`jumpcloud-${ORG}-daily`);
    expect(message.chatbot.metadata.eventType).toBe("jumpcloud-audit-digest");
    expect(message.chatbot.content.nextSteps).toEqual(["Report: https://console.example/o?a=1&amp;b=2"]);
  });

  it("lists the worst failing controls; its severity attribute is the worst one's", () => {
    const base = input();
    const message = dailyDigest(
      input({
        summary: {
          ...base.summary,
          counts: { ...base.summary.counts, FAIL: 2, PASS: 8 },
          worst: [
            { controlId: "1.1", title: "Secure Admin Portal Access", severity: "critical", failing: 1 },
            { controlId: "2.2", title: "Configure MFA for System Access", severity: "high", failing: 4 },
          ],
        },
      }),
    );
    expect(message.email).toContain(
      "Worst failing controls:\n  - 1.1 Secure Admin Portal Access (critical): 1 failing result\n  - 2.2 Configure MFA for System Access (high): 4 failing results\n",
    );
    expect(message.attributes.severity).toBe("critical");
    expect(message.chatbot.content.description).toContain("• 1.1 Secure Admin Portal Access (critical)");
  });

  it("names each control whose status is unknown, and why", () => {
    const base = input();
    const message = dailyDigest(
      input({
        summary: {
          ...base.summary,
          counts: { ...base.summary.counts, ERROR: 3, PASS: 7 },
          problems: { stale: 1, missing: 1, invalid: 1 },
        },
        controls: [
          unknown("FINDING_STALE"),
          unknown("FINDING_MISSING"),
          unknown("FINDING_INVALID", "Not trusted: (it is not JSON)"),
        ],
      }),
    );
    expect(message.email).toContain(
      "ERROR includes 1 stale, 1 never evaluated and 1 not trusted: their status is unknown, never counted as a pass.",
    );
    expect(message.email).toContain(
      [
        "Status unknown (shown as ERROR):",
        "  - 2.2 Configure MFA for System Access: stale, last FAIL at 2026-11-25T06:00:00.000Z",
        "  - 2.2 Configure MFA for System Access: never evaluated",
        "  - 2.2 Configure MFA for System Access: not trusted: Not trusted: (it is not JSON)",
      ].join("\n"),
    );
  });

  it("lists status changes and count deltas since the previous day", () => {
    const message = dailyDigest(
      input({
        changes: {
          kind: "compared",
          date: "2026-11-29",
          controls: [
            { controlId: "1.1", title: "Secure Admin Portal Access", from: "PASS", to: "FAIL" },
            { controlId: "3.1", title: "Configure Conditional Access Policies", from: "absent", to: "PASS" },
          ],
          deltas: { FAIL: 1, ERROR: 0, MANUAL: 0, MUTED: 0, PASS: 0, NOT_APPLICABLE: 0 },
        },
      }),
    );
    expect(message.email).toContain(
      "Since the report of 2026-11-29:\n  - 1.1 Secure Admin Portal Access: PASS → FAIL\n  - 3.1 Configure Conditional Access Policies: not reported → PASS\n  Counts: FAIL +1\n",
    );
    expect(message.chatbot.content.description).toContain(
      "*Since 2026-11-29*\n• 1.1 Secure Admin Portal Access: PASS → FAIL",
    );
  });

  it("says when there was no previous report, or when it could not be used", () => {
    expect(dailyDigest(input({ changes: { kind: "no-previous", date: "2026-11-29" } })).email).toContain(
      "No report for 2026-11-29: nothing to compare with.",
    );
    expect(
      dailyDigest(input({ changes: { kind: "unusable", date: "2026-11-29", reason: "it is not JSON" } }))
        .email,
    ).toContain(
      "The summary of 2026-11-29 is not usable (it is not JSON), so changes since then are not shown.",
    );
  });

  it("keeps hostile text from the bucket inert: clean e-mail lines, escaped Slack text", () => {
    const message = dailyDigest(
      input({
        changes: { kind: "unusable", date: "2026-11-29", reason: EVERY_HOSTILE_CLASS },
        controls: [unknown("FINDING_INVALID", EVERY_HOSTILE_CLASS)],
      }),
    );
    for (const text of [message.subject, message.email]) {
      expect(text).not.toMatch(UNSAFE);
      expect(text).not.toMatch(FORGED_LINE);
    }
    const chat = message.chatbot;
    for (const text of [chat.content.title, chat.content.description, chat.metadata.summary]) {
      expect(text).not.toMatch(UNESCAPED_MRKDWN);
      expect(text).not.toMatch(UNSAFE);
    }
    expect(chat.content.description).toContain("&lt;!channel&gt;");
  });

  it("fits SNS by construction with a thousand changed and unknown controls", () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      controlId: `c${i}`,
      title: "T".repeat(300),
      from: "PASS" as const,
      to: "FAIL" as const,
    }));
    const message = dailyDigest(
      input({
        changes: {
          kind: "compared",
          date: "2026-11-29",
          controls: many,
          deltas: { FAIL: 1000, ERROR: 0, MANUAL: 0, MUTED: 0, PASS: -1000, NOT_APPLICABLE: 0 },
        },
        controls: Array.from({ length: 1000 }, () => unknown("FINDING_INVALID", "x".repeat(60_000))),
      }),
    );
    expect(message.email).toContain("  … and 980 more (see the report)");
    expect(snsMessageBytes(message)).toBeLessThan(SNS_MAX_BYTES / 2);
    const published = publishInput("arn:aws:sns:us-east-1:123456789012:t", message);
    expect(JSON.parse(String(published.Message)).email).toBe(message.email);
  });
});
