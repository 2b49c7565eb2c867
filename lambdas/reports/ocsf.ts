/**
 * The run report as OCSF Compliance Findings (class 2003, OCSF 1.8.0): one finding per control
 * result, for a SIEM or a security data lake. Pure functions. The mapping is in docs/ocsf.md.
 */
import { createHash } from "node:crypto";
import { controlById } from "../controls/registry.js";
import type { ControlStatus, ResourceResult, Severity } from "../controls/types.js";
import type { ControlFinding, RunReport } from "../engine/findings.js";
import { maskSecrets, safeJson } from "../shared/output-safety.js";
import { FRAMEWORKS, type FrameworkKey } from "./filters.js";

/** The OCSF schema version the findings follow (github.com/ocsf/ocsf-schema, tag 1.8.0). */
export const OCSF_VERSION = "1.8.0";
/** Findings category, Compliance Finding class, Create activity: type_uid = class_uid × 100 + activity_id. */
export const OCSF_CLASS = { category_uid: 2, class_uid: 2003, activity_id: 1, type_uid: 200301 } as const;

/** How to render. */
export interface OcsfOptions {
  /** Version of the tool, for `metadata.product.version`. */
  version: string;
  /** Only this framework's standard and requirements (controls mapped to it). */
  compliance?: FrameworkKey;
}

/** An OCSF Compliance Finding, as written (only the attributes this tool sets). */
export interface OcsfComplianceFinding {
  activity_id: 1;
  activity_name: "Create";
  category_uid: 2;
  category_name: "Findings";
  class_uid: 2003;
  class_name: "Compliance Finding";
  type_uid: 200301;
  type_name: "Compliance Finding: Create";
  time: number;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  status_code: string;
  message: string;
  metadata: {
    version: string;
    uid: string;
    product: { name: string; vendor_name: string; version: string };
    tenant_uid: string;
    profiles: string[];
  };
  finding_info: { uid: string; title: string; desc: string; types: string[]; created_time: number };
  compliance: {
    standards: string[];
    requirements: string[];
    control: string;
    desc: string;
    status_id: number;
    status: string;
    status_code: string;
    status_detail: string;
  };
  remediation?: { desc: string };
  resources: { uid: string; name: string; type: string; role_id: 1; role: "Target" }[];
  cloud: { provider: string; org: { uid: string; name?: string } };
  unmapped: Record<string, unknown>;
}

/** The product named in every finding. */
export const OCSF_PRODUCT = { name: "jc-audit", vendor_name: "jumpcloud-hardening-auditor" } as const;

// OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. A result that needs no
// action (PASS, NOT_APPLICABLE) is Informational, so a SIEM alerting on High does not fire on passes;
// every other one carries its control's severity (also in `unmapped.control_severity`).
const SEVERITY: Record<Severity, [number, string]> = {
  critical: [5, "Critical"],
  high: [4, "High"],
  medium: [3, "Medium"],
  low: [2, "Low"],
};

// compliance.status_id: 0 Unknown, 1 Pass, 2 Warning ("did not yield a result due to missing
// information"), 3 Fail, 99 Other. ERROR could not be evaluated at all: Unknown, never Pass. MUTED
// still fails (the risk is accepted, see the finding's status Suppressed).
const COMPLIANCE_STATUS: Record<ControlStatus, [number, string]> = {
  PASS: [1, "Pass"],
  FAIL: [3, "Fail"],
  MUTED: [3, "Fail"],
  MANUAL: [2, "Warning"],
  ERROR: [0, "Unknown"],
  NOT_APPLICABLE: [99, "Not Applicable"],
};

/** The findings of a report, one per control result (one for a control without results). */
export function ocsfFindings(report: RunReport, options: OcsfOptions): OcsfComplianceFinding[] {
  return report.controls
    .filter((c) => !options.compliance || c.frameworks[options.compliance].length > 0)
    .flatMap((finding) =>
      finding.results.length > 0
        ? finding.results.map((r) => toOcsf(report, finding, r, options))
        : [toOcsf(report, finding, undefined, options)],
    );
}

/** The findings as a JSON array, terminal-safe like `--format json`. */
export function renderOcsf(report: RunReport, options: OcsfOptions): string {
  return `${safeJson(ocsfFindings(report, options), 2)}\n`;
}

function toOcsf(
  report: RunReport,
  finding: ControlFinding,
  result: ResourceResult | undefined,
  options: OcsfOptions,
): OcsfComplianceFinding {
  const status = result?.status ?? finding.status;
  const time = Date.parse(finding.evaluatedAt);
  const [severityId, severity] =
    status === "PASS" || status === "NOT_APPLICABLE" ? [1, "Informational"] : SEVERITY[finding.severity];
  const [complianceId, complianceStatus] = COMPLIANCE_STATUS[status];
  const keys = options.compliance ? [options.compliance] : (Object.keys(FRAMEWORKS) as FrameworkKey[]);
  const mapped = keys.filter((k) => finding.frameworks[k].length > 0);
  const control = controlById(finding.controlId);
  // The guide's manual steps, numbered (the steps themselves use → for menu paths).
  const fix = control?.manualSteps.length
    ? control.manualSteps.map((step, i) => `${i + 1}. ${step}`).join("\n")
    : control?.remediation.description;
  // The subject: the result's resource, or the organization for a control judged as a whole.
  const resource = result
    ? { uid: result.resourceId, name: result.resourceName, type: result.resourceType }
    : { uid: report.orgId, name: report.organizationName ?? report.orgId, type: "organization" };
  const message = result?.message ?? finding.summary;
  // Stable across runs (org, control, check, resource), so a data lake can follow one finding over time.
  const findingUid = digest([
    report.orgId,
    finding.controlId,
    result?.check ?? "",
    resource.type,
    resource.uid,
  ]);
  return {
    activity_id: 1,
    activity_name: "Create",
    category_uid: 2,
    category_name: "Findings",
    class_uid: 2003,
    class_name: "Compliance Finding",
    type_uid: 200301,
    type_name: "Compliance Finding: Create",
    time,
    severity_id: severityId,
    severity,
    // Finding workflow status: 3 Suppressed for an accepted risk, 1 New otherwise (nobody reviewed it yet).
    status_id: status === "MUTED" ? 3 : 1,
    status: status === "MUTED" ? "Suppressed" : "New",
    status_code: status,
    message,
    metadata: {
      version: OCSF_VERSION,
      uid: digest([report.runId, findingUid]),
      product: { ...OCSF_PRODUCT, version: options.version },
      tenant_uid: report.orgId,
      profiles: ["cloud"],
    },
    finding_info: {
      uid: findingUid,
      title: `${finding.controlId} ${finding.title}`,
      desc: finding.summary,
      types: ["JumpCloud Hardening Guide", finding.section],
      created_time: time,
    },
    compliance: {
      standards: mapped.map((k) => FRAMEWORKS[k]),
      requirements: mapped.flatMap((k) => finding.frameworks[k].map((id) => `${LABEL[k]} ${id}`)),
      control: finding.controlId,
      desc: finding.title,
      status_id: complianceId,
      status: complianceStatus,
      status_code: status,
      status_detail: message,
    },
    ...(fix ? { remediation: { desc: fix } } : {}),
    resources: [{ ...resource, role_id: 1, role: "Target" }],
    cloud: {
      provider: "JumpCloud",
      org: { uid: report.orgId, ...(report.organizationName ? { name: report.organizationName } : {}) },
    },
    unmapped: {
      run_id: report.runId,
      level: finding.level,
      control_severity: finding.severity,
      control_status: finding.status,
      ...(result
        ? {
            check: result.check,
            // Values read from JumpCloud: a secret-looking field is masked, as in every other output.
            ...(result.observed !== undefined ? { observed: maskSecrets(result.observed) } : {}),
            ...(result.expected !== undefined ? { expected: maskSecrets(result.expected) } : {}),
            ...(result.mutedBy ? { exception: result.mutedBy } : {}),
          }
        : {}),
      ...(finding.error ? { error: { code: finding.error.code, message: finding.error.message } } : {}),
    },
  };
}

/** Short requirement prefixes, so `5.4` of CIS is not read as another framework's `5.4`. */
const LABEL: Record<FrameworkKey, string> = { cis: "CIS", nist: "NIST", soc2: "SOC 2" };

function digest(parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}
