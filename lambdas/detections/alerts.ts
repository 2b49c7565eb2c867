/** The alert for one rule's matches in one run (message attribute `kind=detection`). */
import { chatbotNotification } from "../alerts/chatbot.js";
import { bulleted, fitSubject } from "../alerts/email.js";
import type { InsightsEvent } from "../jumpcloud/types.js";
import type { AlertMessage } from "../service/notifier.js";
import { clean, MAX_LINE, MAX_NAME, MAX_PARAGRAPH } from "../shared/output-safety.js";
import type { CompiledRule, DetectionMatch } from "./types.js";

const SHOWN = 20;

/**
 * A field as one clean line of at most 256 characters, or undefined when it is absent, empty or not a
 * scalar (events are read as they come; usernames and user agents are whatever an attacker typed).
 */
function text(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : clean(value, MAX_NAME);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** A boolean outcome field, tolerating the string forms Directory Insights may store. */
function isFalse(value: unknown): boolean {
  return value === false || (typeof value === "string" && value.trim().toLowerCase() === "false");
}

/** Who an event is by: `initiated_by.email`, `initiated_by.username`, then `username`. */
function actorOf(event: InsightsEvent): string | undefined {
  const by = event.initiated_by as unknown;
  const record = typeof by === "object" && by !== null ? (by as Record<string, unknown>) : {};
  return text(record.email) ?? text(record.username) ?? text(event.username);
}

/**
 * One line per event: time, type, who, from where, outcome. A failure is `success: false`, or
 * `sso_token_success: false` on `sso_auth` (which has no `success` on real tenants).
 */
export function describeEvent(event: InsightsEvent): string {
  const outcome = isFalse(event.success) || isFalse(event.sso_token_success) ? " (failed)" : "";
  return `${text(event.timestamp) ?? "(no time)"} ${text(event.event_type) ?? "(no type)"}${outcome} by ${
    actorOf(event) ?? "unknown"
  } from ${text(event.client_ip) ?? "unknown"}`;
}

/** A match's group (`client_ip=…`) as one clean line. */
export function describeGroup(group: Record<string, string>): string {
  return clean(
    Object.entries(group)
      .map(([k, v]) => `${clean(k, 64)}=${clean(v, MAX_NAME)}`)
      .join(", "),
    MAX_LINE,
  );
}

/** One message for every match of one rule in a run. */
export function detectionAlert(
  rule: CompiledRule,
  matches: readonly DetectionMatch[],
  orgId: string,
): AlertMessage {
  const events = matches.flatMap((m) => m.events);
  const groups = matches.map((m) => m.group).filter((g): g is Record<string, string> => g !== undefined);
  const subject = fitSubject(
    `[JumpCloud detection ${rule.level.toUpperCase()}] ${rule.title} (${events.length} event${events.length === 1 ? "" : "s"})`,
  );
  const lines = [
    `${clean(rule.title)} (${clean(rule.level)}) matched ${events.length} event(s) in organization ${clean(orgId)}.`,
    clean(rule.description, MAX_PARAGRAPH),
    ...(groups.length
      ? [
          "",
          `Groups: ${groups.slice(0, SHOWN).map(describeGroup).join("; ")}${groups.length > SHOWN ? ` … and ${groups.length - SHOWN} more` : ""}`,
        ]
      : []),
    "",
    "Events:",
    ...bulleted(events, describeEvent, { max: SHOWN, rest: "in Directory Insights" }),
    "",
    clean(`False positives: ${rule.falsepositives.join("; ") || "none listed"}`, MAX_PARAGRAPH),
    clean(
      `Rule ${rule.id} (${rule.source})${rule.tags.length ? ` · ${rule.tags.join(", ")}` : ""}`,
      MAX_PARAGRAPH,
    ),
  ];
  return {
    subject,
    email: lines.join("\n"),
    chatbot: chatbotNotification({
      title: `:rotating_light: JumpCloud detection: ${rule.title}`,
      description: [
        `*${rule.level}* · ${events.length} event(s)`,
        ...events.slice(0, 10).map((e) => `• ${describeEvent(e)}`),
        ...(events.length > 10 ? [`… and ${events.length - 10} more (in Directory Insights)`] : []),
      ].join("\n"),
      nextSteps: [rule.description],
      keywords: [rule.level, ...rule.tags.slice(0, 4)],
      threadId: `jumpcloud-${orgId}-detection-${rule.id}`,
      summary: `${rule.title}: ${events.length} event(s)`,
      eventType: "jumpcloud-detection",
      relatedResources: [
        ...new Set(events.map((e) => actorOf(e) ?? text(e.client_ip) ?? text(e.id) ?? "unknown")),
      ],
      context: { orgId, ruleId: rule.id },
    }),
    attributes: { controlId: "5.2", severity: rule.level, level: "L1", kind: "detection", orgId },
  };
}

/** The "audit log silent" alert: no Directory Insights events for too long. */
export function silenceAlert(orgId: string, hours: number, lastEventAt: string | undefined): AlertMessage {
  const since = lastEventAt ? `since ${lastEventAt}` : "at all since detection started";
  const body = [
    `Directory Insights has recorded no events for organization ${clean(orgId)} ${clean(since)} (more than ${hours} h).`,
    "Either the directory is idle, or the audit log is not arriving: check that Directory Insights is enabled (control 5.1) and that events appear in Reports → Directory Insights.",
    "You will not be alerted again until events arrive and stop again.",
  ].join("\n");
  return {
    subject: fitSubject("[JumpCloud detection] Audit log silent"),
    email: body,
    chatbot: chatbotNotification({
      title: ":mute: JumpCloud audit log silent",
      description: body,
      nextSteps: ["Check control 5.1 (Directory Insights enabled) and Reports → Directory Insights"],
      keywords: ["5.1", "liveness"],
      threadId: `jumpcloud-${orgId}-detection-liveness`,
      summary: "No Directory Insights events",
      eventType: "jumpcloud-detection-silence",
      relatedResources: [],
      context: { orgId },
    }),
    attributes: { controlId: "5.1", severity: "high", level: "L1", kind: "detection", orgId },
  };
}
