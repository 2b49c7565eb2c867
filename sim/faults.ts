/** Fault injection per route: rate limits, server errors, delays, dropped connections, malformed JSON, key revocation. */

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
  | { kind: "malformed" };

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
  take(method: string, path: string): Fault | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (!active.pattern.test(path)) continue;
      active.seen += 1;
      if (active.seen <= (rule.skip ?? 0)) continue;
      if (active.applied >= (rule.times ?? Number.POSITIVE_INFINITY)) continue;
      active.applied += 1;
      return rule;
    }
    return undefined;
  }
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
