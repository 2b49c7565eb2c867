/** Errors of the collect layer: data JumpCloud returned that cannot be judged as a whole. */

/** Stable codes of collect errors. */
export type CollectErrorCode = "INCONSISTENT_EVENTS" | "PLAN_INCONSISTENT";

/** Data that was read but does not add up, so no control may judge it. */
export class CollectError extends Error {
  override readonly name = "CollectError";

  constructor(
    readonly code: CollectErrorCode,
    message: string,
  ) {
    super(message);
  }
}
