/**
 * Running compiled rules over a batch of Directory Insights events.
 *
 * 1. Event rules: every event is tested against every event rule; matches come out in event order (and,
 *    for one event, in rule order), one `DetectionMatch` per (rule, event).
 *    Sigma v2 `generate`: a detection rule referenced by at least one correlation, none of which has
 *    `generate: true`, does not emit its own matches (it still feeds the correlations). A rule no
 *    correlation references always emits.
 * 2. Correlations (`event_count`), in rule order: the events matched by any base rule (each event counted
 *    once) are grouped by the values of the `group-by` fields (dotted paths; a missing field groups
 *    under "", several values are joined with ","). Within a group, events are sorted by timestamp
 *    (stable, so equal timestamps keep input order) and a window is anchored at each event: it holds that
 *    event and the following ones at most `timespanMs` later (inclusive). A window "satisfies" when its
 *    count satisfies the condition (`gte`/`gt`/`eq`/`lte`/`lt` threshold). Each group with at least one
 *    satisfying window yields ONE match per `detect` call, listing (in time order) every event that
 *    belongs to any satisfying window. Groups come out in the order their first event appears in the
 *    time-sorted events. Events whose timestamp does not parse are left out of correlations.
 *    Note that with `lt`/`lte` the window anchored at a group's last event holds few events, so such
 *    conditions fire for any group with sparse activity in the batch.
 */
import type { InsightsEvent } from "../../jumpcloud/types.js";
import type { CompiledRule, DetectionMatch } from "../types.js";
import { RuleError } from "./errors.js";
import { resolvePath } from "./matcher.js";
import type {
  CorrelationExtras,
  CorrelationOperator,
  CorrelationRule,
  EventRule,
  EventRuleExtras,
} from "./rules.js";

function satisfies(operator: CorrelationOperator, count: number, threshold: number): boolean {
  switch (operator) {
    case "gte":
      return count >= threshold;
    case "gt":
      return count > threshold;
    case "eq":
      return count === threshold;
    case "lte":
      return count <= threshold;
    case "lt":
      return count < threshold;
  }
}

function groupValue(event: InsightsEvent, field: string): string {
  const values = resolvePath(event, field).filter((value) => value !== null && value !== undefined);
  return values.map((value) => (typeof value === "object" ? JSON.stringify(value) : String(value))).join(",");
}

function correlate(
  rule: CorrelationRule & CorrelationExtras,
  matched: readonly InsightsEvent[],
): DetectionMatch[] {
  const operator = rule.operator ?? "gte";
  const timed = matched
    .map((event, order) => ({ event, order, time: Date.parse(event.timestamp) }))
    .filter((entry) => Number.isFinite(entry.time))
    .sort((a, b) => a.time - b.time || a.order - b.order);

  const groups = new Map<string, { values: Record<string, string>; entries: typeof timed }>();
  for (const entry of timed) {
    const values: Record<string, string> = {};
    for (const field of rule.groupBy) values[field] = groupValue(entry.event, field);
    const key = JSON.stringify(rule.groupBy.map((field) => values[field]));
    let group = groups.get(key);
    if (!group) {
      group = { values, entries: [] };
      groups.set(key, group);
    }
    group.entries.push(entry);
  }

  const matches: DetectionMatch[] = [];
  for (const { values, entries } of groups.values()) {
    const selected = new Set<number>();
    let end = 0;
    for (let start = 0; start < entries.length; start++) {
      const startTime = entries[start]?.time ?? 0;
      if (end < start) end = start;
      while (
        end + 1 < entries.length &&
        (entries[end + 1]?.time ?? Number.POSITIVE_INFINITY) - startTime <= rule.timespanMs
      ) {
        end++;
      }
      if (satisfies(operator, end - start + 1, rule.threshold)) {
        for (let i = start; i <= end; i++) selected.add(i);
      }
    }
    if (selected.size > 0) {
      const events = [...selected]
        .sort((a, b) => a - b)
        .flatMap((i) => (entries[i] ? [entries[i].event] : []));
      matches.push({ rule, events, group: values });
    }
  }
  return matches;
}

/** Evaluates event rules on every event, then correlations on the event rules' matches. */
export function detect(rules: CompiledRule[], events: InsightsEvent[]): DetectionMatch[] {
  const eventRules = rules.filter((rule): rule is EventRule => rule.kind === "event");
  const correlations = rules.filter(
    (rule): rule is CorrelationRule & CorrelationExtras => rule.kind === "correlation",
  );

  const byRef = new Map<string, EventRule>();
  for (const rule of eventRules) byRef.set(rule.id, rule);
  for (const rule of eventRules) {
    const name = (rule as EventRuleExtras).name;
    if (name && !byRef.has(name)) byRef.set(name, rule);
  }

  const referenced = new Set<EventRule>();
  const generated = new Set<EventRule>();
  const bases = new Map<CorrelationRule, EventRule[]>();
  for (const correlation of correlations) {
    const targets = correlation.baseRuleIds.map((ref) => {
      const target = byRef.get(ref);
      if (!target) {
        throw new RuleError(
          `${correlation.source}: rule "${correlation.title}" (${correlation.id}): correlation references unknown rule '${ref}'`,
          correlation.source,
          correlation.id,
        );
      }
      referenced.add(target);
      if (correlation.generate === true) generated.add(target);
      return target;
    });
    bases.set(correlation, targets);
  }

  const matchedBy = new Map<EventRule, InsightsEvent[]>(eventRules.map((rule) => [rule, []]));
  const matches: DetectionMatch[] = [];
  for (const event of events) {
    for (const rule of eventRules) {
      if (!rule.matches(event)) continue;
      matchedBy.get(rule)?.push(event);
      if (!referenced.has(rule) || generated.has(rule)) matches.push({ rule, events: [event] });
    }
  }

  for (const correlation of correlations) {
    const seen = new Set<InsightsEvent>();
    for (const base of bases.get(correlation) ?? []) {
      for (const event of matchedBy.get(base) ?? []) seen.add(event);
    }
    // Back to input order, so ties in time keep the order the events arrived in.
    const matched = events.filter((event) => seen.has(event));
    matches.push(...correlate(correlation, matched));
  }
  return matches;
}
