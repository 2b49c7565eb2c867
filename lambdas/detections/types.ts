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

/** A compiled rule: per-event rules match one event; correlation rules count matches of another rule. */
export type CompiledRule =
  | (RuleMeta & { kind: "event"; matches(event: InsightsEvent): boolean })
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
