/**
 * A JSON Schema of the OCSF Compliance Finding (class 2003) as this tool writes it, written by hand
 * from the OCSF schema's definitions at tag 1.8.0 (https://github.com/ocsf/ocsf-schema/tree/1.8.0):
 *
 * - events/base_event.json: required activity_id, category_uid, class_uid, metadata, severity_id,
 *   time, type_uid; type_uid = class_uid × 100 + activity_id.
 * - categories.json: findings = 2; events/findings/compliance_finding.json: uid 3, so class_uid 2003;
 *   it requires compliance; events/findings/finding.json requires finding_info and defines
 *   activity_id 1 Create, 2 Update, 3 Close and status_id 1 New … 6 Deleted.
 * - dictionary.json: severity_id 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical,
 *   6 Fatal, 99 Other; every *_id enum also has 0 Unknown and 99 Other; time is timestamp_t
 *   (milliseconds since the epoch); requirements and standards are string arrays.
 * - objects/metadata.json: required product, version. objects/product.json (an _entity): at least
 *   one of name, uid.
 * - objects/finding_info.json: required uid.
 * - objects/compliance.json: status_id 1 Pass, 2 Warning, 3 Fail (with 0 and 99).
 * - objects/resource_details.json (an _entity): at least one of name, uid; role_id 1 Target,
 *   2 Actor, 3 Affected, 4 Related.
 * - objects/remediation.json: required desc. profiles/cloud.json: required cloud;
 *   objects/cloud.json: required provider.
 *
 * Also required here, for consumers on older 1.x versions: compliance.standards and
 * finding_info.title (required up to 1.3.0), and product.vendor_name (required in 1.3.0).
 * Captions (`severity`, `status`, `activity_name`, …) must match their ids.
 */
import { Ajv2020 } from "ajv/dist/2020.js";

const idEnum = (ids: number[]) => ({ type: "integer", enum: [0, ...ids, 99] });
const nonEmpty = { type: "string", minLength: 1 };
const entity = {
  type: "object",
  anyOf: [{ required: ["name"] }, { required: ["uid"] }],
  properties: { name: { type: "string" }, uid: { type: "string" } },
};

/** Captions of each id, as the OCSF schema names them. */
export const CAPTIONS = {
  activity: { 0: "Unknown", 1: "Create", 2: "Update", 3: "Close", 99: "Other" },
  severity: {
    0: "Unknown",
    1: "Informational",
    2: "Low",
    3: "Medium",
    4: "High",
    5: "Critical",
    6: "Fatal",
    99: "Other",
  },
  findingStatus: {
    0: "Unknown",
    1: "New",
    2: "In Progress",
    3: "Suppressed",
    4: "Resolved",
    5: "Archived",
    6: "Deleted",
    99: "Other",
  },
  complianceStatus: { 0: "Unknown", 1: "Pass", 2: "Warning", 3: "Fail", 99: "Other" },
} as const;

/** The schema; `99 Other` may carry any caption (the source's own). */
export const OCSF_COMPLIANCE_FINDING_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: [
    "activity_id",
    "category_uid",
    "class_uid",
    "type_uid",
    "time",
    "severity_id",
    "metadata",
    "finding_info",
    "compliance",
  ],
  properties: {
    activity_id: idEnum([1, 2, 3]),
    activity_name: { type: "string" },
    category_uid: { const: 2 },
    category_name: { const: "Findings" },
    class_uid: { const: 2003 },
    class_name: { const: "Compliance Finding" },
    type_uid: { enum: [200300, 200301, 200302, 200303, 200399] },
    type_name: { type: "string" },
    time: { type: "integer", minimum: 0 },
    severity_id: idEnum([1, 2, 3, 4, 5, 6]),
    severity: { type: "string" },
    status_id: idEnum([1, 2, 3, 4, 5, 6]),
    status: { type: "string" },
    status_code: { type: "string" },
    message: { type: "string" },
    metadata: {
      type: "object",
      required: ["product", "version"],
      properties: {
        version: { type: "string", pattern: "^1\\.\\d+\\.\\d+$" },
        uid: { type: "string" },
        tenant_uid: { type: "string" },
        profiles: { type: "array", items: { type: "string" } },
        product: {
          ...entity,
          required: ["vendor_name"],
          properties: { ...entity.properties, vendor_name: nonEmpty, version: { type: "string" } },
        },
      },
    },
    finding_info: {
      type: "object",
      required: ["uid", "title"],
      properties: {
        uid: nonEmpty,
        title: nonEmpty,
        desc: { type: "string" },
        types: { type: "array", items: { type: "string" } },
        created_time: { type: "integer", minimum: 0 },
      },
    },
    compliance: {
      type: "object",
      required: ["standards"],
      properties: {
        standards: { type: "array", items: { type: "string" } },
        requirements: { type: "array", items: { type: "string" } },
        control: { type: "string" },
        desc: { type: "string" },
        status_id: idEnum([1, 2, 3]),
        status: { type: "string" },
        status_code: { type: "string" },
        status_detail: { type: "string" },
      },
    },
    remediation: { type: "object", required: ["desc"], properties: { desc: nonEmpty } },
    resources: {
      type: "array",
      items: {
        ...entity,
        properties: {
          ...entity.properties,
          type: { type: "string" },
          role_id: idEnum([1, 2, 3, 4]),
          role: { type: "string" },
        },
      },
    },
    cloud: {
      type: "object",
      required: ["provider"],
      properties: { provider: nonEmpty, region: { type: "string" }, org: entity },
    },
    unmapped: { type: "object" },
  },
} as const;

const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(
  OCSF_COMPLIANCE_FINDING_SCHEMA,
);

/** Errors of one finding against the schema and the id/caption pairs; empty when it is valid. */
export function ocsfErrors(finding: unknown): string[] {
  const errors = validate(finding)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
  const f = finding as Record<string, Record<string, unknown> & { status_id?: number; status?: string }>;
  // type_uid = class_uid × 100 + activity_id; the cloud profile, when declared, requires `cloud`.
  const { activity_id: activity, type_uid: type } = finding as { activity_id?: unknown; type_uid?: unknown };
  if (typeof activity === "number" && type !== 200300 + activity)
    errors.push(`type_uid ${String(type)} is not class_uid × 100 + activity_id ${activity}`);
  const profiles = f.metadata?.profiles;
  if (Array.isArray(profiles) && profiles.includes("cloud") && f.cloud === undefined)
    errors.push("the cloud profile is declared without cloud");
  const pairs: [string, Record<number, string>, unknown, unknown][] = [
    ["activity_name", CAPTIONS.activity, f.activity_id, f.activity_name],
    ["severity", CAPTIONS.severity, f.severity_id, f.severity],
    ["status", CAPTIONS.findingStatus, f.status_id, f.status],
    ["compliance.status", CAPTIONS.complianceStatus, f.compliance?.status_id, f.compliance?.status],
  ];
  for (const [name, captions, id, caption] of pairs) {
    if (caption === undefined || id === 99) continue;
    if (captions[id as number] !== caption)
      errors.push(`${name} "${String(caption)}" is not the caption of ${String(id)}`);
  }
  return errors;
}
