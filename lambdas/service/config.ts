/**
 * Configuration of the deployed functions, from their environment (set by the CDK stack), validated
 * once at cold start so a misconfiguration fails loudly with the variable's name.
 */
import * as z from "zod/mini";
import { controlById } from "../controls/registry.js";
import "../shared/zod-messages.js";

const csv = z.pipe(
  z.optional(z.string()),
  z.transform((value: string | undefined) =>
    value
      ? value
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean)
      : [],
  ),
);

const orgId = z.string().check(z.regex(/^[0-9a-f]{24}$/i, "org ids are 24 hexadecimal characters"));
const orgList = z.pipe(csv, z.array(orgId));
/** `JC_ORG_IDS` of the audit function: "all" (every organization the key sees), a list, or empty (the key's own). */
const orgSelection = z.union([z.literal("all"), orgList]);
/** `JC_ORG_IDS` of functions that audit no portfolio: "all" is refused by name rather than misread as a list. */
const orgListOnly = z.pipe(
  z.optional(
    z
      .string()
      .check(z.refine((v) => v.trim() !== "all", '"all" is accepted only by the audit and report functions')),
  ),
  orgList,
);
const flag = z.pipe(
  z._default(z.enum(["true", "false"]), "false"),
  z.transform((v: "true" | "false") => v === "true"),
);
const eventTime = z.iso.datetime({ message: "must be an ISO 8601 UTC timestamp" });
const knownControl = (message: string) =>
  z.string().check(z.refine((id: string) => controlById(id) !== undefined, { message }));

/** A bounded whole number from an environment string, with its default. */
const wholeNumber = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

/** A JSON environment variable: `accept` returns the value or undefined, and `message` names what it must be. */
const jsonText = <T>(accept: (value: unknown) => T | undefined, message: string) =>
  z.transform((text: string, payload) => {
    try {
      const value = accept(JSON.parse(text));
      if (value !== undefined) return value;
    } catch {}
    payload.issues.push({ code: "custom", message, input: text });
    return z.NEVER;
  });

const auditEnvSchema = z.object({
  FINDINGS_BUCKET: z.string().check(z.minLength(3)),
  ALERTS_TOPIC_ARN: z.string().check(z.startsWith("arn:", "must be an SNS topic ARN")),
  API_KEY_SECRET_ARN: z.string().check(z.minLength(1)),
  JC_REGION: z._default(z.enum(["us", "eu", "in"]), "us"),
  /** Overrides of the region's hosts (a private proxy; the simulator in tests). */
  JC_BASE_URL: z.optional(z.url()),
  JC_INSIGHTS_URL: z.optional(z.url()),
  JC_ORG_IDS: orgSelection,
  /** Organizations never audited, even under "all" (`jcAudit:orgExclude`). */
  JC_ORG_EXCLUDE: orgList,
  JC_PLAN: z.optional(z.enum(["free", "core", "platform", "platform_plus"])),
  ANNOUNCE_RECOVERIES: flag,
  ERROR_ALERT_AFTER: wholeNumber(1, 30, 3),
  /**
   * Security Hub import (`jcAudit:securityHub`): the account's default product, the only ARN the role may
   * import into; absent: off.
   */
  SECURITY_HUB_PRODUCT_ARN: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:(\d{12}):product\/\1\/default$/,
          "must be arn:aws:securityhub:{region}:{account}:product/{account}/default",
        ),
      ),
  ),
  THRESHOLDS_JSON: z.pipe(
    z._default(z.string(), "{}"),
    // Any JSON text (JSON.parse never returns undefined); the thresholds module judges each entry.
    jsonText((value) => value as Record<string, Record<string, unknown>>, "must be JSON"),
  ),
  AWS_REGION: z.optional(z.string()),
});

/** Validated configuration of an audit function. */
export type AuditConfig = z.infer<typeof auditEnvSchema>;

/** Environment variables the stack sets on audit functions (the contract between lib/ and lambdas/). */
export const AUDIT_ENV = [
  "FINDINGS_BUCKET",
  "ALERTS_TOPIC_ARN",
  "API_KEY_SECRET_ARN",
  "JC_REGION",
  "JC_BASE_URL",
  "JC_INSIGHTS_URL",
  "JC_ORG_IDS",
  "JC_ORG_EXCLUDE",
  "JC_PLAN",
  "ANNOUNCE_RECOVERIES",
  "ERROR_ALERT_AFTER",
  "THRESHOLDS_JSON",
  "SECURITY_HUB_PRODUCT_ARN",
] as const;

/** Reads and validates an audit function's environment; names the first bad variable. */
export function loadAuditConfig(env: Record<string, string | undefined>): AuditConfig {
  return parseEnv(auditEnvSchema, env);
}

const eventId = z.string().check(z.minLength(1), z.maxLength(128));
const auditedControl = knownControl("must be a control id of the catalog, like 2.1");

/** The event each schedule sends: the control to audit and the EventBridge event's id and time. */
export const scheduledAuditEventSchema = z.strictObject({
  controlId: auditedControl,
  eventId,
  time: eventTime,
});

/** One item of the fan-out: one control of one organization, the execution's event id and time. */
export const auditItemEventSchema = z.strictObject({
  controlId: auditedControl,
  orgId,
  eventId,
  time: eventTime,
});

/** The fan-out's first step: which organizations to audit. */
export const discoverEventSchema = z.strictObject({
  action: z.literal("discover"),
  eventId,
  time: eventTime,
});

/** Every event an audit function accepts (see `auditEventSchemaFor` for a precise error). */
export const auditEventSchema = z.union([
  scheduledAuditEventSchema,
  auditItemEventSchema,
  discoverEventSchema,
]);

/** A validated scheduled-audit event (today's shape). */
export type ScheduledAuditEvent = z.infer<typeof scheduledAuditEventSchema>;
/** A validated fan-out item. */
export type AuditItemEvent = z.infer<typeof auditItemEventSchema>;
/** A validated discovery request. */
export type DiscoverEvent = z.infer<typeof discoverEventSchema>;
/** Any validated audit-function event. */
export type AuditEvent = z.infer<typeof auditEventSchema>;

/**
 * The one schema an event claims by its shape (`action` → discovery, `orgId` → item, else scheduled), so
 * a bad event is named by its first wrong field instead of a union's "no shape matched".
 */
export function auditEventSchemaFor(
  event: unknown,
): typeof scheduledAuditEventSchema | typeof auditItemEventSchema | typeof discoverEventSchema {
  const shape = event !== null && typeof event === "object" ? event : {};
  if ("action" in shape) return discoverEventSchema;
  if ("orgId" in shape) return auditItemEventSchema;
  return scheduledAuditEventSchema;
}

/** What every deployed function needs: where findings and alerts go, its key, and how to reach JumpCloud. */
const functionEnvSchema = z.extend(
  z.pick(auditEnvSchema, {
    FINDINGS_BUCKET: true,
    ALERTS_TOPIC_ARN: true,
    API_KEY_SECRET_ARN: true,
    JC_REGION: true,
    JC_BASE_URL: true,
    JC_INSIGHTS_URL: true,
    AWS_REGION: true,
  }),
  { JC_ORG_IDS: orgListOnly },
);

const remediationEnvSchema = z.extend(functionEnvSchema, {
  JC_PLAN: auditEnvSchema.shape.JC_PLAN,
  TRUSTED_RANGES: csv,
  /** The KMS HMAC key that seals remediation records (without it no plan could be verified). */
  REMEDIATION_SEAL_KEY_ARN: z.string().check(z.startsWith("arn:", "must be a KMS key ARN")),
});

/** Validated configuration of the remediation function. */
export type RemediationConfig = z.infer<typeof remediationEnvSchema>;

/** Reads and validates the remediation function's environment; names the first bad variable. */
export function loadRemediationConfig(env: Record<string, string | undefined>): RemediationConfig {
  return parseEnv(remediationEnvSchema, env);
}

const detectionEnvSchema = z.extend(functionEnvSchema, {
  /** No Directory Insights events for this many hours is alerted once. */
  SILENCE_HOURS: wholeNumber(1, 2160, 24),
  /** Minutes re-read before the checkpoint, for late events. */
  OVERLAP_MINUTES: wholeNumber(0, 120, 5),
  /** Lowest rule level that is alerted (lower ones are only counted). */
  MIN_ALERT_LEVEL: z._default(z.enum(["informational", "low", "medium", "high", "critical"]), "low"),
  /** Folder of the Sigma rules; default: the copy shipped beside the bundle. */
  RULES_DIR: z.optional(z.string().check(z.minLength(1))),
});

/** Validated configuration of the detection function. */
export type DetectionConfig = z.infer<typeof detectionEnvSchema>;

/** Reads and validates the detection function's environment; names the first bad variable. */
export function loadDetectionConfig(env: Record<string, string | undefined>): DetectionConfig {
  return parseEnv(detectionEnvSchema, env);
}

const reportEnvSchema = z.object({
  FINDINGS_BUCKET: auditEnvSchema.shape.FINDINGS_BUCKET,
  ALERTS_TOPIC_ARN: auditEnvSchema.shape.ALERTS_TOPIC_ARN,
  /** Organizations reported; empty or "all": every organization with findings in the bucket. */
  JC_ORG_IDS: z.pipe(
    z.pipe(
      z.optional(z.string()),
      z.transform((value: string | undefined) => (value?.trim() === "all" ? "" : value)),
    ),
    orgList,
  ),
  /** The deployed controls, comma-separated: a deployed control without a finding is reported, not skipped. */
  CONTROL_IDS: z.pipe(csv, z.array(knownControl("unknown control id")).check(z.minLength(1))),
  /** `{"1.1": 172800, ...}`: seconds after which a control's latest finding is stale (two schedule periods). */
  STALE_AFTER_JSON: z.pipe(
    z.string(),
    jsonText(
      (value) =>
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => Number.isInteger(v) && (v as number) > 0)
          ? (value as Record<string, number>)
          : undefined,
      'must be a JSON object of positive whole seconds, e.g. {"1.1": 172800}',
    ),
  ),
  /** Whether one digest message per organization is published (`jcAudit:dailyDigest`). */
  DAILY_DIGEST: flag,
  AWS_REGION: z.optional(z.string()),
});

/** Validated configuration of the report function. */
export type ReportConfig = z.infer<typeof reportEnvSchema>;

/** Reads and validates the report function's environment; names the first bad variable. */
export function loadReportConfig(env: Record<string, string | undefined>): ReportConfig {
  return parseEnv(reportEnvSchema, env);
}

/**
 * The report function's event: its schedule sends `{ eventId, time }`; an on-demand invocation (or the
 * fan-out's last step) may name the organizations and omit the time (then: now).
 */
export const reportEventSchema = z.strictObject({
  eventId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  time: z.optional(eventTime),
  orgIds: z.optional(z.array(orgId).check(z.maxLength(5000))),
  /** Also write the portfolio summary (`reports/_portfolio/{date}.html` and `.csv`): the fan-out's last step. */
  portfolio: z.optional(z.boolean()),
});

/** A validated report event. */
export type ReportEvent = z.infer<typeof reportEventSchema>;

/** Validates an environment against a schema, naming the first bad variable. */
function parseEnv<T extends z.ZodMiniType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}
