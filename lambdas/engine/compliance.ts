/** Compliance view: per framework requirement, the worst status among the controls mapped to it. */
import type { ControlStatus } from "../controls/types.js";
import type { ComplianceEntry, ControlFinding } from "./findings.js";

// Worst first. A known failure outranks an unevaluated control, so an ERROR never hides a FAIL; an
// unevaluated control still outranks every other status (the requirement's state is unknown).
const ORDER: ControlStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS", "NOT_APPLICABLE"];

const FRAMEWORKS = [
  ["CIS Controls v8", "cis"],
  ["NIST SP 800-53 Rev 5", "nist"],
  ["SOC 2 TSC", "soc2"],
] as const;

/** Builds the compliance view of a run's findings. */
export function complianceOf(findings: readonly ControlFinding[]): ComplianceEntry[] {
  const entries = new Map<string, ComplianceEntry>();
  for (const finding of findings) {
    for (const [framework, key] of FRAMEWORKS) {
      for (const requirement of finding.frameworks[key]) {
        const id = `${framework}\u0000${requirement}`;
        const entry = entries.get(id) ?? { framework, requirement, status: "NOT_APPLICABLE", controls: [] };
        entry.controls.push(finding.controlId);
        if (ORDER.indexOf(finding.status) < ORDER.indexOf(entry.status)) entry.status = finding.status;
        entries.set(id, entry);
      }
    }
  }
  return [...entries.values()].sort(
    (a, b) =>
      a.framework.localeCompare(b.framework) ||
      a.requirement.localeCompare(b.requirement, undefined, { numeric: true }),
  );
}
