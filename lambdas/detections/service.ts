/**
 * One scheduled detection run: read Directory Insights from the checkpoint (minus an overlap) to
 * now, evaluate the rules, publish one message per rule, then advance the checkpoint. Each match is
 * marked as alerted right after its message is published, so a failed publish is retried on the next
 * run without repeating what was sent; events seen in the overlap are skipped by id. Nothing is lost
 * and nothing is alerted twice. A fresh event the rules could not evaluate (nested too deep, or over
 * the matching budget) is logged and alerted once ("events not evaluated"), never taken as "no match".
 */

import { chatbotNotification } from "../alerts/chatbot.js";
import { fitSubject } from "../alerts/email.js";
import { resolveOrgId } from "../engine/run.js";
import type { JumpCloudClient } from "../jumpcloud/client.js";
import type { InsightsEvent } from "../jumpcloud/types.js";
import type { AlertMessage, Notifier } from "../service/notifier.js";
import type { StateStore } from "../service/state-store.js";
import type { Logger } from "../shared/logger.js";
import { clean } from "../shared/output-safety.js";
import { detectionAlert, silenceAlert } from "./alerts.js";
import { detect } from "./engine/index.js";
import type { CompiledRule, DetectionMatch, DetectionProblem, SigmaLevel } from "./types.js";

/** What a detection run needs. */
export interface DetectionDependencies {
  client: JumpCloudClient;
  state: StateStore;
  notifier: Notifier;
  logger: Logger;
  rules: CompiledRule[];
  clock?: () => Date;
  settings: {
    /** Organization (MSP keys); default: the key's only one. */
    orgId?: string;
    /** Re-read this far before the checkpoint, for late-arriving events. @default 5 minutes */
    overlapMs?: number;
    /** How far back the first run looks. @default 1 hour */
    firstLookbackMs?: number;
    /** No events for this long is the "audit log silent" alert. @default 24 */
    silenceHours?: number;
    /** Rules below this level are evaluated but not alerted (e.g. every admin login). @default "low" */
    minLevel?: SigmaLevel;
  };
}

/** The detection checkpoint (`state/{orgId}/detections/checkpoint.json`). */
export interface DetectionCheckpoint {
  /** Events before this time were evaluated. */
  until: string;
  /** Ids of events evaluated inside the overlap before `until`, so they are not evaluated twice. */
  seenIds: string[];
  /** Keys of matches already alerted, with the time of their newest event (pruned after a day). */
  alerted: Record<string, string>;
  lastEventAt?: string;
  silenceAlerted?: boolean;
}

/** What a run did. */
export interface DetectionOutcome {
  orgId: string;
  from: string;
  to: string;
  events: number;
  fresh: number;
  matches: number;
  /** Fresh events that some rules could not evaluate (alerted once). */
  unevaluated: number;
  published: number;
}

const LEVELS: SigmaLevel[] = ["informational", "low", "medium", "high", "critical"];

/** Key of the checkpoint document. */
export const checkpointKey = (orgId: string) => `state/${orgId}/detections/checkpoint.json`;

/** Runs the rules over the new events since the checkpoint. */
export async function runDetection(deps: DetectionDependencies): Promise<DetectionOutcome> {
  const now = (deps.clock ?? (() => new Date()))();
  const orgId = deps.settings.orgId ?? deps.client.orgId ?? (await resolveOrgId(deps.client));
  const key = checkpointKey(orgId);
  const saved = await deps.state.getJson<DetectionCheckpoint>(key);
  // Correlations need the events of their whole time span: read at least that far back.
  const span = Math.max(0, ...deps.rules.map((r) => (r.kind === "correlation" ? r.timespanMs : 0)));
  const overlap = Math.max(deps.settings.overlapMs ?? 5 * 60_000, span);
  const from = saved
    ? new Date(Date.parse(saved.until) - overlap)
    : new Date(now.getTime() - (deps.settings.firstLookbackMs ?? 3_600_000));
  const events: InsightsEvent[] = [];
  for await (const event of deps.client.insightsEvents({
    service: ["all"],
    start_time: from.toISOString(),
    end_time: now.toISOString(),
    sort: "ASC",
  })) {
    // An entry that is not an event object cannot be evaluated or remembered by id: left out.
    if (typeof event === "object" && event !== null && !Array.isArray(event)) events.push(event);
  }
  const seen = new Set(saved?.seenIds ?? []);
  const fresh = events.filter((e) => !seen.has(e.id));
  const alerted: Record<string, string> = { ...(saved?.alerted ?? {}) };
  const checkpoint = (): DetectionCheckpoint => ({
    until: saved?.until ?? from.toISOString(),
    seenIds: saved?.seenIds ?? [],
    alerted,
    ...(saved?.lastEventAt ? { lastEventAt: saved.lastEventAt } : {}),
    ...(saved?.silenceAlerted ? { silenceAlerted: true } : {}),
  });

  // Every rule sees the whole window (correlations need context); only matches with a fresh event count.
  const freshIds = new Set(fresh.map((e) => e.id));
  const byRule = new Map<CompiledRule, DetectionMatch[]>();
  const minRank = LEVELS.indexOf(deps.settings.minLevel ?? "low");
  const result = detect(deps.rules, events);
  for (const problem of result.problems) {
    // Ids and rule ids only: the event's fields are attacker-writable and stay out of logs.
    deps.logger.warn("Event not evaluated by every rule", {
      code: problem.code,
      eventId: problem.eventId,
      ruleIds: problem.ruleIds,
    });
  }
  const unevaluatedKey = (problem: DetectionProblem) => `unevaluated|${events[problem.index]?.id ?? ""}`;
  const unevaluated = result.problems.filter(
    (problem) => freshIds.has(events[problem.index]?.id ?? "") && !alerted[unevaluatedKey(problem)],
  );
  for (const match of result.matches) {
    if (LEVELS.indexOf(match.rule.level) < minRank) continue;
    if (!match.events.some((e) => freshIds.has(e.id))) continue;
    const matchKey = keyOf(match);
    if (alerted[matchKey]) continue;
    byRule.set(match.rule, [...(byRule.get(match.rule) ?? []), match]);
  }
  let published = 0;
  if (unevaluated.length > 0) {
    // Recorded like a match, so a retried run does not repeat it.
    await deps.notifier.publish(unevaluatedAlert(orgId, unevaluated));
    published += 1;
    for (const problem of unevaluated) {
      const at = events[problem.index]?.timestamp as unknown;
      alerted[unevaluatedKey(problem)] =
        typeof at === "string" && Number.isFinite(Date.parse(at)) ? at : now.toISOString();
    }
    await deps.state.putJson(key, checkpoint());
  }
  for (const [rule, matches] of byRule) {
    await deps.notifier.publish(detectionAlert(rule, matches, orgId));
    published += 1;
    // Without a readable event time, the run's time keeps the key until it is pruned.
    for (const match of matches) alerted[keyOf(match)] = newest(match.events) || now.toISOString();
    await deps.state.putJson(key, checkpoint());
  }

  const lastEventAt = newest(events) || saved?.lastEventAt;
  const silenceHours = deps.settings.silenceHours ?? 24;
  const silentSince = lastEventAt ?? saved?.until ?? from.toISOString();
  let silenceAlerted = saved?.silenceAlerted ?? false;
  if (fresh.length > 0) silenceAlerted = false;
  else if (!silenceAlerted && now.getTime() - Date.parse(silentSince) >= silenceHours * 3_600_000) {
    await deps.notifier.publish(silenceAlert(orgId, silenceHours, lastEventAt));
    published += 1;
    silenceAlerted = true;
  }

  // Advance only now that every message went out: events inside the overlap are remembered by id.
  const overlapStart = now.getTime() - overlap;
  const prunedBefore = now.getTime() - 86_400_000 - overlap;
  await deps.state.putJson(key, {
    until: now.toISOString(),
    // Only string ids can be recognized on the next run (anything else is not an id JumpCloud writes).
    seenIds: events
      .filter((e) => typeof e.id === "string" && Date.parse(e.timestamp) >= overlapStart)
      .map((e) => e.id),
    alerted: Object.fromEntries(Object.entries(alerted).filter(([, at]) => Date.parse(at) >= prunedBefore)),
    ...(lastEventAt ? { lastEventAt } : {}),
    ...(silenceAlerted ? { silenceAlerted: true } : {}),
  } satisfies DetectionCheckpoint);
  const outcome = {
    orgId,
    from: from.toISOString(),
    to: now.toISOString(),
    events: events.length,
    fresh: fresh.length,
    matches: [...byRule.values()].flat().length,
    unevaluated: unevaluated.length,
    published,
  };
  deps.logger.info("Detection run finished", { ...outcome });
  return outcome;
}

/** A per-event match is keyed by its event; a correlation by its group and first event. */
function keyOf(match: DetectionMatch): string {
  const group = match.group
    ? Object.entries(match.group)
        .map(([k, v]) => `${k}=${v}`)
        .join("&")
    : "";
  return `${match.rule.id}|${group}|${match.events[0]?.id ?? ""}`;
}

function newest(events: readonly InsightsEvent[]): string {
  // ISO timestamps sort as text; a missing or unparsable timestamp is no evidence of time.
  return (
    events
      .map((e) => e.timestamp as unknown)
      .filter((t): t is string => typeof t === "string" && Number.isFinite(Date.parse(t)))
      .sort()
      .at(-1) ?? ""
  );
}

const LISTED = 20;

/** The alert for fresh events the rules could not evaluate: their ids, the cause and the rules, nothing else. */
export function unevaluatedAlert(orgId: string, problems: readonly DetectionProblem[]): AlertMessage {
  // Event ids and rule titles come from Directory Insights and rule files: one clean line each.
  const lines = problems.slice(0, LISTED).map((problem) => `  - ${clean(problem.message, 512)}`);
  if (problems.length > LISTED) lines.push(`  … and ${problems.length - LISTED} more`);
  const body = [
    `${problems.length} Directory Insights event(s) in organization ${orgId} were not evaluated by every detection rule.`,
    "An event nested too deep is refused; a rule that runs out of its matching budget on an event has not evaluated it. Such an event may hide an attack: look it up by id in Directory Insights.",
    "",
    ...lines,
  ].join("\n");
  return {
    subject: fitSubject(`[JumpCloud detection] ${problems.length} event(s) not evaluated`),
    email: body,
    chatbot: chatbotNotification({
      title: ":warning: JumpCloud detection: events not evaluated",
      description: body,
      nextSteps: ["Look the events up by id in Reports → Directory Insights"],
      keywords: ["5.2", "not-evaluated"],
      threadId: `jumpcloud-${orgId}-detection-unevaluated`,
      summary: `${problems.length} event(s) not evaluated`,
      eventType: "jumpcloud-detection-unevaluated",
      relatedResources: problems.slice(0, LISTED).map((problem) => problem.eventId),
      context: { orgId },
    }),
    attributes: { controlId: "5.2", severity: "high", level: "L1", kind: "detection", orgId },
  };
}
