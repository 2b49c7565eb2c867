/**
 * A control's finding as AWS Security Finding Format (ASFF) findings for `BatchImportFindings`: one per
 * result (one for the control when it has none), with ids stable across runs. Pure functions. Strings
 * from JumpCloud are encoded in ids and cleaned (one line, capped, secrets masked) everywhere else.
 */
import { createHash } from "node:crypto";
import type {
  AwsSecurityFinding,
  ComplianceStatus,
  RecordState,
  SeverityLabel,
  WorkflowStatus,
} from "@aws-sdk/client-securityhub";
import { controlById } from "../controls/registry.js";
import type { ControlStatus, ResourceResult, Severity } from "../controls/types.js";
import type { ControlFinding } from "../engine/findings.js";
import { cap, clean, cleanBlock, maskSecrets } from "../shared/output-safety.js";

/** The ASFF version every finding declares. */
export const ASFF_SCHEMA_VERSION = "2018-10-08";
/** First segment of every finding id this tool writes. */
export const ID_PREFIX = "jc-audit";
/** ASFF's limit on `Id`, `GeneratorId` and a resource's `Id`. */
export const MAX_ID = 512;
/** The finding type: a configuration check against an industry standard (the hardening guide). */
export const FINDING_TYPE =
  "Software and Configuration Checks/Industry and Regulatory Standards/JumpCloud Hardening Guide";

// An id segment longer than this is replaced by its hash, so five segments and the prefix stay
// within MAX_ID (9 + 5 × 96 + 4 = 493).
const MAX_SEGMENT = 96;
const HASHED = /^sha256:[0-9a-f]{64}$/;
// Kept as is; every other UTF-16 code unit is written %uXXXX (so `/`, `:` and `%` never appear raw,
// lone surrogates included, and distinct values never share an encoding).
const SAFE = /[A-Za-z0-9._~@-]/;
const ENCODED = /^(?:[A-Za-z0-9._~@-]|%u[0-9A-F]{4})*$/;
// The segment of a control-level finding's id (results' ids have five segments after the prefix).
const CONTROL_SEGMENT = "control";

/** One id segment: unreserved characters kept, others `%uXXXX`, hashed when long (never contains `/`). */
export function idSegment(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const char = value.charAt(i);
    out += SAFE.test(char) ? char : `%u${value.charCodeAt(i).toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out.length <= MAX_SEGMENT
    ? out
    : `sha256:${createHash("sha256").update(value, "utf16le").digest("hex")}`;
}

/** The value of a segment, or `undefined` for a hashed one. */
function decodeSegment(segment: string): string | undefined {
  if (HASHED.test(segment)) return undefined;
  return segment.replace(/%u([0-9A-F]{4})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** The Security Hub id of one result: `jc-audit/{org}/{control}/{resourceType}/{resourceId}/{check}`. */
export function resultFindingId(orgId: string, controlId: string, r: ResultKey): string {
  return [
    ID_PREFIX,
    idSegment(orgId),
    idSegment(controlId),
    idSegment(r.resourceType),
    idSegment(r.resourceId),
    idSegment(r.check),
  ].join("/");
}

/** The Security Hub id of a control judged as a whole (no results): `jc-audit/{org}/{control}/control`. */
export function controlFindingId(orgId: string, controlId: string): string {
  return [ID_PREFIX, idSegment(orgId), idSegment(controlId), CONTROL_SEGMENT].join("/");
}

/** What identifies a result across runs. */
export type ResultKey = Pick<ResourceResult, "resourceType" | "resourceId" | "check">;

/** An id of ours, split: a control-level id has no resource; a hashed segment decodes to `undefined`. */
export interface ParsedFindingId {
  id: string;
  resource?: { typeSegment: string; idSegment: string; type?: string; resourceId?: string; check?: string };
}

/**
 * Parses an id read back from the bucket: `undefined` unless it is one this tool writes, in canonical
 * form, for this organization and control (so a forged state document cannot reach other findings).
 */
export function parseFindingId(id: unknown, orgId: string, controlId: string): ParsedFindingId | undefined {
  if (typeof id !== "string" || id.length > MAX_ID) return undefined;
  const parts = id.split("/");
  if (parts[0] !== ID_PREFIX || parts[1] !== idSegment(orgId) || parts[2] !== idSegment(controlId))
    return undefined;
  if (parts.length === 4) return parts[3] === CONTROL_SEGMENT ? { id } : undefined;
  if (parts.length !== 6) return undefined;
  const [typeSegment, resourceSegment, checkSegment] = parts.slice(3) as [string, string, string];
  const decoded: (string | undefined)[] = [];
  for (const segment of [typeSegment, resourceSegment, checkSegment]) {
    if (HASHED.test(segment)) decoded.push(undefined);
    else if (ENCODED.test(segment) && segment.length <= MAX_SEGMENT) {
      const value = decodeSegment(segment) as string;
      // Canonical only (`%u0041` for `A` is refused): one finding, one id.
      if (idSegment(value) !== segment) return undefined;
      decoded.push(value);
    } else return undefined;
  }
  const [type, resourceId, check] = decoded;
  return { id, resource: { typeSegment, idSegment: resourceSegment, type, resourceId, check } };
}

/** Where findings go: the account's default product (`arn:aws:securityhub:{region}:{account}:product/{account}/default`). */
export interface ProductTarget {
  productArn: string;
  accountId: string;
  region: string;
}

/** Reads the account and region of a product ARN (validated by the configuration). */
export function productTarget(productArn: string): ProductTarget {
  const match = /^arn:aws[a-z-]*:securityhub:([a-z0-9-]+):(\d{12}):product\/\2\/default$/.exec(productArn);
  if (!match)
    throw new Error(
      "Invalid Security Hub product ARN: expected arn:aws:securityhub:{region}:{account}:product/{account}/default",
    );
  return { productArn, region: match[1] as string, accountId: match[2] as string };
}

/** How each status is imported: compliance, whether it needs action (ACTIVE) and its initial workflow. */
const DISPOSITION: Record<
  ControlStatus,
  { compliance: ComplianceStatus; record: RecordState; workflow: WorkflowStatus }
> = {
  FAIL: { compliance: "FAILED", record: "ACTIVE", workflow: "NEW" },
  // An accepted risk still fails; the exception is why nobody needs to act.
  MUTED: { compliance: "FAILED", record: "ACTIVE", workflow: "SUPPRESSED" },
  MANUAL: { compliance: "WARNING", record: "ACTIVE", workflow: "NEW" },
  // Could not be evaluated: someone has to make it evaluable (a key, a permission).
  ERROR: { compliance: "NOT_AVAILABLE", record: "ACTIVE", workflow: "NEW" },
  // Nothing to do: archived (out of the default, ACTIVE-only views) and resolved.
  PASS: { compliance: "PASSED", record: "ARCHIVED", workflow: "RESOLVED" },
  NOT_APPLICABLE: { compliance: "NOT_AVAILABLE", record: "ARCHIVED", workflow: "RESOLVED" },
};

const SEVERITY: Record<Severity, SeverityLabel> = {
  critical: "CRITICAL",
  high: "HIGH",
  medium: "MEDIUM",
  low: "LOW",
};

/** The findings of one control run: one per result, or one for the control when it has no results. */
export function asffFindings(finding: ControlFinding, target: ProductTarget): AwsSecurityFinding[] {
  if (finding.results.length === 0) return [controlLevel(finding, target)];
  return finding.results.map((r) => resultLevel(finding, r, target));
}

/**
 * The archived form of a finding imported as ACTIVE before that this run no longer reports: the resource
 * is gone, or (in a large finding) it passes and was left out. NOT_AVAILABLE, never PASSED: it was not read.
 */
export function vanishedFinding(
  parsed: ParsedFindingId,
  finding: ControlFinding,
  target: ProductTarget,
): AwsSecurityFinding {
  const control = `${finding.controlId} ${clean(finding.title, 200)}`;
  const r = parsed.resource;
  const shown = r
    ? `${clean(r.type ?? "resource", 60)} ${clean(r.resourceId ?? r.idSegment, 120)}`
    : undefined;
  const omitted = finding.omitted?.PASS ?? 0;
  const description = r
    ? `No longer in the control's results: the resource was removed${omitted > 0 ? `, or it passes and is one of the ${omitted} passing results left out of this large finding` : " or is out of scope"}. Archived.`
    : "The control is evaluated again and reports per-resource results; this control-level finding is archived.";
  return {
    ...common(finding, target, parsed.id, r?.check, "NOT_AVAILABLE", "INFORMATIONAL", "vanished"),
    Title: cap(shown ? `${control}: ${shown}` : control, 256),
    Description: description,
    Resources: [
      r
        ? {
            Type: "Other",
            Id: resourceId(finding.orgId, r.typeSegment, r.idSegment),
            Details: { Other: details({ jumpcloudType: r.type, jumpcloudId: r.resourceId, check: r.check }) },
          }
        : organizationResource(finding),
    ],
    RecordState: "ARCHIVED",
    Workflow: { Status: "RESOLVED" },
  };
}

function resultLevel(finding: ControlFinding, r: ResourceResult, target: ProductTarget): AwsSecurityFinding {
  const { compliance, record, workflow } = DISPOSITION[r.status];
  const severity = record === "ACTIVE" ? SEVERITY[finding.severity] : "INFORMATIONAL";
  const title = `${finding.controlId} ${clean(finding.title, 200)}: ${clean(r.resourceType, 60)} ${clean(r.resourceName, 120)} (${clean(r.check, 60)})`;
  return {
    ...common(
      finding,
      target,
      resultFindingId(finding.orgId, finding.controlId, r),
      r.check,
      compliance,
      severity,
      r.status,
    ),
    Title: cap(title, 256),
    Description: clean(r.message, 1024) || cap(title, 1024),
    Resources: [
      {
        Type: "Other",
        Id: resourceId(finding.orgId, idSegment(r.resourceType), idSegment(r.resourceId)),
        Details: {
          Other: details({
            jumpcloudType: r.resourceType,
            jumpcloudId: r.resourceId,
            name: r.resourceName,
            check: r.check,
            status: r.status,
            observed: r.observed === undefined ? undefined : maskSecrets(r.observed),
            expected: r.expected === undefined ? undefined : maskSecrets(r.expected),
          }),
        },
      },
    ],
    ...(r.mutedBy
      ? {
          ProductFields: {
            ...productFields(finding, r.check, r.status),
            "jc-audit/ExceptionReason": clean(r.mutedBy.reason, 1000),
            "jc-audit/ExceptionOwner": clean(r.mutedBy.owner, 256),
            "jc-audit/ExceptionExpires": clean(r.mutedBy.expires, 64),
          },
        }
      : {}),
    LastObservedAt: finding.evaluatedAt,
    RecordState: record,
    Workflow: { Status: workflow },
  };
}

function controlLevel(finding: ControlFinding, target: ProductTarget): AwsSecurityFinding {
  const { compliance, record, workflow } = DISPOSITION[finding.status];
  const severity = record === "ACTIVE" ? SEVERITY[finding.severity] : "INFORMATIONAL";
  const title = `${finding.controlId} ${clean(finding.title, 200)}`;
  const error = finding.error ? ` (${clean(finding.error.code, 64)})` : "";
  return {
    ...common(
      finding,
      target,
      controlFindingId(finding.orgId, finding.controlId),
      undefined,
      compliance,
      severity,
      finding.status,
    ),
    Title: cap(`${title}: ${finding.status}${error}`, 256),
    Description: clean(finding.summary, 1024) || cap(title, 1024),
    Resources: [organizationResource(finding)],
    LastObservedAt: finding.evaluatedAt,
    RecordState: record,
    Workflow: { Status: workflow },
  };
}

/** The fields every finding of a control shares. */
function common(
  finding: ControlFinding,
  target: ProductTarget,
  id: string,
  check: string | undefined,
  compliance: ComplianceStatus,
  severity: SeverityLabel,
  status: string,
): Omit<AwsSecurityFinding, "Title" | "Description" | "Resources"> {
  const control = controlById(finding.controlId);
  const steps = control?.manualSteps.length
    ? control.manualSteps.map((s, i) => `${i + 1}. ${s}`).join("\n")
    : control?.remediation.description;
  const types = [FINDING_TYPE];
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: id,
    ProductArn: target.productArn,
    ProductName: "jc-audit",
    CompanyName: "JumpCloud Hardening Auditor",
    Region: target.region,
    GeneratorId: [
      ID_PREFIX,
      "control",
      idSegment(finding.controlId),
      ...(check === undefined ? [] : [idSegment(check)]),
    ].join("/"),
    AwsAccountId: target.accountId,
    Types: types,
    CreatedAt: finding.evaluatedAt,
    UpdatedAt: finding.evaluatedAt,
    // The top-level severity is the customers' to change; the provider's own goes in FindingProviderFields.
    Severity: { Label: severity, Original: finding.severity },
    FindingProviderFields: { Severity: { Label: severity, Original: finding.severity }, Types: types },
    Compliance: { Status: compliance, RelatedRequirements: requirements(finding) },
    ...(steps ? { Remediation: { Recommendation: { Text: cleanBlock(steps, 512) } } } : {}),
    ProductFields: productFields(finding, check, status),
  };
}

/** Framework requirements, labelled so CIS 5.4 is not read as another framework's 5.4 (at most 32). */
function requirements(finding: ControlFinding): string[] {
  return [
    ...finding.frameworks.cis.map((id) => `CIS Controls v8 ${id}`),
    ...finding.frameworks.nist.map((id) => `NIST SP 800-53 Rev 5 ${id}`),
    ...finding.frameworks.soc2.map((id) => `SOC 2 ${id}`),
  ]
    .map((text) => clean(text, 128))
    .slice(0, 32);
}

function productFields(
  finding: ControlFinding,
  check: string | undefined,
  status: string,
): Record<string, string> {
  return {
    "jc-audit/OrgId": clean(finding.orgId, 128),
    "jc-audit/ControlId": finding.controlId,
    ...(check === undefined ? {} : { "jc-audit/Check": clean(check, 128) }),
    "jc-audit/Status": status,
    "jc-audit/ControlStatus": finding.status,
    "jc-audit/Level": finding.level,
    "jc-audit/RunId": clean(finding.runId, 128),
  };
}

/** `Details.Other`: strings under 1,024 characters (ASFF), unset values left out. */
function details(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = clean(value, 1000);
  return out;
}

function resourceId(orgId: string, typeSegment: string, resourceSegment: string): string {
  return ["jumpcloud", idSegment(orgId), typeSegment, resourceSegment].join("/");
}

function organizationResource(finding: ControlFinding): NonNullable<AwsSecurityFinding["Resources"]>[number] {
  return {
    Type: "Other",
    Id: ["jumpcloud", idSegment(finding.orgId)].join("/"),
    Details: { Other: details({ jumpcloudType: "organization", jumpcloudId: finding.orgId }) },
  };
}
