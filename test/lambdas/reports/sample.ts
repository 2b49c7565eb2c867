/** A run report for the report renderers' tests: every control status, a muted result, hostile names. */
import { complianceOf } from "../../../lambdas/engine/compliance.js";
import { type ControlFinding, type RunReport, SCHEMA_VERSION } from "../../../lambdas/engine/findings.js";
import { finding, row } from "../../helpers/findings.js";

/** A run report around findings, with the compliance view computed as the engine does. */
export function reportOf(controls: ControlFinding[], overrides: Partial<RunReport> = {}): RunReport {
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: "20261128T120000Z-abc123",
    orgId: "5f0000000000000000000001",
    organizationName: "Globex Corporation",
    startedAt: "2026-11-28T12:00:00.000Z",
    finishedAt: "2026-11-28T12:00:02.500Z",
    controls,
    regressions: [],
    recoveries: [],
    compliance: complianceOf(controls),
    exceptions: { applied: 0, expired: [], maxDays: 365, allResources: [] },
    api: { requests: 42, retries: 1 },
    ...overrides,
  };
}

/** The owner and expiry of the accepted risk on `muted@example.com`. */
export const EXCEPTION = {
  reason: "Break-glass account, hardware token in the safe",
  owner: "ciso@example.com",
  expires: "2027-03-31",
} as const;

/**
 * Six controls, one per control status: 1.1 FAIL (PASS, FAIL, MUTED results), 1.2 MANUAL, 2.1 ERROR
 * (no result), 3.1 NOT_APPLICABLE (no result), 5.1 PASS, 4.2 MUTED; severities critical to low.
 */
export function mixedReport(): RunReport {
  const controls = [
    finding([
      row("PASS", "a"),
      row("FAIL", "b", { observed: { required: false }, expected: { required: true } }),
      row("MUTED", "muted", { mutedBy: EXCEPTION }),
    ]),
    finding([row("PASS", "d"), row("MANUAL", "e", { check: "review", message: "review the role" })], {
      controlId: "1.2",
      title: "Implement Least Privilege Administration",
      severity: "high",
      frameworks: { cis: ["5.4"], nist: ["AC-6"], soc2: ["CC6.2"] },
    }),
    finding([], {
      controlId: "2.1",
      title: "Enforce Organization-Wide MFA",
      status: "ERROR",
      summary: "Could not evaluate: GET /api/systemusers answered 403.",
      error: { code: "DATASET_ERROR", message: "403", datasets: [] },
      frameworks: { cis: ["6.5"], nist: ["IA-2(1)"], soc2: ["CC6.1"] },
    }),
    finding([], {
      controlId: "3.1",
      title: "Configure Conditional Access Policies",
      level: "L2",
      severity: "high",
      status: "NOT_APPLICABLE",
      summary: "Conditional access is not part of the Core plan.",
      frameworks: { cis: ["6.4"], nist: ["AC-2(12)"], soc2: ["CC6.6"] },
    }),
    finding([row("PASS", "insights", { resourceType: "organization", check: "enabled" })], {
      controlId: "5.1",
      title: "Enable Directory Insights",
      severity: "high",
      frameworks: { cis: ["8.2"], nist: ["AU-2"], soc2: [] },
    }),
    finding([row("MUTED", "radius", { resourceType: "radius_server", check: "mfa", mutedBy: EXCEPTION })], {
      controlId: "4.2",
      title: "Configure LDAP & RADIUS Security",
      level: "L2",
      severity: "medium",
      frameworks: { cis: ["3.10"], nist: ["IA-2"], soc2: [] },
    }),
  ];
  return reportOf(controls, {
    regressions: [
      {
        kind: "resource",
        controlId: "1.1",
        title: "Secure Admin Portal Access",
        severity: "critical",
        level: "L1",
        message: "b@example.com newly fails admin-mfa: MFA not required",
      },
      {
        kind: "status",
        controlId: "4.2",
        title: "Configure LDAP & RADIUS Security",
        severity: "medium",
        level: "L2",
        message: "4.2 went from PASS to MUTED",
        from: "PASS",
        to: "MUTED",
      },
    ],
  });
}
