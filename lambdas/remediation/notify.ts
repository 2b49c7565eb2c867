/** The message remediation sends: who, why, what changed, and each control's status before → after. */
import { chatbotNotification } from "../alerts/chatbot.js";
import { bulleted, fitSubject } from "../alerts/email.js";
import { controlById } from "../controls/registry.js";
import type { AlertMessage } from "../service/notifier.js";
import { clean, MAX_NAME, MAX_PARAGRAPH } from "../shared/output-safety.js";
import { planActions, type RemediationPlan } from "./record.js";

/** How each journaled state reads in a message. */
const STATE_WORDS: Record<string, string> = {
  intent: "outcome unknown (the run stopped during the write)",
  applied: "applied",
  already: "already so, not written",
  unknown: "outcome unknown",
  failed: "failed",
  restored: "restored",
  "changed-since": "changed since apply, left alone",
  "nothing-to-undo": "nothing to undo",
  "cannot-restore": "was not set before, left as apply set it",
};

/**
 * One message for an applied, rolled-back or failed plan; each change says what happened to it (from
 * the journal). `problem` (e.g. the record could not be stored) is stated first and raises the severity.
 */
export function remediationAlert(
  plan: RemediationPlan,
  phase: "applied" | "rolled-back" | "failed",
  problem?: string,
): AlertMessage {
  const record = phase === "applied" ? plan.applied : phase === "rolled-back" ? plan.rolledBack : undefined;
  const statuses = plan.controls.map(
    (c) => `${c.controlId} ${c.statusBefore} → ${record?.statusAfter[c.controlId] ?? "?"}`,
  );
  // The latest state of each action in this plan's journal: what the message reports it as.
  const states = new Map((plan.journal ?? []).map((entry) => [entry.actionId, entry.state]));
  const changes = planActions(plan).map((a) => {
    const state = states.get(a.id);
    const outcome = state ? `: ${STATE_WORDS[state] ?? state}` : plan.journal?.length ? ": not made" : "";
    return `${a.description} (${a.field}: ${JSON.stringify(a.before)} → ${JSON.stringify(a.after)})${outcome}`;
  });
  const subject = fitSubject(
    `[JumpCloud remediation ${phase}] ${plan.controls.map((c) => c.controlId).join(", ")} by ${record?.by ?? plan.requestedBy}`,
  );
  const body = [
    `Remediation plan ${clean(plan.planId)} was ${phase} for organization ${clean(plan.orgId)}.`,
    // Who and why come from a request (or a stored file): one clean line each, never mrkdwn or a new line.
    `Who: ${clean(record?.by ?? plan.requestedBy, MAX_NAME)}. Why: ${clean(record?.reason ?? plan.reason ?? "(no reason given)", MAX_PARAGRAPH)}.`,
    ...(problem ? ["", clean(problem, MAX_PARAGRAPH)] : []),
    "",
    `${phase === "applied" ? "What changed" : phase === "rolled-back" ? "What was restored" : "Every change and its state"}:`,
    // Up to 100 changes, each one clean line (the plan record lists every one): the alert stays small.
    ...bulleted(changes, (c) => c, { max: 100, rest: "see the plan record" }),
    "",
    clean(`Controls: ${statuses.join("; ")}`, MAX_PARAGRAPH),
  ].join("\n");
  const first = plan.controls[0];
  return {
    subject,
    email: body,
    chatbot: chatbotNotification({
      title: `:wrench: JumpCloud remediation ${phase}: ${statuses.join(", ")}`,
      description: body,
      nextSteps: [],
      keywords: plan.controls.map((c) => c.controlId),
      threadId: `jumpcloud-${plan.orgId}-remediation-${plan.planId}`,
      summary: `Remediation ${phase} by ${record?.by ?? plan.requestedBy}`,
      eventType: `jumpcloud-remediation-${phase}`,
      relatedResources: planActions(plan).map((a) => a.resource.name),
      context: { orgId: plan.orgId, planId: plan.planId },
    }),
    attributes: {
      controlId: first?.controlId ?? "",
      severity: problem || phase === "failed" ? "high" : "info",
      // Why: was "L1" for every plan, so subscribers filtering on level mislabelled 3.1 (L2) remediations.
      level: first ? (controlById(first.controlId)?.level ?? "") : "",
      kind: "remediation",
      orgId: plan.orgId,
    },
  };
}
