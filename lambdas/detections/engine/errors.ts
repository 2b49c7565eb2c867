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
