/**
 * Fault injection per route: rate limits, server errors, delays, dropped connections, malformed JSON,
 * key revocation, and inconsistent list pages (empty, short, repeated, a lying or missing total, a lying
 * Directory Insights `X-Result-Count`).
 */
import type { SimResponse } from "./http.js";

/** What a fault does to a matching request. */
export type Fault =
  /** Answer 429, with `Retry-After: retryAfterSeconds` when given. */
  | { kind: "rate-limit"; retryAfterSeconds?: number }
  /** Answer this status (5xx, or any other) with a JSON error body. */
  | { kind: "status"; status: number }
  /** Wait, then handle the request normally (a write still takes effect). */
  | { kind: "delay"; ms: number }
  /** Destroy the socket without answering (after the write took effect when `afterWrite`). */
  | { kind: "drop"; afterWrite?: boolean }
  /** Answer 200 with a truncated JSON body. */
  | { kind: "malformed" }
  /** A list page (v1, v2 or Insights) comes back with no items; the total is still reported. */
  | { kind: "empty-page" }
  /** A list page loses its last `drop` items (default 1); the total is still reported. */
  | { kind: "short-page"; drop?: number }
  /** A v1/v2 list page is answered as if `skip` were `of` (default 0: the first page again). */
  | { kind: "repeat-page"; of?: number }
  /** A v1/v2 list reports this total (`totalCount` / `X-Total-Count`), or none at all when null. */
  | { kind: "total"; total: number | null }
  /** A Directory Insights page sends this `X-Result-Count`, or none at all when null. */
  | { kind: "result-count"; count: number | null };

/** A fault bound to requests: method and path pattern (`*` matches one path segment, `**` the rest). */
export type FaultRule = Fault & {
  /** HTTP method, or any when omitted. */
  method?: string;
  /** Path without query, e.g. `/api/systemusers` or `/api/v2/iplists/*`. */
  path: string;
  /** Matching requests to let through before the fault starts. @default 0 */
  skip?: number;
  /** How many matching requests it applies to. @default Infinity */
  times?: number;
  /** Only list requests for the page at this offset (`skip` query parameter, absent = 0). */
  atSkip?: number;
};

interface ActiveRule {
  rule: FaultRule;
  pattern: RegExp;
  seen: number;
  applied: number;
}

/** Holds fault rules and the key-revocation trigger; tests change it while the simulator runs. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private revokeAfter: number | undefined;
  private requestsSeen = 0;

  /** Adds a rule; returns this for chaining. */
  add(rule: FaultRule): this {
    this.rules.push({ rule, pattern: pathPattern(rule.path), seen: 0, applied: 0 });
    return this;
  }

  /** The API key stops working after `requests` more authenticated requests. */
  revokeKeyAfter(requests: number): this {
    this.revokeAfter = this.requestsSeen + requests;
    return this;
  }

  /** Removes every rule and un-revokes the key. */
  clear(): void {
    this.rules = [];
    this.revokeAfter = undefined;
  }

  /** Counts a request against the revocation trigger; true when the key is revoked for it. */
  keyRevoked(): boolean {
    this.requestsSeen += 1;
    return this.revokeAfter !== undefined && this.requestsSeen > this.revokeAfter;
  }

  /** The fault to apply to a request, if any (first matching rule that is due). */
  take(method: string, path: string, query?: URLSearchParams): Fault | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (!active.pattern.test(path)) continue;
      if (rule.atSkip !== undefined && Number(query?.get("skip") ?? 0) !== rule.atSkip) continue;
      active.seen += 1;
      if (active.seen <= (rule.skip ?? 0)) continue;
      if (active.applied >= (rule.times ?? Number.POSITIVE_INFINITY)) continue;
      active.applied += 1;
      return rule;
    }
    return undefined;
  }
}

/** The query a route sees under a fault: `repeat-page` moves `skip` back; the request log keeps the original. */
export function faultedQuery(fault: Fault | undefined, query: URLSearchParams): URLSearchParams {
  if (fault?.kind !== "repeat-page") return query;
  const moved = new URLSearchParams(query);
  moved.set("skip", String(fault.of ?? 0));
  return moved;
}

/** Reshapes a successful list answer under a page fault; other answers and faults pass through. */
export function faultedAnswer(fault: Fault | undefined, answer: SimResponse): SimResponse {
  if (!fault || answer.status !== 200) return answer;
  const body = answer.body;
  const v1 = isV1List(body);
  const items = v1 ? body.results : Array.isArray(body) ? body : undefined;
  if (!items) return answer;
  const withItems = (kept: unknown[]) => (v1 ? { ...body, results: kept } : kept);
  const headers = { ...answer.headers };
  switch (fault.kind) {
    case "empty-page":
      return { ...answer, body: withItems([]) };
    case "short-page":
      return { ...answer, body: withItems(items.slice(0, Math.max(0, items.length - (fault.drop ?? 1)))) };
    case "total": {
      if (v1) {
        const { totalCount: _dropped, ...rest } = body;
        return { ...answer, body: fault.total === null ? rest : { ...rest, totalCount: fault.total } };
      }
      return { ...answer, headers: withHeader(headers, "X-Total-Count", fault.total) };
    }
    case "result-count":
      return { ...answer, headers: withHeader(headers, "X-Result-Count", fault.count) };
    default:
      return answer;
  }
}

function isV1List(body: unknown): body is { totalCount?: unknown; results: unknown[] } {
  return typeof body === "object" && body !== null && Array.isArray((body as { results?: unknown }).results);
}

function withHeader(headers: Record<string, string>, name: string, value: number | null) {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
  if (value !== null) headers[name] = String(value);
  return headers;
}

function pathPattern(path: string): RegExp {
  const escaped = path
    .split("/")
    .map((segment) =>
      segment === "**" ? ".*" : segment === "*" ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/");
  return new RegExp(`^${escaped}$`);
}
