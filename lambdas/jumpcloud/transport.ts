import got, { type Got, HTTPError, type Method, RequestError, type RetryObject } from "got";
import pLimit, { type LimitFunction } from "p-limit";
import pkg from "../../package.json" with { type: "json" };
import { type Logger, silentLogger } from "../shared/logger.js";
import { errorForStatus, JumpCloudError, type RequestContext } from "./errors.js";

/** Retry and pacing settings; defaults suit a daily audit against the public API. */
export interface RetryPolicy {
  /** Attempts per request, including the first. @default 5 */
  readonly maxAttempts: number;
  /** First backoff step; doubles per attempt, with jitter. @default 500 */
  readonly baseDelayMs: number;
  /** Longest computed backoff. @default 20000 */
  readonly maxDelayMs: number;
  /** Longest wait honoured from a `Retry-After` header. @default 60000 */
  readonly retryAfterCapMs: number;
}

/** Default retry policy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  retryAfterCapMs: 60_000,
};

/** Options of the HTTP transport shared by every API family. */
export interface TransportOptions {
  readonly apiKey: string;
  readonly orgId?: string;
  readonly timeoutMs: number;
  readonly maxConcurrency: number;
  readonly retry: RetryPolicy;
  readonly logger?: Logger;
}

/** One HTTP call. `idempotent` marks reads sent as POST (Directory Insights queries) as safe to retry. */
export interface TransportRequest {
  readonly method: Method;
  readonly url: string;
  /** Path shown in logs and errors, without host or query. */
  readonly path: string;
  readonly searchParams?: URLSearchParams;
  readonly json?: unknown;
  readonly idempotent?: boolean;
}

/** A parsed JSON response with its headers. */
export interface TransportResponse<T = unknown> {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: T;
}

/** Counters of what the transport sent, for metrics and benchmarks. */
export interface TransportStats {
  /** HTTP attempts sent, retries included. */
  requests: number;
  /** Attempts that were retries. */
  retries: number;
  /** Response body bytes received from successful attempts. */
  bytesReceived: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const NETWORK_CODES = [
  "ETIMEDOUT",
  "ECONNRESET",
  "EADDRINUSE",
  "ECONNREFUSED",
  "EPIPE",
  "ENOTFOUND",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ERR_STREAM_PREMATURE_CLOSE",
];
// A write that failed with one of these never reached the server, so its outcome is known.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH"]);
// Routes on which the official module strips x-org-id (SUP Invoke-JCApi.ps1, notes §0).
const ORG_INDEPENDENT = [
  /^\/api\/organizations(\/|$)/,
  /^\/api\/v2\/providers\//,
  /^\/api\/v2\/organizations\//,
];

const USER_AGENT = `${pkg.name}/${pkg.version} (node ${process.versions.node})`;

/** Sends JSON requests with retries, a shared in-flight limit and typed errors that never carry the key. */
export class Transport {
  readonly stats: TransportStats = { requests: 0, retries: 0, bytesReceived: 0 };
  private readonly got: Got;
  private readonly limit: LimitFunction;
  private readonly logger: Logger;

  constructor(private readonly options: TransportOptions) {
    this.logger = options.logger ?? silentLogger;
    this.limit = pLimit(options.maxConcurrency);
    this.got = got.extend({
      headers: { "x-api-key": options.apiKey, accept: "application/json", "user-agent": USER_AGENT },
      responseType: "text",
      timeout: { request: options.timeoutMs },
      // Never follow a redirect, not even to the same origin: no route in JumpCloud's OpenAPI specs
      // declares a 3xx and none was seen on real tenants (its best-practice page lists 302/303/304
      // generically, naming no route; notes "Rate limiting"). Following one would hand x-api-key
      // (and a write's body) to whoever answered; a clear error is the safe failure if one appears.
      followRedirect: false,
      throwHttpErrors: true,
      retry: {
        limit: options.retry.maxAttempts - 1,
        methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
        statusCodes: [...RETRYABLE_STATUS],
        errorCodes: NETWORK_CODES,
        maxRetryAfter: Number.POSITIVE_INFINITY,
        calculateDelay: (retry) => this.retryDelay(retry),
      },
      hooks: {
        beforeRequest: [
          () => {
            this.stats.requests += 1;
          },
        ],
        beforeRetry: [
          () => {
            this.stats.retries += 1;
          },
        ],
      },
    });
  }

  /** Sends one request (retried per the policy) and parses its JSON body; 204/empty bodies give `undefined`. */
  send<T>(request: TransportRequest): Promise<TransportResponse<T>> {
    return this.limit(() => this.sendNow<T>(request));
  }

  private async sendNow<T>(request: TransportRequest): Promise<TransportResponse<T>> {
    const context: RequestContext = { method: request.method, path: request.path };
    const headers: Record<string, string> = {};
    if (this.options.orgId && !ORG_INDEPENDENT.some((route) => route.test(request.path))) {
      headers["x-org-id"] = this.options.orgId;
    }
    const started = Date.now();
    try {
      const response = await this.got(request.url, {
        method: request.method,
        headers,
        searchParams: request.searchParams,
        json: request.json,
        context: { path: request.path, idempotent: request.idempotent ?? request.method === "GET" },
      });
      if (response.statusCode >= 300 && response.statusCode < 400) {
        throw redirectRefused(request, context, response.statusCode, response.headers.location);
      }
      this.stats.bytesReceived += response.rawBody.length;
      this.logger.debug("JumpCloud request", {
        method: request.method,
        path: request.path,
        status: response.statusCode,
        durationMs: Date.now() - started,
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        body: parseBody<T>(response.body, { ...context, status: response.statusCode }),
      };
    } catch (error) {
      throw this.toJumpCloudError(error, request, context);
    }
  }

  private retryDelay({ attemptCount, error, retryAfter }: RetryObject): number {
    if (attemptCount >= this.options.retry.maxAttempts) return 0;
    const status = error.response?.statusCode;
    const idempotent = (error.options.context as { idempotent?: boolean }).idempotent === true;
    // A 429 was refused before processing, so even a write is safe to resend; anything else on a write is not.
    const retryable =
      status === undefined
        ? idempotent && NETWORK_CODES.includes(error.code)
        : status === 429 || (idempotent && RETRYABLE_STATUS.has(status));
    if (!retryable) return 0;
    const delayMs = Math.round(this.backoff(attemptCount, retryAfter));
    this.logger.warn("Retrying JumpCloud request", {
      method: error.options.method,
      path: (error.options.context as { path?: string }).path,
      status,
      errorCode: status === undefined ? error.code : undefined,
      attempt: attemptCount + 1,
      delayMs,
    });
    return delayMs;
  }

  /** `Retry-After` when given (capped), else exponential backoff with "equal jitter"; never 0 (0 means stop). */
  private backoff(attemptCount: number, retryAfter: number | undefined): number {
    const policy = this.options.retry;
    if (retryAfter !== undefined && Number.isFinite(retryAfter)) {
      return Math.max(1, Math.min(retryAfter, policy.retryAfterCapMs));
    }
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptCount - 1));
    return Math.max(1, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private toJumpCloudError(error: unknown, request: TransportRequest, context: RequestContext): Error {
    if (error instanceof JumpCloudError) return error;
    if (error instanceof HTTPError) {
      const status = error.response.statusCode;
      const detail = serverMessage(error.response.body, [this.options.apiKey, ...secretValues(request.json)]);
      const typed = errorForStatus({ ...context, status }, detail);
      if (isWrite(request) && status >= 500) {
        return new JumpCloudError(
          "SERVER_ERROR",
          `${typed.message.split(" (")[0]}; the write may have been applied: re-read before retrying`,
          { ...context, status },
        );
      }
      return typed;
    }
    if (error instanceof RequestError) {
      const code = error.code;
      if (isWrite(request) && !NOT_SENT_CODES.has(code)) {
        return new JumpCloudError(
          "WRITE_OUTCOME_UNKNOWN",
          `Write failed with ${code}; it may have been applied, so it was not retried: re-read the resource to reconcile`,
          context,
        );
      }
      if (code === "ETIMEDOUT") {
        return new JumpCloudError(
          "TIMEOUT",
          `No response within ${this.options.timeoutMs} ms after retries`,
          context,
        );
      }
      return new JumpCloudError("NETWORK_ERROR", `Network error ${code} after retries`, context);
    }
    return new JumpCloudError(
      "NETWORK_ERROR",
      `Unexpected failure: ${String((error as Error)?.name)}`,
      context,
    );
  }
}

/** A 3xx answer as an error naming where it pointed (host only: the rest of the URL may carry anything). */
function redirectRefused(
  request: TransportRequest,
  context: RequestContext,
  status: number,
  location: string | undefined,
): JumpCloudError {
  let target: URL | undefined;
  try {
    target = location ? new URL(location, request.url) : undefined;
  } catch {
    target = undefined;
  }
  const where = !target
    ? "without a valid Location"
    : `to ${target.host}${target.origin === new URL(request.url).origin ? " (same origin)" : ""}`;
  // A server may act on a write before answering 3xx (303 See Other), so its outcome is not known.
  const outcome = isWrite(request) ? "; the write may have been applied: re-read before retrying" : "";
  return new JumpCloudError(
    "REDIRECT_REFUSED",
    `Redirect ${where} refused: the API key is only sent to the configured origin${outcome}`,
    { ...context, status },
  );
}

function isWrite(request: TransportRequest): boolean {
  return request.method !== "GET" && request.idempotent !== true;
}

function parseBody<T>(text: string, context: RequestContext): T {
  if (text === "") return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new JumpCloudError(
      "MALFORMED_RESPONSE",
      `Response is not valid JSON (${text.length} bytes)`,
      context,
    );
  }
}

/** The server's `message`, trimmed, with any known secret masked (error bodies may echo input). */
function serverMessage(body: unknown, secrets: string[]): string | undefined {
  if (typeof body !== "string" || body === "") return undefined;
  let message: unknown;
  try {
    message = (JSON.parse(body) as { message?: unknown }).message;
  } catch {
    return undefined;
  }
  if (typeof message !== "string" || message === "") return undefined;
  let clean = message.slice(0, 300);
  for (const secret of secrets) {
    if (secret.length >= 4) clean = clean.split(secret).join("[REDACTED]");
  }
  return clean;
}

/** String values of fields whose names say they are secret, anywhere in a request body. */
function secretValues(body: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key: string): void => {
    if (typeof value === "string" && /secret|password|key|token/i.test(key)) found.push(value);
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, Array.isArray(value) ? key : k);
    }
  };
  visit(body, "");
  return found;
}
