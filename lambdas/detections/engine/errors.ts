/** A rule file that cannot be loaded: bad YAML, a missing field, or a Sigma feature this engine does not support. */
export class RuleError extends Error {
  readonly code = "INVALID_RULE" as const;

  constructor(
    message: string,
    /** The file the rule came from. */
    readonly source: string,
    /** The rule's id, when it was known. */
    readonly ruleId?: string,
  ) {
    super(message);
    this.name = "RuleError";
  }
}

/** An event nested deeper than the engine evaluates: refused before any rule reads it. */
export class EventTooDeepError extends Error {
  readonly code = "EVENT_TOO_DEEP" as const;

  constructor(
    /** The event's id, printable (see `printableEventId`). */
    readonly eventId: string,
    /** The deepest nesting allowed. */
    readonly maxDepth: number,
  ) {
    super(`event ${eventId}: nested deeper than ${maxDepth} levels of objects and arrays`);
    this.name = "EventTooDeepError";
  }
}

/** A rule used up its matching budget on one event (or the event used up its own): that rule did not evaluate it. */
export class BudgetExceededError extends Error {
  readonly code = "EVENT_BUDGET_EXCEEDED" as const;

  constructor(
    /** Which budget ran out: the rule's share for this event, or the whole event's. */
    readonly scope: "rule" | "event",
    /** The budget, in work units (characters examined, weighted by pattern cost). */
    readonly limit: number,
  ) {
    super(`matching budget of the ${scope} exhausted (${limit.toLocaleString("en-US")} work units)`);
    this.name = "BudgetExceededError";
  }
}
