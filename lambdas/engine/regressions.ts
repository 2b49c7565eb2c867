/**
 * Regressions and recoveries between the last evaluated finding of a control and the current one.
 * A result in ERROR (a check or resource that could not be judged) says nothing about posture, like a
 * control in ERROR: going to ERROR is not a regression, leaving it for PASS is not a recovery, and what
 * an unjudged check found before is neither recovered nor vanished.
 */
import { CHECK_RESOURCE_TYPE, type ControlStatus, type ResourceResult } from "../controls/types.js";
import type { ControlFinding, Recovery, Regression } from "./findings.js";

// How bad a status is, for "got worse". ERROR is not ranked: it says nothing about posture.
const RANK: Record<Exclude<ControlStatus, "ERROR">, number> = {
  PASS: 0,
  NOT_APPLICABLE: 0,
  MUTED: 1,
  MANUAL: 2,
  FAIL: 3,
};

/** Compares a control's previous evaluated finding with the current one. No previous → baseline, no changes. */
export function compareFindings(
  previous: ControlFinding | undefined,
  current: ControlFinding,
): { regressions: Regression[]; recoveries: Recovery[] } {
  const regressions: Regression[] = [];
  const recoveries: Recovery[] = [];
  // A finding in ERROR (even one with some results) is never a baseline, so what it shows is compared
  // on the next evaluated run, against the same baseline: reporting it now would report it twice.
  if (!previous || previous.status === "ERROR" || current.status === "ERROR")
    return { regressions, recoveries };
  const base = {
    controlId: current.controlId,
    title: current.title,
    severity: current.severity,
    level: current.level,
  };

  const from = RANK[previous.status];
  const to = RANK[current.status];
  if (to > from)
    regressions.push({
      ...base,
      kind: "status",
      from: previous.status,
      to: current.status,
      message: `Control ${current.controlId} went from ${previous.status} to ${current.status}: ${current.summary}`,
    });
  if (to < from)
    recoveries.push({
      ...base,
      kind: "status",
      from: previous.status,
      to: current.status,
      message: `Control ${current.controlId} went from ${previous.status} to ${current.status}`,
    });

  const before = new Map(previous.results.map((r) => [keyOf(r), r]));
  const now = new Map(current.results.map((r) => [keyOf(r), r]));
  const unjudgedBefore = unjudgedChecks(previous.results);
  const unjudgedNow = unjudgedChecks(current.results);
  for (const [key, r] of now) {
    const old = before.get(key);
    if (r.status === "FAIL" && old?.status !== "FAIL") {
      // A check that could not be judged last time has no baseline; a FAIL now may be old news, but
      // staying silent could hide a drift that happened meanwhile, so it is reported, saying so.
      const unjudged = old?.status === "ERROR" || (!old && unjudgedBefore.has(r.check));
      regressions.push({
        ...base,
        kind: "resource",
        resource: resourceOf(r),
        from: unjudged ? "ERROR" : (old?.status ?? "absent"),
        to: "FAIL",
        message: unjudged
          ? `${r.resourceType} ${r.resourceName} fails ${r.check} (not judged in the last evaluated run): ${r.message}`
          : `${r.resourceType} ${r.resourceName} newly fails ${r.check}: ${r.message}`,
      });
    } else if (
      r.status !== "PASS" &&
      r.status !== "ERROR" &&
      old?.measure &&
      r.measure &&
      worse(old.measure.value, r.measure.value, r.measure.worseWhen)
    ) {
      regressions.push({
        ...base,
        kind: "value",
        resource: resourceOf(r),
        from: `${old.measure.value} ${old.measure.unit}`,
        to: `${r.measure.value} ${r.measure.unit}`,
        message: `${r.resourceType} ${r.resourceName}: ${r.check} worsened from ${old.measure.value} to ${r.measure.value} ${r.measure.unit}: ${r.message}`,
      });
    }
  }
  for (const [key, old] of before) {
    const r = now.get(key);
    if (old.status !== "FAIL" || r?.status === "FAIL") continue;
    // Not judged now (the resource or its whole check is ERROR): neither recovered nor vanished.
    if (r?.status === "ERROR" || (!r && unjudgedNow.has(old.check))) continue;
    recoveries.push({
      ...base,
      kind: "resource",
      resource: resourceOf(old),
      from: "FAIL",
      to: r?.status ?? "absent",
      message: `${old.resourceType} ${old.resourceName} no longer fails ${old.check}`,
    });
  }
  return { regressions, recoveries };
}

/** Checks that could not be evaluated as a whole (one ERROR result standing for the check). */
function unjudgedChecks(results: readonly ResourceResult[]): Set<string> {
  return new Set(
    results.filter((r) => r.status === "ERROR" && r.resourceType === CHECK_RESOURCE_TYPE).map((r) => r.check),
  );
}

function keyOf(r: ResourceResult): string {
  return `${r.resourceType}\u0000${r.resourceId}\u0000${r.check}`;
}

function resourceOf(r: ResourceResult) {
  return { type: r.resourceType, id: r.resourceId, name: r.resourceName, check: r.check };
}

function worse(before: number, after: number, worseWhen: "higher" | "lower"): boolean {
  return worseWhen === "higher" ? after > before : after < before;
}
