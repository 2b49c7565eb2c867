/** Accepted risks: exceptions that turn matching FAIL results into MUTED until they expire. */
import type { ResourceResult } from "../controls/types.js";
import { EngineError } from "./errors.js";
import type { ControlFinding } from "./findings.js";
import { countResults, statusFromResults } from "./findings.js";

/** Default longest time an exception may run, in days from the run: a year. */
export const DEFAULT_MAX_EXCEPTION_DAYS = 365;
/** Highest `maxExceptionDays` accepted (ten years): the limit is a guardrail, not a formality. */
export const MAX_EXCEPTION_DAYS_CEILING = 3650;

/** One accepted risk (parsed and validated by `parseExceptions` in exceptions-file.ts). */
export interface RiskException {
  controlId: string;
  /** Resource id, or a pattern over id or name where `*` matches anything (e.g. `svc.*`). */
  resource: string;
  /** Must be `true` (with resource `*`) to mute every resource of the control; anything else is refused. */
  allResources?: boolean;
  /** Limit to one check of the resource (e.g. `ssh-root-login`); all checks when omitted. */
  check?: string;
  reason: string;
  owner: string;
  /** YYYY-MM-DD; valid through that day (UTC). */
  expires: string;
}

/** True for a pattern that matches any resource whatsoever (only `*`s). */
export function matchesEverything(pattern: string): boolean {
  return /^\*+$/.test(pattern);
}

/** Why an exception's scope is refused (a blanket pattern without `allResources: true`, or the reverse); undefined when fine. */
export function scopeProblem(
  exception: Pick<RiskException, "resource" | "allResources">,
): string | undefined {
  const everything = matchesEverything(exception.resource);
  if (everything && exception.allResources !== true)
    return `resource "${exception.resource}" mutes every resource of the control: say so with allResources: true`;
  if (exception.allResources === true && exception.resource !== "*")
    return `allResources: true needs resource "*" (got "${exception.resource}")`;
  return undefined;
}

/**
 * Refuses, before anything is collected, exceptions whose scope is unsaid (see `scopeProblem`) or that
 * expire more than `maxDays` after the run's day (UTC); one EngineError names the first offender.
 */
export function checkExceptions(
  exceptions: readonly RiskException[],
  now: Date,
  maxDays: number = DEFAULT_MAX_EXCEPTION_DAYS,
): void {
  if (!(Number.isInteger(maxDays) && maxDays >= 1 && maxDays <= MAX_EXCEPTION_DAYS_CEILING)) {
    throw new EngineError(
      "INVALID_OPTIONS",
      `maxExceptionDays must be a whole number of days from 1 to ${MAX_EXCEPTION_DAYS_CEILING}, got ${maxDays}`,
    );
  }
  const latest = latestExpiry(now, maxDays);
  exceptions.forEach((e, index) => {
    const name = `exception ${index + 1} (${e.controlId} "${e.resource}")`;
    const scope = scopeProblem(e);
    if (scope) throw new EngineError("INVALID_EXCEPTIONS", `${name}: ${scope}`);
    // Dates compare as strings in YYYY-MM-DD form; an unparsable one is never "within the limit".
    if (!(/^\d{4}-\d{2}-\d{2}$/.test(e.expires) && e.expires <= latest)) {
      throw new EngineError(
        "INVALID_EXCEPTIONS",
        `${name}: expires ${e.expires}, later than ${latest} (at most ${maxDays} days ahead; raise the limit with --max-exception-days)`,
      );
    }
  });
}

/** The latest expiry allowed for a run at `now`: `maxDays` after its UTC day, as YYYY-MM-DD. */
export function latestExpiry(now: Date, maxDays: number): string {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(day + maxDays * 86_400_000).toISOString().slice(0, 10);
}

/** Active exceptions with `allResources: true` for a control: each mutes every resource of it. */
export function allResourcesExceptions(
  exceptions: readonly RiskException[],
  controlId: string,
  now: Date,
): RiskException[] {
  return exceptions.filter((e) => e.controlId === controlId && e.allResources === true && !isExpired(e, now));
}

/** Exceptions that have expired (they no longer mute anything and are reported). */
export function expiredExceptions(exceptions: readonly RiskException[], now: Date): RiskException[] {
  return exceptions.filter((e) => isExpired(e, now));
}

/** Applies active exceptions to a finding: matching FAIL results become MUTED, then the status is recomputed. */
export function applyExceptions(
  finding: ControlFinding,
  exceptions: readonly RiskException[],
  now: Date,
): { finding: ControlFinding; applied: number; mutedBy: Map<RiskException, number> } {
  const mutedBy = new Map<RiskException, number>();
  const active = exceptions.filter(
    // A blanket pattern without allResources never mutes, even if `checkExceptions` was skipped.
    (e) => e.controlId === finding.controlId && !isExpired(e, now) && scopeProblem(e) === undefined,
  );
  if (active.length === 0 || finding.results.length === 0) return { finding, applied: 0, mutedBy };
  let applied = 0;
  const results = finding.results.map((r): ResourceResult => {
    if (r.status !== "FAIL") return r;
    const match = active.find((e) => (e.check === undefined || e.check === r.check) && matches(e, r));
    if (!match) return r;
    applied += 1;
    mutedBy.set(match, (mutedBy.get(match) ?? 0) + 1);
    return {
      ...r,
      status: "MUTED",
      mutedBy: { reason: match.reason, owner: match.owner, expires: match.expires },
    };
  });
  if (applied === 0) return { finding, applied, mutedBy };
  const derived = statusFromResults(results);
  // Statuses set by the audit itself (NOT_APPLICABLE, MANUAL) are not results-derived; keep FAIL→MUTED logic only.
  const status = finding.status === "FAIL" ? derived : finding.status;
  const muted =
    finding.status === "FAIL" && status !== "FAIL"
      ? ` ${applied} failing result(s) muted by accepted-risk exceptions.`
      : "";
  return {
    finding: { ...finding, results, counts: countResults(results), status, summary: finding.summary + muted },
    applied,
    mutedBy,
  };
}

function isExpired(exception: RiskException, now: Date): boolean {
  // An exception is valid through the whole of its expiry day (UTC).
  return now.getTime() >= Date.parse(`${exception.expires}T00:00:00Z`) + 86_400_000;
}

function matches(exception: RiskException, r: ResourceResult): boolean {
  if (exception.allResources === true) return true;
  const pattern = exception.resource;
  if (!pattern.includes("*")) return pattern === r.resourceId || pattern === r.resourceName;
  return wildcard(pattern, r.resourceId) || wildcard(pattern, r.resourceName);
}

/**
 * Whole-string match where `*` is any run of characters. Greedy with one backtrack point, so at most
 * pattern × text steps: a regular expression of several `.*` can take polynomial time on a long,
 * attacker-chosen name.
 */
function wildcard(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === text[t]) {
      p += 1;
      t += 1;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p;
      resume = t;
      p += 1;
    } else if (star >= 0) {
      p = star + 1;
      resume += 1;
      t = resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === "*") p += 1;
  return p === pattern.length;
}
