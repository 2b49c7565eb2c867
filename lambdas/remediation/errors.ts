/** Errors of remediation, with stable codes; each means nothing was changed unless it says otherwise. */

/** Stable codes of remediation errors. */
export type RemediationErrorCode =
  | "INVALID_REQUEST"
  | "PLAN_NOT_FOUND"
  | "PLAN_EXPIRED"
  | "PLAN_NOT_APPLIED"
  | "PLAN_ROLLED_BACK"
  /** The stored record's seal, shape or ids do not hold: it was modified, or is not a record at all. */
  | "PLAN_TAMPERED"
  /** A sealed stored action differs from what an audit plans now in more than its "before". */
  | "PLAN_MISMATCH"
  /** The stored record is older than an operation already started on the plan (a restored copy). */
  | "PLAN_REPLAYED"
  /** An earlier apply or rollback of the plan stopped part-way: roll it back. */
  | "PLAN_INCOMPLETE"
  /** The local seal key file is missing, malformed or readable by others. */
  | "SEAL_KEY_INVALID"
  | "STATE_CHANGED"
  /** A control's current state could not be read at apply, so the plan cannot be checked against it. */
  | "STATE_UNREADABLE"
  | "LOCKED"
  | "NO_TRUSTED_RANGES"
  | "WRITE_FAILED"
  /** A write's outcome stayed unknown after re-reading for as long as a write can take. */
  | "WRITE_UNCONFIRMED"
  /** Writes were made but the record of them could not be stored (they were announced instead). */
  | "RECORD_NOT_STORED";

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
