/** A remediation plan (or its outcome) as a terminal would show it: what changes, before → after. */
import pc from "picocolors";
import type { RemediationResult } from "../lambdas/remediation/request.js";
import { clean, MAX_LINE, MAX_PARAGRAPH } from "../lambdas/shared/output-safety.js";

/** Renders the result of a remediation request. */
export function renderRemediation(result: Extract<RemediationResult, { ok: true }>, color: boolean): string {
  const c = pc.createColors(color);
  const { plan } = result;
  // Names and who/why come from JumpCloud or a request: each is one clean line (output-safety.ts).
  const lines = [
    c.bold(
      `Remediation plan ${clean(plan.planId)} · organization ${clean(plan.orgId)} · ${clean(plan.status)}`,
    ),
  ];
  lines.push(
    c.dim(
      `requested by ${clean(plan.requestedBy)}${plan.reason ? ` (${clean(plan.reason, MAX_PARAGRAPH)})` : ""} · expires ${clean(plan.expiresAt)}`,
    ),
    "",
  );
  const after = plan.rolledBack?.statusAfter ?? plan.applied?.statusAfter;
  for (const control of plan.controls) {
    const status = after
      ? `${control.statusBefore} → ${after[control.controlId] ?? "?"}`
      : control.statusBefore;
    lines.push(`${c.bold(control.controlId)} ${control.title} · ${status}`);
    if (control.actions.length === 0) {
      lines.push(
        `    ${c.dim(control.automated === "no" ? "manual: follow the guide" : "nothing to change automatically")}`,
      );
      if (control.automated === "no" && control.statusBefore !== "PASS")
        for (const step of control.manualSteps) lines.push(`    - ${step}`);
    }
    for (const action of control.actions) {
      lines.push(`    ${c.cyan("~")} ${clean(action.description, MAX_LINE)}`);
      lines.push(
        `      ${clean(`${action.resource.type} ${clean(action.resource.name)} · ${action.field}: ${JSON.stringify(action.before)} → ${JSON.stringify(action.after)}`, MAX_LINE)}`,
      );
    }
    for (const warning of control.warnings)
      lines.push(`    ${c.yellow("!")} ${clean(warning, MAX_PARAGRAPH)}`);
  }
  const count = plan.controls.reduce((n, control) => n + control.actions.length, 0);
  lines.push("");
  if (result.mode === "plan") {
    lines.push(
      count === 0
        ? "Nothing to change automatically (see the warnings and manual steps); nothing was changed."
        : `${count} change(s) planned; nothing was changed. Apply with: jc-audit remediate --apply ${plan.planId}`,
    );
  } else if (result.noop) lines.push(`Plan ${plan.planId} was already applied; nothing was changed.`);
  else if (result.mode === "apply")
    lines.push(
      `Applied ${plan.applied?.results.filter((r) => r.outcome === "applied").length ?? 0} change(s). Undo with: jc-audit remediate --rollback ${plan.planId}`,
    );
  else
    lines.push(
      `Rolled back: ${plan.rolledBack?.outcomes.map((o) => `${o.actionId} ${o.outcome}${o.detail ? ` (${clean(o.detail, MAX_LINE)})` : ""}`).join(", ") || "nothing to undo"}.`,
    );
  return lines.join("\n");
}
