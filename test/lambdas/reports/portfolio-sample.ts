/** Portfolio fixtures: a compliant organization's summary (every control PASS), with some statuses changed. */
import { CONTROLS, controlById } from "../../../lambdas/controls/registry.js";
import type { ControlStatus } from "../../../lambdas/controls/types.js";
import type { PortfolioOrg } from "../../../lambdas/reports/portfolio.js";
import type { OrgReportSummary } from "../../../lambdas/service/daily-report-summary.js";

/** The date of every fixture. */
export const PORTFOLIO_DATE = "2026-11-30";

/** The `n`th organization id (24 hexadecimal characters). */
export const orgN = (n: number) => `5f${n.toString(16).padStart(22, "0")}`;

/** A compliant organization's summary: every control PASS; `statuses` changes some (FAIL: 2 failing results). */
export function summaryOf(orgId: string, statuses: Record<string, ControlStatus> = {}): OrgReportSummary {
  const date = PORTFOLIO_DATE;
  const controls = CONTROLS.map((c) => ({ controlId: c.id, status: statuses[c.id] ?? "PASS" }));
  const counts = { FAIL: 0, ERROR: 0, MANUAL: 0, MUTED: 0, PASS: 0, NOT_APPLICABLE: 0 };
  for (const c of controls) counts[c.status] += 1;
  return {
    schemaVersion: 1,
    orgId,
    date,
    time: `${date}T06:57:00.000Z`,
    counts,
    problems: { stale: 0, missing: 0, invalid: 0 },
    controls,
    worst: controls
      .filter((c) => c.status === "FAIL")
      .slice(0, 5)
      .map((c) => {
        const control = controlById(c.controlId);
        return {
          controlId: c.controlId,
          title: control?.title ?? "",
          severity: control?.severity ?? "low",
          failing: 2,
        };
      }),
    keys: {
      html: `reports/${orgId}/${date}/report.html`,
      csv: `reports/${orgId}/${date}/actions.csv`,
      ocsf: `reports/${orgId}/${date}/findings.ocsf.json`,
      summary: `reports/${orgId}/${date}/summary.json`,
      latest: `reports/${orgId}/latest.html`,
    },
  };
}

/** A reported organization of the portfolio. */
export const reportedOrg = (orgId: string, statuses?: Record<string, ControlStatus>): PortfolioOrg => ({
  orgId,
  summary: summaryOf(orgId, statuses),
});
