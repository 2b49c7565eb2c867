/**
 * OCSF Compliance Findings: every finding valid against the OCSF 1.8.0 attributes and enums written
 * down in ./ocsf-schema.ts, one per control result, statuses and severities mapped honestly.
 */
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../lambdas/controls/types.js";
import { OCSF_VERSION, ocsfFindings, renderOcsf } from "../../../lambdas/reports/ocsf.js";
import { finding, row } from "../../helpers/findings.js";
import { HOSTILE, UNSAFE } from "../shared/hostile.js";
import { ocsfErrors } from "./ocsf-schema.js";
import { EXCEPTION, mixedReport, reportOf } from "./sample.js";

const options = { version: "1.2.3" };

describe("ocsfFindings", () => {
  it("one valid finding per control result, one per control without results", () => {
    const report = mixedReport();
    const findings = ocsfFindings(report, options);
    expect(findings).toHaveLength(report.controls.reduce((n, c) => n + Math.max(c.results.length, 1), 0));
    for (const f of findings) expect(ocsfErrors(f)).toEqual([]);
    expect(new Set(findings.map((f) => f.finding_info.uid)).size).toBe(findings.length);
  });

  it("the schema used here does reject what OCSF forbids", () => {
    const [good] = ocsfFindings(mixedReport(), options);
    const broken = [
      { ...good, class_uid: 2004 },
      { ...good, type_uid: 200302 },
      { ...good, severity_id: 7 },
      { ...good, severity: "Severe" },
      { ...good, status_id: 3, status: "New" },
      { ...good, time: "2026-11-28T12:00:00Z" },
      { ...good, compliance: { ...good?.compliance, status_id: 4 } },
      { ...good, compliance: { status_id: 1 } },
      { ...good, finding_info: { title: "x" } },
      { ...good, metadata: { version: OCSF_VERSION } },
      { ...good, cloud: undefined },
      { ...good, resources: [{ type: "admin" }] },
    ];
    for (const f of broken) expect(ocsfErrors(JSON.parse(JSON.stringify(f)))).not.toEqual([]);
  });

  it("maps a failing result: class, activity, severity, the three frameworks' requirements, the resource", () => {
    const failing = ocsfFindings(mixedReport(), options).find((f) => f.resources[0]?.uid === "b");
    expect(failing).toMatchObject({
      class_uid: 2003,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200301,
      time: Date.parse("2026-11-28T12:00:00.000Z"),
      severity_id: 5,
      severity: "Critical",
      status_id: 1,
      status: "New",
      status_code: "FAIL",
      message: "MFA not required",
      metadata: {
        version: "1.8.0",
        product: { name: "jc-audit", vendor_name: "jumpcloud-hardening-auditor", version: "1.2.3" },
        tenant_uid: "5f0000000000000000000001",
      },
      finding_info: { title: "1.1 Secure Admin Portal Access", desc: "summary" },
      compliance: {
        standards: ["CIS Controls v8", "NIST SP 800-53 Rev 5", "SOC 2 TSC"],
        requirements: ["CIS 5.4", "NIST AC-6(1)", "SOC 2 CC6.1"],
        control: "1.1",
        status_id: 3,
        status: "Fail",
        status_code: "FAIL",
      },
      resources: [{ uid: "b", name: "b@example.com", type: "admin", role_id: 1, role: "Target" }],
      cloud: { provider: "JumpCloud", org: { uid: "5f0000000000000000000001", name: "Globex Corporation" } },
      unmapped: {
        check: "admin-mfa",
        observed: { required: false },
        expected: { required: true },
        level: "L1",
      },
    });
    expect(failing?.remediation?.desc).toMatch(/^1\. JumpCloud Admin Portal → Security/);
  });

  it.each<[ControlStatus, number, string, number, string]>([
    // status, compliance.status_id, compliance.status, finding status_id, finding status
    ["PASS", 1, "Pass", 1, "New"],
    ["FAIL", 3, "Fail", 1, "New"],
    ["MUTED", 3, "Fail", 3, "Suppressed"],
    ["MANUAL", 2, "Warning", 1, "New"],
    ["ERROR", 0, "Unknown", 1, "New"],
    ["NOT_APPLICABLE", 99, "Not Applicable", 1, "New"],
  ])(
    "%s: compliance %i %s, finding %i %s; the control's severity unless nothing is to be done",
    (status, cId, cStatus, sId, sStatus) => {
      const report = mixedReport();
      const severityOf = new Map(report.controls.map((c) => [c.controlId, c.severity]));
      const ids = { critical: 5, high: 4, medium: 3, low: 2 } as const;
      const findings = ocsfFindings(report, options).filter((f) => f.status_code === status);
      expect(findings.length).toBeGreaterThan(0);
      for (const f of findings) {
        expect([f.compliance.status_id, f.compliance.status, f.status_id, f.status]).toEqual([
          cId,
          cStatus,
          sId,
          sStatus,
        ]);
        const severity = severityOf.get(f.compliance.control) ?? "low";
        expect(f.severity_id).toBe(status === "PASS" || status === "NOT_APPLICABLE" ? 1 : ids[severity]);
        expect(f.unmapped.control_severity).toBe(severity);
      }
    },
  );

  it("an accepted risk keeps its owner and expiry; a control without results names the organization and why", () => {
    const findings = ocsfFindings(mixedReport(), options);
    expect(findings.find((f) => f.resources[0]?.uid === "muted")?.unmapped.exception).toEqual(EXCEPTION);
    expect(findings.find((f) => f.compliance.control === "2.1")).toMatchObject({
      status_code: "ERROR",
      message: "Could not evaluate: GET /api/systemusers answered 403.",
      resources: [{ uid: "5f0000000000000000000001", name: "Globex Corporation", type: "organization" }],
      unmapped: { error: { code: "DATASET_ERROR", message: "403" } },
    });
  });

  it("finding uids are stable across runs and distinct per resource and check; event uids per run", () => {
    const a = ocsfFindings(mixedReport(), options);
    const b = ocsfFindings({ ...mixedReport(), runId: "20261129T120000Z-def456" }, options);
    expect(b.map((f) => f.finding_info.uid)).toEqual(a.map((f) => f.finding_info.uid));
    expect(b[0]?.metadata.uid).not.toBe(a[0]?.metadata.uid);
  });

  it("with --compliance: only that standard, its requirements, and the controls mapped to it", () => {
    const findings = ocsfFindings(mixedReport(), { ...options, compliance: "soc2" });
    expect(new Set(findings.map((f) => f.compliance.control))).toEqual(new Set(["1.1", "1.2", "2.1", "3.1"]));
    for (const f of findings) {
      expect(f.compliance.standards).toEqual(["SOC 2 TSC"]);
      expect(f.compliance.requirements.every((r) => r.startsWith("SOC 2 "))).toBe(true);
      expect(ocsfErrors(f)).toEqual([]);
    }
  });

  it("renders terminal-safe JSON that parses back to the names, with secrets masked", () => {
    const name = [HOSTILE.screenClear, HOSTILE.bidi, HOSTILE.eightBitCsi, HOSTILE.lineSeparator].join(" ");
    const report = reportOf([
      finding([row("FAIL", "x", { resourceName: name, observed: { sharedSecret: "k7#Qv9!mZ2pL8xR4" } })]),
    ]);
    const text = renderOcsf(report, options);
    expect(text).not.toMatch(UNSAFE);
    expect(text).not.toContain("k7#Qv9!mZ2pL8xR4");
    const [parsed] = JSON.parse(text);
    expect(parsed.resources[0].name).toBe(name);
    expect(parsed.unmapped.observed).toEqual({ sharedSecret: "[REDACTED]" });
  });
});
