/**
 * Running compiled rules over a batch of Directory Insights events.
 *
 * 1. Event rules: every event is tested against every event rule; matches come out in event order (and,
 *    for one event, in rule order), one `DetectionMatch` per (rule, event).
 *    Rules over `changes[]` judge one change at a time: a rule any of whose selections names `changes`
 *    or a `changes.*` path is evaluated once per element of the event's `changes` list, each time on a
 *    view of the event whose `changes` is that single element (every other field unchanged), and matches
 *    the event when any view matches. So `changes.field: enableMultiFactor` and `changes.to: false` must
 *    hold for the SAME change, and `selection and not filter` means "some change is selected and not
 *    filtered", never "some change is selected and no change is filtered". Without a non-empty `changes`
 *    list the event is evaluated once as it is. A SIEM gets the same semantics by splitting `changes`
 *    into one record per change before matching, or with a nested/array-element query (README).
 *    Events that are not objects, and event types no rule names, match nothing; odd field types never throw.
 *    Sigma v2 `generate`: a detection rule referenced by at least one correlation, none of which has
 *    `generate: true`, does not emit its own matches (it still feeds the correlations). A rule no
 *    correlation references always emits.
 * 2. Correlations (`event_count`), in rule order: the events matched by any base rule (each event counted
 *    once) are grouped by the values of the `group-by` fields (dotted paths; several values are joined
 *    with ","). An event lacking a `group-by` field (absent, null, empty string or an empty list) is left
 *    out of that correlation: pooling every address-less event under one "" group would invent a single
 *    source for unrelated failures. Within a group, events are sorted by timestamp
 *    (stable, so equal timestamps keep input order) and a window is anchored at each event: it holds that
 *    event and the following ones at most `timespanMs` later (inclusive). A window "satisfies" when its
 *    count satisfies the condition (`gte`/`gt`/`eq`/`lte`/`lt` threshold). Each group with at least one
 *    satisfying window yields ONE match per `detect` call, listing (in time order) every event that
 *    belongs to any satisfying window. Groups come out in the order their first event appears in the
 *    time-sorted events. Events whose timestamp does not parse are left out of correlations.
 *    Note that with `lt`/`lte` the window anchored at a group's last event holds few events, so such
 *    conditions fire for any group with sparse activity in the batch.
 * 3. Problems (see `budget.ts`): an event nested deeper than the limit is refused before any rule reads
 *    it; a rule that spends its work budget on an event has not evaluated it (nor have the rules after
 *    it once the event's whole budget is spent). Each such event is one `DetectionProblem` naming it and
 *    the rules, and the rest of the batch is evaluated as usual. Such an event is not a "no match": the
 *    callers report it (the detection function logs and alerts it, `jc-audit detect` prints it, exit 3).
 */
import type { InsightsEvent } from "../../jumpcloud/types.js";
import type { CompiledRule, DetectionMatch, DetectionProblem, DetectionResult } from "../types.js";
import { EventMeter, LIMITS, printableEventId, withinDepth } from "./budget.js";
import { BudgetExceededError, EventTooDeepError, RuleError } from "./errors.js";
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

/** The group value of one field, or undefined when the event does not carry it. */
function groupValue(event: InsightsEvent, field: string): string | undefined {
  const values = resolvePath(event, field)
    .filter((value) => value !== null && value !== undefined)
    .map((value) => (typeof value === "object" ? JSON.stringify(value) : String(value)))
    .filter((value) => value.trim() !== "");
  return values.length > 0 ? values.join(",") : undefined;
}

/** Every `group-by` value of an event, or undefined when one is missing (the event is left out). */
function groupValues(event: InsightsEvent, fields: readonly string[]): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = groupValue(event, field);
    if (value === undefined) return undefined;
    values[field] = value;
  }
  return values;
}

function correlate(
  rule: CorrelationRule & CorrelationExtras,
  matched: readonly InsightsEvent[],
): DetectionMatch[] {
  const operator = rule.operator ?? "gte";
  const timed = matched
    .map((event, order) => ({
      event,
      order,
      // A timestamp that is not a string cannot be placed in time (left out below).
      time: typeof event.timestamp === "string" ? Date.parse(event.timestamp) : Number.NaN,
    }))
    .filter((entry) => Number.isFinite(entry.time))
    .sort((a, b) => a.time - b.time || a.order - b.order);

  const groups = new Map<string, { values: Record<string, string>; entries: typeof timed }>();
  for (const entry of timed) {
    const values = groupValues(entry.event, rule.groupBy);
    if (!values) continue;
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

/** Budgets for one `detect` call (defaults: `LIMITS`); tests and the bench lower them. */
export interface DetectOptions {
  ruleBudget?: number;
  eventBudget?: number;
}

const NAMED = 5;

/** `rule "A" (id), rule "B" (id) and 3 more`. */
function nameRules(rules: readonly EventRule[]): string {
  const named = rules.slice(0, NAMED).map((rule) => `rule "${rule.title}" (${rule.id})`);
  const more = rules.length > NAMED ? ` and ${rules.length - NAMED} more` : "";
  return `${named.join(", ")}${more}`;
}

function tooDeep(event: InsightsEvent, index: number, rules: readonly EventRule[]): DetectionProblem {
  const eventId = printableEventId(event);
  return {
    code: "EVENT_TOO_DEEP",
    eventId,
    index,
    ruleIds: rules.map((rule) => rule.id),
    message: `event ${eventId}: nested deeper than ${LIMITS.maxDepth} levels of objects and arrays: refused, not evaluated by any rule (${rules.length})`,
  };
}

/** Evaluates event rules on every event, then correlations on the event rules' matches; reports what it could not evaluate. */
export function detect(
  rules: CompiledRule[],
  events: InsightsEvent[],
  options: DetectOptions = {},
): DetectionResult {
  const limits = {
    maxDepth: LIMITS.maxDepth,
    ruleBudget: options.ruleBudget ?? LIMITS.ruleBudget,
    eventBudget: options.eventBudget ?? LIMITS.eventBudget,
  };
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
  const problems: DetectionProblem[] = [];
  for (const [position, event] of events.entries()) {
    // Not an event object (a malformed API entry): no rule can be about it.
    if (typeof event !== "object" || event === null || Array.isArray(event)) continue;
    if (eventRules.length === 0) continue;
    if (!withinDepth(event, limits.maxDepth)) {
      problems.push(tooDeep(event, position, eventRules));
      continue;
    }
    const meter = new EventMeter(limits);
    const skipped: EventRule[] = [];
    for (const [index, rule] of eventRules.entries()) {
      if (meter.exhausted) {
        skipped.push(rule);
        continue;
      }
      meter.startRule();
      let matched: boolean;
      try {
        matched = rule.matches(event, meter);
      } catch (error) {
        if (error instanceof BudgetExceededError) {
          skipped.push(rule);
          continue;
        }
        // Depth is checked above; a rule built by hand may still walk deeper: the same refusal.
        if (error instanceof EventTooDeepError) {
          skipped.push(...eventRules.slice(index));
          break;
        }
        throw error;
      }
      if (!matched) continue;
      matchedBy.get(rule)?.push(event);
      if (!referenced.has(rule) || generated.has(rule)) matches.push({ rule, events: [event] });
    }
    if (skipped.length > 0) {
      const eventId = printableEventId(event);
      problems.push({
        code: "EVENT_BUDGET_EXCEEDED",
        eventId,
        index: position,
        ruleIds: skipped.map((rule) => rule.id),
        message: `event ${eventId}: matching budget exhausted (${limits.ruleBudget.toLocaleString("en-US")} work units per rule, ${limits.eventBudget.toLocaleString("en-US")} per event; a field too long for the patterns that read it): not evaluated by ${nameRules(skipped)}`,
      });
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
  return { matches, problems };
}
