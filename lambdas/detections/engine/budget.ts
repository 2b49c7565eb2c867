/**
 * What one event may cost the engine, so that no rule set and no event can stall detection.
 *
 * - Depth: an event nested deeper than {@link LIMITS.maxDepth} objects/arrays is refused before any rule
 *   reads it (`EventTooDeepError`), never a `RangeError` from a recursive walk.
 * - Work: every string a matcher examines is charged to a meter, in work units: its length times the
 *   matcher's worst-case cost per character (1 for a plain or `*`-only wildcard value, more for `?`
 *   segments, the RE2 program size for `re`); every visited node and per-change view costs 1. Each rule
 *   has {@link LIMITS.ruleBudget} units per event, and the event {@link LIMITS.eventBudget} for all its
 *   rules. A rule that runs out has not evaluated that event (`BudgetExceededError`); `detect` reports it
 *   as a problem naming the event and the rules, never as a silent "no match".
 * The units are deterministic (not time), so the same batch always gives the same answer.
 */
import type { EventBudget } from "../types.js";
import { BudgetExceededError, EventTooDeepError } from "./errors.js";

/** The engine's limits (see the module comment); `detect` accepts overrides. */
export interface EvaluationLimits {
  /** Deepest nesting of objects and arrays in an event (the event itself is level 1). */
  maxDepth: number;
  /** Work units one rule may spend on one event. */
  ruleBudget: number;
  /** Work units all rules together may spend on one event. */
  eventBudget: number;
}

/**
 * Defaults. Real Directory Insights events nest 4–5 levels. The worst case measured for one unit is
 * ~20 ns (RE2 falling back from its DFA on a large program), so a rule's budget bounds it to ~40 ms
 * and an event to ~0.4 s; ordinary events use a tiny fraction (`npm run bench:rules`). A 100,000-
 * character user agent against `^(a+)+$` (program size 9) costs 900,000 units: evaluated.
 */
export const LIMITS: Readonly<EvaluationLimits> = Object.freeze({
  maxDepth: 64,
  ruleBudget: 2_000_000,
  eventBudget: 20_000_000,
});

/** The meter of one event: `startRule` before each rule, `charge` for each piece of work. */
export class EventMeter implements EventBudget {
  private eventLeft: number;
  private ruleLeft: number;

  constructor(private readonly limits: Readonly<EvaluationLimits> = LIMITS) {
    this.eventLeft = limits.eventBudget;
    this.ruleLeft = limits.ruleBudget;
  }

  /** Gives the next rule its own share; the event's remaining budget still applies. */
  startRule(): void {
    this.ruleLeft = this.limits.ruleBudget;
  }

  /** Spends `units`; throws `BudgetExceededError` when the rule's or the event's budget runs out. */
  charge(units: number): void {
    this.ruleLeft -= units;
    this.eventLeft -= units;
    if (this.eventLeft < 0) throw new BudgetExceededError("event", this.limits.eventBudget);
    if (this.ruleLeft < 0) throw new BudgetExceededError("rule", this.limits.ruleBudget);
  }

  /** Whether the event's whole budget is spent (later rules cannot evaluate it). */
  get exhausted(): boolean {
    return this.eventLeft < 0;
  }
}

/** A meter for a caller that passed none: one rule on one event. */
export function freshMeter(): EventMeter {
  return new EventMeter(LIMITS);
}

const ID_SHOWN = 64;

/**
 * The event's id as text safe for logs, terminals and chat: the characters of real ids (letters, digits,
 * `.`, `_`, `:`, `-`) kept, anything else shown as `?`, at most 64 characters. `(no id)` when absent.
 */
export function printableEventId(event: unknown): string {
  const id =
    typeof event === "object" && event !== null && !Array.isArray(event)
      ? (event as Record<string, unknown>).id
      : undefined;
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  if (typeof id !== "string" || id === "") return "(no id)";
  const head = id.slice(0, ID_SHOWN).replace(/[^A-Za-z0-9._:-]/g, "?");
  return id.length > ID_SHOWN ? `${head}…` : head;
}

/**
 * Whether `value` nests at most `maxDepth` objects/arrays (a scalar is depth 0, `{}` depth 1).
 * Iterative, so a value nested 20,000 levels deep is measured without exhausting the stack.
 */
export function withinDepth(value: unknown, maxDepth: number): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (typeof node !== "object" || node === null) continue;
    if (depth > maxDepth) return false;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === "object" && child !== null) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return true;
}

/** Throws `EventTooDeepError` (naming the event) when `event` nests deeper than the limit. */
export function assertEventDepth(event: unknown, maxDepth: number = LIMITS.maxDepth): void {
  if (!withinDepth(event, maxDepth)) throw new EventTooDeepError(printableEventId(event), maxDepth);
}
