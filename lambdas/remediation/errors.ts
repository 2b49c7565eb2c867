/** Errors of remediation, with stable codes; each means nothing was changed unless it says otherwise. */

/** Stable codes of remediation errors. */
export type RemediationErrorCode =
  | "INVALID_REQUEST"
  | "PLAN_NOT_FOUND"
  | "PLAN_EXPIRED"
  | "PLAN_NOT_APPLIED"
  | "PLAN_ROLLED_BACK"
  | "STATE_CHANGED"
  | "LOCKED"
  | "NO_TRUSTED_RANGES"
  | "WRITE_FAILED";

/** A refused or failed remediation. */
export class RemediationError extends Error {
  override readonly name = "RemediationError";
  constructor(
    readonly code: RemediationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
