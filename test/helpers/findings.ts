/** Builders of findings for engine tests: a compliant finding, then one change per test. */
import type { ResourceResult } from "../../lambdas/controls/types.js";
import {
  type ControlFinding,
  countResults,
  SCHEMA_VERSION,
  statusFromResults,
} from "../../lambdas/engine/findings.js";

/** A result row. */
export function row(
  status: ResourceResult["status"],
  id: string,
  extra: Partial<ResourceResult> = {},
): ResourceResult {
  return {
    resourceType: "admin",
    resourceId: id,
    resourceName: `${id}@example.com`,
    check: "admin-mfa",
    status,
    message: status === "PASS" ? "ok" : "MFA not required",
    ...extra,
  };
}

/** A finding of control 1.1 with the given results (status derived unless given). */
export function finding(results: ResourceResult[], overrides: Partial<ControlFinding> = {}): ControlFinding {
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: "20261128T120000Z-abc123",
    orgId: "5f0000000000000000000001",
    controlId: "1.1",
    title: "Secure Admin Portal Access",
    section: "Admin Account Security",
    level: "L1",
    severity: "critical",
    frameworks: { cis: ["5.4"], nist: ["AC-6(1)"], soc2: ["CC6.1"] },
    status: statusFromResults(results),
    summary: "summary",
    results,
    counts: countResults(results),
    evaluatedAt: "2026-11-28T12:00:00.000Z",
    durationMs: 1,
    ...overrides,
  };
}
