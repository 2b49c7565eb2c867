/** Accepted risks: exceptions that turn matching FAIL results into MUTED until they expire. */
import type { ResourceResult } from "../controls/types.js";
import type { ControlFinding } from "./findings.js";
import { countResults, statusFromResults } from "./findings.js";

/** One accepted risk (parsed and validated by `parseExceptions` in exceptions-file.ts). */
export interface RiskException {
  controlId: string;
  /** Resource id, or a pattern over id or name where `*` matches anything (e.g. `svc.*`). */
  resource: string;
  /** Limit to one check of the resource (e.g. `ssh-root-login`); all checks when omitted. */
  check?: string;
  reason: string;
  owner: string;
  /** YYYY-MM-DD; valid through that day (UTC). */
  expires: string;
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
): { finding: ControlFinding; applied: number } {
  const active = exceptions.filter((e) => e.controlId === finding.controlId && !isExpired(e, now));
  if (active.length === 0 || finding.results.length === 0) return { finding, applied: 0 };
  let applied = 0;
  const results = finding.results.map((r): ResourceResult => {
    if (r.status !== "FAIL") return r;
    const match = active.find(
      (e) => (e.check === undefined || e.check === r.check) && matches(e.resource, r),
    );
    if (!match) return r;
    applied += 1;
    return {
      ...r,
      status: "MUTED",
      mutedBy: { reason: match.reason, owner: match.owner, expires: match.expires },
    };
  });
  if (applied === 0) return { finding, applied };
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
  };
}

function isExpired(exception: RiskException, now: Date): boolean {
  // An exception is valid through the whole of its expiry day (UTC).
  return now.getTime() >= Date.parse(`${exception.expires}T00:00:00Z`) + 86_400_000;
}

function matches(pattern: string, r: ResourceResult): boolean {
  if (!pattern.includes("*")) return pattern === r.resourceId || pattern === r.resourceName;
  const regex = new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return regex.test(r.resourceId) || regex.test(r.resourceName);
}
