/**
 * A JSON Schema of the ASFF findings this tool imports, written by hand from the Security Hub API
 * reference (AwsSecurityFinding and its parts, as documented in @aws-sdk/client-securityhub's types):
 *
 * - required: SchemaVersion, Id (≤ 512), ProductArn, GeneratorId (≤ 512), AwsAccountId (12 digits),
 *   CreatedAt, UpdatedAt (ISO 8601), Title (≤ 256), Description (≤ 1024), Resources (1–32); Types
 *   (≤ 50, namespace/category/classifier) and Severity, which a finding needs to be created;
 * - Resource: Type (≤ 256), Id (≤ 512), Details.Other: up to 50 pairs, keys under 128 characters,
 *   values under 1,024; ProductFields: up to 50 pairs, keys ≤ 128, values ≤ 2048;
 * - Compliance.Status PASSED | WARNING | FAILED | NOT_AVAILABLE, RelatedRequirements ≤ 32;
 *   Remediation.Recommendation.Text ≤ 512; Severity.Label INFORMATIONAL | LOW | MEDIUM | HIGH |
 *   CRITICAL, Original ≤ 64; RecordState ACTIVE | ARCHIVED; Workflow.Status NEW | NOTIFIED |
 *   RESOLVED | SUPPRESSED; Region ≤ 16; ProductName, CompanyName ≤ 128.
 *
 * Every string must hold a non-space character (the API's `.*\S.*`). Unknown top-level fields are
 * refused, so a misspelt one fails here rather than being dropped by the API.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const text = (max: number) => ({ type: "string", minLength: 1, maxLength: max, pattern: "\\S" });
const stringMap = (keyMax: number, valueMax: number) => ({
  type: "object",
  maxProperties: 50,
  propertyNames: { minLength: 1, maxLength: keyMax },
  additionalProperties: { type: "string", maxLength: valueMax },
});
const severity = {
  type: "object",
  required: ["Label"],
  additionalProperties: false,
  properties: {
    Label: { enum: ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"] },
    Original: text(64),
  },
};
const types = {
  type: "array",
  minItems: 1,
  maxItems: 50,
  items: {
    type: "string",
    maxLength: 128,
    pattern:
      "^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(/[^/]+){0,2}$",
  },
};

/** The schema of one imported finding. */
export const ASFF_FINDING_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: [
    "SchemaVersion",
    "Id",
    "ProductArn",
    "GeneratorId",
    "AwsAccountId",
    "Types",
    "CreatedAt",
    "UpdatedAt",
    "Severity",
    "Title",
    "Description",
    "Resources",
    "Compliance",
    "RecordState",
    "Workflow",
  ],
  properties: {
    SchemaVersion: { const: "2018-10-08" },
    Id: text(512),
    ProductArn: {
      type: "string",
      pattern: "^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\\d{12}:product/\\d{12}/default$",
    },
    ProductName: text(128),
    CompanyName: text(128),
    Region: text(16),
    GeneratorId: text(512),
    AwsAccountId: { type: "string", pattern: "^\\d{12}$" },
    Types: types,
    CreatedAt: { type: "string", format: "date-time" },
    UpdatedAt: { type: "string", format: "date-time" },
    LastObservedAt: { type: "string", format: "date-time" },
    Severity: severity,
    Title: text(256),
    Description: text(1024),
    Remediation: {
      type: "object",
      required: ["Recommendation"],
      additionalProperties: false,
      properties: {
        Recommendation: {
          type: "object",
          required: ["Text"],
          additionalProperties: false,
          properties: { Text: text(512), Url: { type: "string", format: "uri" } },
        },
      },
    },
    ProductFields: stringMap(128, 2048),
    Resources: {
      type: "array",
      minItems: 1,
      maxItems: 32,
      items: {
        type: "object",
        required: ["Type", "Id"],
        additionalProperties: false,
        properties: {
          Type: text(256),
          Id: text(512),
          Details: {
            type: "object",
            additionalProperties: false,
            properties: { Other: stringMap(127, 1023) },
          },
        },
      },
    },
    Compliance: {
      type: "object",
      required: ["Status"],
      additionalProperties: false,
      properties: {
        Status: { enum: ["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"] },
        RelatedRequirements: { type: "array", maxItems: 32, items: text(128) },
      },
    },
    RecordState: { enum: ["ACTIVE", "ARCHIVED"] },
    Workflow: {
      type: "object",
      required: ["Status"],
      additionalProperties: false,
      properties: { Status: { enum: ["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"] } },
    },
    FindingProviderFields: {
      type: "object",
      additionalProperties: false,
      properties: { Severity: severity, Types: types },
    },
  },
} as const;

const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
const validate = ajv.compile(ASFF_FINDING_SCHEMA);

/** Errors of one finding against the schema; empty when it is valid. */
export function asffErrors(finding: unknown): string[] {
  if (validate(finding)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

/** Fails with every finding's errors, named by id, unless all are valid. */
export function expectValidAsff(findings: readonly unknown[]): void {
  const problems = findings.flatMap((f) =>
    asffErrors(f).map((e) => `${(f as { Id?: string }).Id ?? "(no id)"}: ${e}`),
  );
  if (problems.length > 0) throw new Error(`Invalid ASFF:\n${problems.slice(0, 20).join("\n")}`);
}
