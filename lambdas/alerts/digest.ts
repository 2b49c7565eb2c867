/**
 * The daily digest: one message per organization with the report's counts, its worst failing controls,
 * the controls whose status is unknown (stale, never evaluated, not trusted), what changed since the
 * previous day's report, and where the report is. Control titles are the catalog's; reasons may quote the
 * bucket, so every line is cleaned (and escaped for Slack by `chatbotNotification`).
 */
import type { ControlStatus } from "../controls/types.js";
import { STATUS_LABELS } from "../reports/filters.js";
import type { ReportedControl } from "../service/daily-report-findings.js";
import {
  type DailyChanges,
  type OrgReportSummary,
  REPORT_STATUSES,
} from "../service/daily-report-summary.js";
import type { AlertMessage } from "../service/notifier.js";
import { clean, MAX_PARAGRAPH } from "../shared/output-safety.js";
import { chatbotNotification } from "./chatbot.js";
import { bulleted, fitSubject } from "./email.js";
import type { FindingLocation } from "./messages.js";

/** What one digest is made of. */
export interface DigestInput {
  summary: OrgReportSummary;
  changes: DailyChanges;
  /** The reported controls (those with a problem are listed as unknown). */
  controls: readonly ReportedControl[];
  /** Where the day's HTML report is. */
  report: FindingLocation;
}

const PROBLEM_LABEL = {
  FINDING_STALE: "stale",
  FINDING_MISSING: "never evaluated",
  FINDING_INVALID: "not trusted",
} as const;

/** The digest message of one organization's daily report. */
export function dailyDigest(input: DigestInput): AlertMessage {
  const { summary, changes } = input;
  const total = summary.controls.length;
  const headline = countsLine(summary.counts);
  const unknown = input.controls.filter((c) => c.problem);
  const unknownLine = (c: ReportedControl) => {
    const p = c.problem;
    const was = p?.was ? `, last ${p.was.status} at ${p.was.evaluatedAt}` : "";
    const reason = p?.code === "FINDING_INVALID" ? `: ${p.message}` : "";
    return `${c.finding.controlId} ${c.finding.title}: ${p ? PROBLEM_LABEL[p.code] : ""}${was}${reason}`;
  };
  const worstLine = (w: OrgReportSummary["worst"][number]) =>
    `${w.controlId} ${w.title} (${w.severity}): ${w.failing} failing result${w.failing === 1 ? "" : "s"}`;
  const since = changesLines(changes);

  const body = [
    `JumpCloud hardening report of organization ${clean(summary.orgId, 64)} for ${summary.date} (as of ${summary.time}).`,
    "",
    `Controls (${total}): ${headline}`,
    ...(summary.counts.ERROR > 0
      ? [
          `ERROR includes ${summary.problems.stale} stale, ${summary.problems.missing} never evaluated and ${summary.problems.invalid} not trusted: their status is unknown, never counted as a pass.`,
        ]
      : []),
    "",
    "Worst failing controls:",
    ...(summary.worst.length > 0 ? bulleted(summary.worst, worstLine) : ["  none"]),
    ...(unknown.length > 0
      ? [
          "",
          "Status unknown (shown as ERROR):",
          ...bulleted(unknown, unknownLine, { rest: "see the report" }),
        ]
      : []),
    "",
    ...since.email,
    "",
    `Report: ${clean(input.report.uri, MAX_PARAGRAPH)}`,
    clean(input.report.consoleUrl, MAX_PARAGRAPH),
  ].join("\n");

  const chatLines = [
    `*${headline}* (${total} controls)`,
    ...(summary.worst.length > 0
      ? ["", "*Worst failing*", ...summary.worst.map((w) => `• ${worstLine(w)}`)]
      : []),
    ...(unknown.length > 0
      ? ["", "*Status unknown*", ...unknown.slice(0, 10).map((c) => `• ${clean(unknownLine(c), 250)}`)]
      : []),
    "",
    ...since.chat,
  ];
  const worstSeverity = summary.worst[0]?.severity;
  return {
    subject: fitSubject(
      `[JumpCloud daily] ${summary.orgId} ${summary.date}: ${summary.counts.FAIL} FAIL, ${summary.counts.ERROR} ERROR of ${total}`,
    ),
    email: body,
    chatbot: chatbotNotification({
      title: `:bar_chart: JumpCloud daily report ${summary.date}: ${summary.counts.FAIL} FAIL, ${summary.counts.ERROR} ERROR of ${total}`,
      description: chatLines.join("\n"),
      nextSteps: [`Report: ${input.report.consoleUrl}`],
      keywords: ["digest", summary.date],
      threadId: `jumpcloud-${summary.orgId}-daily`,
      summary: `Daily report ${summary.date}: ${headline}`,
      eventType: "jumpcloud-audit-digest",
      relatedResources: [],
      context: { orgId: summary.orgId, date: summary.date },
    }),
    attributes: {
      controlId: "all",
      severity: worstSeverity ?? "none",
      level: "all",
      kind: "digest",
      orgId: summary.orgId,
    },
  };
}

/** "2 FAIL · 1 ERROR · 0 MANUAL · 0 MUTED · 6 PASS · 1 N/A". */
function countsLine(counts: Record<ControlStatus, number>): string {
  return REPORT_STATUSES.map((s) => `${counts[s]} ${STATUS_LABELS[s]}`).join(" · ");
}

function changesLines(changes: DailyChanges): { email: string[]; chat: string[] } {
  if (changes.kind === "no-previous") {
    const line = `No report for ${changes.date}: nothing to compare with.`;
    return { email: [line], chat: [line] };
  }
  if (changes.kind === "unusable") {
    const line = `The summary of ${changes.date} is not usable (${clean(changes.reason, MAX_PARAGRAPH)}), so changes since then are not shown.`;
    return { email: [line], chat: [line] };
  }
  const deltas = REPORT_STATUSES.filter((s) => changes.deltas[s] !== 0)
    .map((s) => `${STATUS_LABELS[s]} ${changes.deltas[s] > 0 ? "+" : "−"}${Math.abs(changes.deltas[s])}`)
    .join(", ");
  if (changes.controls.length === 0) {
    const line = `No change since the report of ${changes.date}.`;
    return { email: [line], chat: [line] };
  }
  const show = (c: (typeof changes.controls)[number]) =>
    `${c.controlId} ${c.title}: ${c.from === "absent" ? "not reported" : c.from} → ${c.to === "absent" ? "not reported" : c.to}`;
  return {
    email: [
      `Since the report of ${changes.date}:`,
      ...bulleted(changes.controls, show, { rest: "see the report" }),
      ...(deltas ? [`  Counts: ${deltas}`] : []),
    ],
    chat: [
      `*Since ${changes.date}*`,
      ...changes.controls.slice(0, 10).map((c) => `• ${clean(show(c), 250)}`),
      ...(changes.controls.length > 10
        ? [`… and ${changes.controls.length - 10} more (see the report)`]
        : []),
      ...(deltas ? [`Counts: ${deltas}`] : []),
    ],
  };
}
