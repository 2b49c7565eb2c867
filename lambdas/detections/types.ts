/**
 * The detection engine's contract: Sigma rules compiled for Directory Insights events.
 * `engine/` (parser, matcher, correlations) implements it; `service.ts` runs it on a schedule.
 */
import type { InsightsEvent } from "../jumpcloud/types.js";

/** Sigma rule levels. */
export type SigmaLevel = "informational" | "low" | "medium" | "high" | "critical";

/** The metadata of a loaded Sigma rule (detection or correlation). */
export interface RuleMeta {
  id: string;
  title: string;
  status: string;
  description: string;
  level: SigmaLevel;
  tags: string[];
  fields: string[];
  falsepositives: string[];
  references: string[];
  /** File the rule came from. */
  source: string;
}

/** The work meter of one event's evaluation (see `engine/budget.ts`): throws when the budget runs out. */
export interface EventBudget {
  charge(units: number): void;
}

/**
 * A compiled rule: per-event rules match one event; correlation rules count matches of another rule.
 * `matches` throws `EventTooDeepError` or `BudgetExceededError` (engine/errors.ts) when it cannot
 * evaluate the event; without a `budget`, it gets a fresh one.
 */
export type CompiledRule =
  | (RuleMeta & { kind: "event"; matches(event: InsightsEvent, budget?: EventBudget): boolean })
  | (RuleMeta & {
      kind: "correlation";
      /** `event_count`: at least `threshold` matches of `baseRuleIds` with the same `groupBy` values within `timespanMs`. */
      baseRuleIds: string[];
      groupBy: string[];
      timespanMs: number;
      threshold: number;
    });

/** What a rule found in a batch of events. */
export interface DetectionMatch {
  rule: CompiledRule;
  /** The events that matched (for a correlation, those of each group that crossed the threshold). */
  events: InsightsEvent[];
  /** For correlations: the group values, e.g. `{ client_ip: "192.0.2.66" }`. */
  group?: Record<string, string>;
}

/** An event that some rules could not evaluate: reported, never counted as "no match". */
export interface DetectionProblem {
  /** `EVENT_TOO_DEEP`: refused before matching; `EVENT_BUDGET_EXCEEDED`: rules ran out of budget on it. */
  code: "EVENT_TOO_DEEP" | "EVENT_BUDGET_EXCEEDED";
  /** The event's id, printable (letters, digits, `._:-`; anything else as `?`; at most 64 characters). */
  eventId: string;
  /** The event's position in the batch given to `detect`. */
  index: number;
  /** The event rules that did not evaluate this event. */
  ruleIds: string[];
  /** One line naming the event, the cause and the rules (titles come from the rule files). */
  message: string;
}

/** What `detect` found in a batch, and which events it could not fully evaluate. */
export interface DetectionResult {
  matches: DetectionMatch[];
  problems: DetectionProblem[];
}
