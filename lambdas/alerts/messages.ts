/** Alert messages for a control: regressions, recoveries and a persistent inability to evaluate. */
import { controlById } from "../controls/registry.js";
import type { ControlFinding, Recovery, Regression } from "../engine/findings.js";
import type { AlertKind, AlertMessage } from "../service/notifier.js";
import { clean, MAX_PARAGRAPH } from "../shared/output-safety.js";
import { chatbotNotification } from "./chatbot.js";
import { bulleted, fitSubject, formatRegressionEmail } from "./email.js";

// Chat shows fewer and shorter items than e-mail (its description is cut at 3,500 characters, and
// "and N more" must survive the cut); the finding in S3 keeps every one.
const CHAT_LISTED = 10;
const CHAT_LINE = 250;
const CHAT_SUMMARY = 500;

/** Chat bullets `• item`, each one clean line, then "… and N more (see the finding)". */
function chatBullets(items: readonly string[]): string[] {
  const lines = items.slice(0, CHAT_LISTED).map((item) => `• ${clean(item, CHAT_LINE)}`);
  if (items.length > CHAT_LISTED) lines.push(`… and ${items.length - CHAT_LISTED} more (see the finding)`);
  return lines;
}

/** Where a finding can be read: its S3 URI and a console link. */
export interface FindingLocation {
  uri: string;
  consoleUrl: string;
}

/** One message for a control's batch of regressions. */
export function regressionAlert(
  finding: ControlFinding,
  regressions: readonly Regression[],
  where: FindingLocation,
): AlertMessage {
  const email = formatRegressionEmail(finding, regressions, `${where.uri}\n${where.consoleUrl}`);
  const failing = finding.results.filter((r) => r.status === "FAIL");
  return message(finding, "regression", email.subject, email.body, {
    title: `:warning: JumpCloud ${finding.controlId} ${finding.title}: ${regressions.length} regression${regressions.length === 1 ? "" : "s"}`,
    description: [
      `*Now ${finding.status}* (${finding.severity}, ${finding.level}). ${clean(finding.summary, CHAT_SUMMARY)}`,
      "",
      ...chatBullets(regressions.map((r) => r.message)),
    ].join("\n"),
    nextSteps: [...(controlById(finding.controlId)?.manualSteps ?? []), `Finding: ${where.consoleUrl}`],
    summary: `${finding.controlId} regressed: ${regressions.length} change(s) for the worse`,
    relatedResources: failing.map((r) => r.resourceName),
  });
}

/** One message for a control's recoveries (sent only when recoveries are announced). */
export function recoveryAlert(
  finding: ControlFinding,
  recoveries: readonly Recovery[],
  where: FindingLocation,
): AlertMessage {
  const subject = fitSubject(
    `[JumpCloud recovered] ${finding.controlId} ${finding.title}: now ${finding.status}`,
  );
  const body = [
    `Control ${finding.controlId} ${finding.title} improved and is now ${finding.status}.`,
    clean(finding.summary, MAX_PARAGRAPH),
    "",
    "What got better since the last run:",
    ...bulleted(recoveries, (r) => r.message),
    "",
    `Finding: ${where.uri}`,
    where.consoleUrl,
  ].join("\n");
  return message(finding, "recovery", subject, body, {
    title: `:white_check_mark: JumpCloud ${finding.controlId} ${finding.title}: now ${finding.status}`,
    description: [
      clean(finding.summary, CHAT_SUMMARY),
      "",
      ...chatBullets(recoveries.map((r) => r.message)),
    ].join("\n"),
    nextSteps: [`Finding: ${where.consoleUrl}`],
    summary: `${finding.controlId} recovered`,
    relatedResources: [],
  });
}

/** What to do about an evaluation failure, by error code. */
const REMEDIES: Record<string, string> = {
  AUTH_REJECTED:
    "JumpCloud rejected the API key (expired, revoked or rotated). Create a new key for the Read Only admin in the JumpCloud console and store it: aws secretsmanager put-secret-value --secret-id <audit secret> --secret-string <key>.",
  FORBIDDEN:
    "JumpCloud refused access (403): the key's admin role may lack access, the feature may not be on the plan (declare jcAudit:plan), or the source IP may be blocked.",
  NOT_ON_PLAN:
    "The feature is not on the organization's plan; declare the plan (jcAudit:plan) to mark the control not applicable.",
  RATE_LIMITED:
    "JumpCloud kept rate-limiting the audit; spread the control schedules (jcAudit:schedules) or lower concurrency.",
  SERVER_ERROR:
    "JumpCloud answered with server errors on every retry; check status.jumpcloud.com. The next run retries.",
  NETWORK_ERROR:
    "The function could not reach JumpCloud; check the function's network egress and status.jumpcloud.com.",
  TIMEOUT:
    "JumpCloud did not answer in time on every retry; check status.jumpcloud.com, or raise the function timeout.",
  INCOMPLETE_COLLECTION:
    "A collection came back inconsistent twice (short, repeated or missing pages, or a changing total), so it could not be judged as a whole. The next run reads it again; if it persists, report the path named in the reason to JumpCloud support.",
  PLAN_INCONSISTENT:
    "JumpCloud refused one endpoint of a feature as 'not on this plan' while another endpoint of the same feature answered; this is not read as a plan limit. Check the key's admin role and the organization's plan in the console.",
  INCONSISTENT_EVENTS:
    "Directory Insights counted and listed a different number of events twice in a row. The next run reads it again.",
  CHECK_NOT_EVALUATED:
    "Some checks met data they could not judge (a value absent or of an unexpected type); the finding names each one. Look at those resources in the console.",
  REDIRECT_REFUSED:
    "The API answered with a redirect, which the auditor never follows so the key cannot reach another host; check the configured base URLs (and any proxy in between).",
};

/** One message when a control could not be evaluated `runs` times in a row (or the key was rejected). */
export function evaluationFailureAlert(
  finding: ControlFinding,
  runs: number,
  where: FindingLocation,
): AlertMessage {
  const code = finding.error?.code ?? "UNKNOWN";
  const remedy = REMEDIES[code] ?? "See the finding's error for the reason; the next scheduled run retries.";
  const subject = fitSubject(`[JumpCloud audit failing] ${finding.controlId} ${finding.title}: ${code}`);
  const body = [
    `Control ${finding.controlId} ${finding.title} could not be evaluated ${runs === 1 ? "" : `${runs} runs in a row`}`.trim() +
      ".",
    `Reason: ${clean(finding.error?.message ?? finding.summary, MAX_PARAGRAPH)}`,
    "",
    `What to do: ${remedy}`,
    "",
    "Until this is fixed the control's status is unknown (ERROR), never PASS. You will not be alerted again for this streak.",
    `Finding: ${where.uri}`,
    where.consoleUrl,
  ].join("\n");
  return message(finding, "evaluation-failure", subject, body, {
    title: `:x: JumpCloud audit cannot evaluate ${finding.controlId} ${finding.title}`,
    description: `*${clean(code)}*: ${clean(finding.error?.message ?? finding.summary, MAX_PARAGRAPH)}`,
    nextSteps: [remedy],
    summary: `${finding.controlId} cannot be evaluated (${code})`,
    relatedResources: [],
  });
}

/** One message when the organization cannot even be identified (typically: the key was rejected). */
export function organizationUnresolvedAlert(
  controlId: string,
  error: { code: string; message: string },
): AlertMessage {
  const control = controlById(controlId);
  const remedy = REMEDIES[error.code] ?? "See the function's logs; the next scheduled run retries.";
  const subject = fitSubject(`[JumpCloud audit failing] ${controlId} ${control?.title ?? ""}: ${error.code}`);
  const body = [
    `The scheduled audit of control ${clean(controlId)} could not identify the JumpCloud organization: ${clean(error.message, MAX_PARAGRAPH)}.`,
    "",
    `What to do: ${remedy}`,
    "",
    "No control can be evaluated until this is fixed. You will not be alerted again for this streak.",
  ].join("\n");
  return {
    subject,
    email: body,
    chatbot: chatbotNotification({
      title: `:x: JumpCloud audit cannot reach the organization (${error.code})`,
      description: clean(error.message, MAX_PARAGRAPH),
      nextSteps: [remedy],
      keywords: [controlId, error.code],
      threadId: `jumpcloud-unresolved-${controlId}`,
      summary: `${controlId} cannot be evaluated (${error.code})`,
      eventType: "jumpcloud-audit-evaluation-failure",
      relatedResources: [],
      context: { controlId },
    }),
    attributes: {
      controlId,
      severity: control?.severity ?? "high",
      level: control?.level ?? "L1",
      kind: "evaluation-failure",
      orgId: "unresolved",
    },
  };
}

function message(
  finding: ControlFinding,
  kind: AlertKind,
  subject: string,
  email: string,
  chat: {
    title: string;
    description: string;
    nextSteps: string[];
    summary: string;
    relatedResources: string[];
  },
): AlertMessage {
  return {
    subject,
    email,
    chatbot: chatbotNotification({
      ...chat,
      keywords: [finding.controlId, finding.severity, finding.level, kind],
      threadId: `jumpcloud-${finding.orgId}-${finding.controlId}`,
      eventType: `jumpcloud-audit-${kind}`,
      context: {
        orgId: finding.orgId,
        controlId: finding.controlId,
        runId: finding.runId,
        status: finding.status,
      },
    }),
    attributes: {
      controlId: finding.controlId,
      severity: finding.severity,
      level: finding.level,
      kind,
      orgId: finding.orgId,
    },
  };
}
