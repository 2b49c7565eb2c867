/** The plain-text alert for a control's regressions, as e-mailed (and shown by the demo). */
import { controlById } from "../controls/registry.js";
import type { ControlFinding, Regression } from "../engine/findings.js";
import { clean, MAX_LINE, MAX_NAME, MAX_PARAGRAPH } from "../shared/output-safety.js";

/** SNS rejects subjects longer than 100 characters. */
export const MAX_SUBJECT_LENGTH = 100;
/** Items of a list (regressions, failing resources) shown before "… and N more (see the finding)". */
export const MAX_LISTED = 20;

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
    `Control ${clean(finding.controlId)} ${clean(finding.title)} (${finding.level}, ${finding.severity}) is now ${finding.status}.`,
    clean(finding.summary, MAX_PARAGRAPH),
    "",
    "What got worse since the last run:",
    ...bulleted(regressions, (r) => r.message),
  ];
  const failing = finding.results.filter((r) => r.status === "FAIL");
  if (failing.length > 0) {
    lines.push(
      "",
      `Failing resources (${failing.length}):`,
      ...bulleted(failing, (r) => `${clean(r.resourceName, MAX_NAME)}: ${clean(r.message, MAX_LINE)}`),
    );
  }
  if (control)
    lines.push("", "How to fix (hardening guide):", ...control.manualSteps.map((step) => `  - ${step}`));
  lines.push(
    "",
    `Frameworks: CIS ${finding.frameworks.cis.join(", ") || "-"} · NIST 800-53 ${finding.frameworks.nist.join(", ") || "-"} · SOC 2 ${finding.frameworks.soc2.join(", ") || "-"}`,
  );
  lines.push(
    `Organization ${clean(finding.orgId)} · run ${clean(finding.runId)} · evaluated ${clean(finding.evaluatedAt)}`,
  );
  // The location is ours (an S3 URI and a console link, one per line); each line is still cleaned.
  if (findingLocation)
    lines.push(
      `Finding: ${findingLocation
        .split("\n")
        .map((l) => clean(l, MAX_PARAGRAPH))
        .join("\n")}`,
    );
  return { subject, body: lines.join("\n") };
}

/**
 * Lines `  - item`, each cleaned to one line of at most 512 characters, at most 20 of them and then
 * "… and N more (see the finding)": an alert's size never depends on what JumpCloud holds.
 */
export function bulleted<T>(
  items: readonly T[],
  show: (item: T) => string,
  { max = MAX_LISTED, rest = "see the finding" }: { max?: number; rest?: string } = {},
): string[] {
  // Only the items shown are formatted: 1,000 names of 60,000 characters cost what 20 do.
  const lines = items.slice(0, max).map((item) => `  - ${clean(show(item), MAX_LINE)}`);
  if (items.length > max) lines.push(`  … and ${items.length - max} more (${rest})`);
  return lines;
}

/** A subject on one clean line within SNS's 100 characters, marking the cut. */
export function fitSubject(subject: string): string {
  return clean(subject, MAX_SUBJECT_LENGTH);
}
