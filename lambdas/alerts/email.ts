/** The plain-text alert for a control's regressions, as e-mailed (and shown by the demo). */
import { controlById } from "../controls/registry.js";
import type { ControlFinding, Regression } from "../engine/findings.js";

/** SNS rejects subjects longer than 100 characters. */
export const MAX_SUBJECT_LENGTH = 100;

/** Subject and body of one control's regression alert. */
export interface EmailAlert {
  subject: string;
  body: string;
}

/** Formats one alert per control: what changed, which resources, the guide's fix, where the finding is. */
export function formatRegressionEmail(
  finding: ControlFinding,
  regressions: readonly Regression[],
  findingLocation?: string,
): EmailAlert {
  const control = controlById(finding.controlId);
  const subject = fitSubject(
    `[JumpCloud ${finding.severity.toUpperCase()}] ${finding.controlId} ${finding.title}: ${regressions.length} regression${regressions.length === 1 ? "" : "s"}`,
  );
  const lines = [
    `Control ${finding.controlId} ${finding.title} (${finding.level}, ${finding.severity}) is now ${finding.status}.`,
    finding.summary,
    "",
    "What got worse since the last run:",
    ...regressions.map((r) => `  - ${r.message}`),
  ];
  const failing = finding.results.filter((r) => r.status === "FAIL");
  if (failing.length > 0) {
    lines.push(
      "",
      `Failing resources (${failing.length}):`,
      ...failing.slice(0, 20).map((r) => `  - ${r.resourceName}: ${r.message}`),
    );
    if (failing.length > 20) lines.push(`  … and ${failing.length - 20} more (see the finding)`);
  }
  if (control)
    lines.push("", "How to fix (hardening guide):", ...control.manualSteps.map((step) => `  - ${step}`));
  lines.push(
    "",
    `Frameworks: CIS ${finding.frameworks.cis.join(", ") || "-"} · NIST 800-53 ${finding.frameworks.nist.join(", ") || "-"} · SOC 2 ${finding.frameworks.soc2.join(", ") || "-"}`,
  );
  lines.push(`Organization ${finding.orgId} · run ${finding.runId} · evaluated ${finding.evaluatedAt}`);
  if (findingLocation) lines.push(`Finding: ${findingLocation}`);
  return { subject, body: lines.join("\n") };
}

/** Cuts a subject to SNS's 100 characters, marking the cut. */
export function fitSubject(subject: string): string {
  return subject.length <= MAX_SUBJECT_LENGTH ? subject : `${subject.slice(0, MAX_SUBJECT_LENGTH - 1)}…`;
}
