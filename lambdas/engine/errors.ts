/** Errors of the audit engine, with stable codes. */

/** Stable codes of engine errors. */
export type EngineErrorCode =
  | "UNKNOWN_CONTROL"
  | "INVALID_THRESHOLD"
  | "INVALID_EXCEPTIONS"
  | "ORG_UNRESOLVED"
  | "INVALID_OPTIONS";

/** A configuration or input problem that stops a run before anything is collected. */
export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}
