/** Stable codes for every way a JumpCloud API call can fail. */
export type JumpCloudErrorCode =
  | "CONFIG_INVALID"
  | "AUTH_REJECTED"
  | "FORBIDDEN"
  | "NOT_ON_PLAN"
  | "NOT_FOUND"
  | "BAD_REQUEST"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "SERVER_ERROR"
  | "MALFORMED_RESPONSE"
  | "INCOMPLETE_COLLECTION"
  | "NETWORK_ERROR"
  | "TIMEOUT"
  | "WRITE_OUTCOME_UNKNOWN"
  | "UNEXPECTED_STATUS"
  | "REDIRECT_REFUSED";

/** Where a failed call went; never includes headers, so never the API key. */
export interface RequestContext {
  readonly method: string;
  readonly path: string;
  readonly status?: number;
}

/** A failed JumpCloud API call, with a stable `code`, the method, the path and the HTTP status. */
export class JumpCloudError extends Error {
  override readonly name = "JumpCloudError";
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  /** The message without the request context, for callers that restate the error. */
  readonly reason: string;

  constructor(
    readonly code: JumpCloudErrorCode,
    message: string,
    context: RequestContext,
  ) {
    super(`${message} (${context.method} ${context.path}${context.status ? ` → ${context.status}` : ""})`);
    this.method = context.method;
    this.path = context.path;
    this.status = context.status;
    this.reason = message;
  }

  /** A plain object for structured logs and findings. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      method: this.method,
      path: this.path,
      status: this.status,
    };
  }
}

/** Invalid client configuration (empty key, malformed org id, bad URL); raised before any request. */
export class JumpCloudConfigError extends Error {
  override readonly name = "JumpCloudConfigError";
  readonly code = "CONFIG_INVALID" as const;
}

const STATUS_ERRORS: Record<number, [JumpCloudErrorCode, string]> = {
  400: ["BAD_REQUEST", "JumpCloud rejected the request as malformed"],
  401: ["AUTH_REJECTED", "API key rejected; rotate the secret"],
  402: ["NOT_ON_PLAN", "Feature not available on this JumpCloud plan"],
  403: [
    "FORBIDDEN",
    "Forbidden: the admin's role lacks access, the feature is not on this plan, or the source IP is blocked",
  ],
  404: ["NOT_FOUND", "Not found"],
  409: ["CONFLICT", "Conflict with the current state"],
  429: ["RATE_LIMITED", "Rate limited by JumpCloud after retries"],
};

/** Maps a final (post-retry) HTTP error status to a typed error; `detail` is the server's message, if any. */
export function errorForStatus(
  context: RequestContext & { status: number },
  detail?: string,
): JumpCloudError {
  const [code, message] =
    STATUS_ERRORS[context.status] ??
    (context.status >= 500
      ? (["SERVER_ERROR", "JumpCloud server error after retries"] as const)
      : (["UNEXPECTED_STATUS", "Unexpected HTTP status"] as const));
  return new JumpCloudError(code, detail ? `${message}: ${detail}` : message, context);
}
