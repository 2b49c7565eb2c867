/**
 * The deployment's configuration: the `jcAudit:*` context keys of `cdk.json` (or `-c key=value`),
 * validated at synth so a mistake fails `cdk synth` with the key's name and the reason, before anything
 * reaches CloudFormation. Values given with `-c` arrive as strings: lists and objects may be given as JSON
 * (`-c 'jcAudit:alertEmails=["a@example.com"]'`), lists also comma-separated, numbers and booleans as text.
 */

import { z } from "zod";
import { trustedRangeProblem } from "../lambdas/controls/conditional-access.js";
import { CONTROLS, controlById } from "../lambdas/controls/registry.js";
import type { AnyControl, Level } from "../lambdas/controls/types.js";
import { resolveThresholds } from "../lambdas/engine/thresholds.js";
import { fixedTimeOf, scheduleExpressionProblem, shiftCronTime } from "./schedule-expression.js";

/** Prefix of every context key this app reads. */
export const CONTEXT_PREFIX = "jcAudit:";

/** The base of the controls' schedules (`jcAudit:schedule`): daily at 06:00 UTC, then staggered. */
export const DEFAULT_SCHEDULE = "cron(0 6 * * ? *)";

/** Minutes between the starts of consecutive controls on a fixed-time base schedule (`jcAudit:staggerMinutes`). */
export const DEFAULT_STAGGER_MINUTES = 3;

/** How long after the last audit of the day the report runs by default. */
export const REPORT_DELAY_MINUTES = 30;

/** The report's schedule when no audit runs at a fixed time of day (all `rate(...)` or repeating crons). */
export const FALLBACK_REPORT_SCHEDULE = "cron(0 7 * * ? *)";

/**
 * Organizations audited at once by the fan-out (`jcAudit:maxConcurrency`). JumpCloud documents no rate
 * limit (only that it answers 429), so the default stays well below anything a tenant would notice: ten
 * audits in flight, each making its requests one after the other.
 */
export const DEFAULT_MAX_CONCURRENCY = 10;

/** Percentage of organizations whose audit may fail before the fan-out fails (`jcAudit:toleratedFailurePercentage`). */
export const DEFAULT_TOLERATED_FAILURE_PERCENTAGE = 10;

/** Sigma rule levels, lowest first (`jcAudit:minAlertLevel`). */
export const ALERT_LEVELS = ["informational", "low", "medium", "high", "critical"] as const;

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const LEVEL_RANK: Record<Level, number> = { L1: 1, L2: 2, L3: 3 };
const KNOWN_IDS = CONTROLS.map((control) => control.id).join(" ");

/** Object Lock settings of the findings bucket. */
export interface ObjectLockConfig {
  /** GOVERNANCE: users with `s3:BypassGovernanceRetention` may still delete; COMPLIANCE: nobody can. */
  readonly mode: "GOVERNANCE" | "COMPLIANCE";
  /** Days each object version is protected from deletion and overwrite of that version. */
  readonly days: number;
}

/** The validated deployment configuration. */
export interface DeployConfig {
  /** CloudFormation stack name (`jcAudit:stackName`). */
  readonly stackName: string;
  /** Highest profile level deployed; levels are cumulative (`jcAudit:level`). */
  readonly level: Level;
  /** The controls that get a function and a schedule, in guide order (`jcAudit:level` and `jcAudit:controls`). */
  readonly controls: readonly AnyControl[];
  /**
   * The schedule expression of each deployed control, by id: `jcAudit:schedules`, else `jcAudit:schedule`,
   * staggered by `jcAudit:staggerMinutes` per control when it is a cron at a fixed time.
   */
  readonly schedules: Readonly<Record<string, string>>;
  /** The report function (`jcAudit:reportSchedule`, `jcAudit:dailyDigest`). */
  readonly report: { readonly schedule: string; readonly dailyDigest: boolean };
  /** Whether the audits import their findings into Security Hub (`jcAudit:securityHub`). */
  readonly securityHub: boolean;
  /** Whether the functions ship source maps (`jcAudit:sourceMaps`). */
  readonly sourceMaps: boolean;
  /** JumpCloud data centre (`jcAudit:region`). */
  readonly region: "us" | "eu" | "in";
  /**
   * Organizations audited with a multi-tenant (MSP) key (`jcAudit:orgIds`): empty, the key's own
   * organization; "all", every organization the key sees (discovered at each run); else exactly these.
   */
  readonly orgIds: readonly string[] | "all";
  /** Organizations never audited, even under "all" (`jcAudit:orgExclude`). */
  readonly orgExclude: readonly string[];
  /** Organizations audited at once by the Step Functions fan-out (`jcAudit:maxConcurrency`). */
  readonly maxConcurrency: number;
  /** Share of organizations whose audit may fail before the fan-out fails (`jcAudit:toleratedFailurePercentage`). */
  readonly toleratedFailurePercentage: number;
  /** Public corporate egress ranges the 3.1 remediation trusts (`jcAudit:trustedRanges`); none by default. */
  readonly trustedRanges: readonly string[];
  /** Declared JumpCloud plan (`jcAudit:plan`); undefined: detected from the API's answers. */
  readonly plan?: "free" | "core" | "platform" | "platform_plus";
  /** E-mail subscriptions of the alerts topic (`jcAudit:alertEmails`). */
  readonly alertEmails: readonly string[];
  /** Slack channel of AWS Chatbot, when both ids are given (`jcAudit:slackWorkspaceId`, `jcAudit:slackChannelId`). */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  /** Days findings history and run reports are kept (`jcAudit:findingsRetentionDays`). */
  readonly findingsRetentionDays: number;
  /** Object Lock of the findings bucket; undefined: off (`jcAudit:objectLockDays`, `jcAudit:objectLockMode`). */
  readonly objectLock?: ObjectLockConfig;
  /** Days the functions' logs are kept (`jcAudit:logRetentionDays`). */
  readonly logRetentionDays: (typeof LOG_RETENTION_DAYS)[number];
  /** Whether a control that stopped failing is announced (`jcAudit:announceRecoveries`). */
  readonly announceRecoveries: boolean;
  /** Consecutive ERROR runs of a control before it alerts (`jcAudit:errorAlertAfter`). */
  readonly errorAlertAfter: number;
  /** Threshold overrides by control id, checked against the catalog (`jcAudit:thresholds`). */
  readonly thresholds: Readonly<Record<string, Readonly<Record<string, number | boolean | string>>>>;
  /** Memory of each function in MB (`jcAudit:memoryMb`). */
  readonly memoryMb: number;
  /** Timeout of each function in seconds (`jcAudit:timeoutSeconds`). */
  readonly timeoutSeconds: number;
  /** Reserved concurrency of each function; undefined: none reserved (`jcAudit:reservedConcurrency`). */
  readonly reservedConcurrency?: number;
  /** Whether the functions send X-Ray traces (`jcAudit:tracing`). */
  readonly tracing: boolean;
  /** Log level of the functions (`jcAudit:logLevel`). */
  readonly logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /**
   * The scheduled Sigma detections (`jcAudit:detections`, `jcAudit:detectionSchedule`, `jcAudit:silenceHours`,
   * `jcAudit:minAlertLevel`); undefined: not deployed.
   */
  readonly detections:
    | {
        readonly schedule: string;
        readonly silenceHours: number;
        readonly minAlertLevel: (typeof ALERT_LEVELS)[number];
      }
    | undefined;
}

/** Every problem of a configuration, one line each, naming the context key. */
export class DeployConfigError extends Error {
  override readonly name = "DeployConfigError";
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid jcAudit configuration (cdk.json context or -c):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Values given on the command line are strings: these turn them into what cdk.json would hold.

function parseJson(text: string, ctx: z.RefinementCtx, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    ctx.addIssue({ code: "custom", message: `must be ${expected}, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
}

/** A list: an array, a JSON array, or comma-separated text. */
function list<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value, ctx) => {
      if (typeof value !== "string") return value;
      const text = value.trim();
      if (text.startsWith("[")) return parseJson(text, ctx, "a JSON list");
      return text
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean);
    },
    z.array(item, { error: "must be a list (a JSON array or comma-separated values)" }),
  );
}

/** An object: an object or a JSON object. */
function record<T extends z.ZodType>(value: T) {
  return z.preprocess(
    (input, ctx) => (typeof input === "string" ? parseJson(input.trim(), ctx, "a JSON object") : input),
    z.record(z.string(), value, { error: "must be an object (JSON) keyed by control id" }),
  );
}

/** A whole number between min and max, also given as text. */
function integer(min: number, max: number) {
  return z.preprocess(
    (value) => (typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z
      .number({ error: `must be a whole number between ${min} and ${max}` })
      .int(`must be a whole number between ${min} and ${max}`)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
}

/** true or false, also given as text. */
const boolean = z.preprocess(
  (value) => (value === "true" ? true : value === "false" ? false : value),
  z.boolean({ error: "must be true or false" }),
);

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => `must be ${values.join(", ")}; got ${JSON.stringify(issue.input)}`,
  });
}

const controlId = z.string().refine((id) => controlById(id) !== undefined, {
  error: (issue) => `unknown control ${JSON.stringify(issue.input)} (known: ${KNOWN_IDS})`,
});

const orgIdList = list(z.string().regex(/^[0-9a-f]{24}$/i, "organization ids are 24 hexadecimal characters"));

const schedule = z
  .string({ error: "must be a schedule expression string" })
  .superRefine((expression, ctx) => {
    const problem = scheduleExpressionProblem(expression);
    if (problem) ctx.addIssue({ code: "custom", message: `${JSON.stringify(expression)}: ${problem}` });
  });

const schema = z.strictObject(
  {
    "jcAudit:stackName": z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, "must start with a letter and hold only letters, digits and -")
      .default("JumpCloudAudit"),
    "jcAudit:level": oneOf(["L1", "L2", "L3"]).default("L3"),
    "jcAudit:controls": list(controlId).optional(),
    "jcAudit:schedule": schedule.default(DEFAULT_SCHEDULE),
    "jcAudit:schedules": record(schedule).default({}),
    "jcAudit:staggerMinutes": integer(0, 60).default(DEFAULT_STAGGER_MINUTES),
    "jcAudit:reportSchedule": schedule.optional(),
    "jcAudit:dailyDigest": boolean.default(false),
    "jcAudit:securityHub": boolean.default(false),
    "jcAudit:sourceMaps": boolean.default(false),
    "jcAudit:region": oneOf(["us", "eu", "in"]).default("us"),
    "jcAudit:orgIds": z
      .union([z.literal("all"), orgIdList], {
        error: 'must be "all" or a list of 24-hexadecimal organization ids',
      })
      .default([]),
    "jcAudit:orgExclude": orgIdList.default([]),
    "jcAudit:maxConcurrency": integer(1, 100).default(DEFAULT_MAX_CONCURRENCY),
    "jcAudit:toleratedFailurePercentage": integer(0, 100).default(DEFAULT_TOLERATED_FAILURE_PERCENTAGE),
    "jcAudit:plan": oneOf(["free", "core", "platform", "platform_plus"]).optional(),
    "jcAudit:trustedRanges": list(
      z.string().refine((range) => trustedRangeProblem(range) === undefined, {
        error: (issue) => trustedRangeProblem(String(issue.input)) ?? "is not a trusted range",
      }),
    ).default([]),
    "jcAudit:alertEmails": list(
      z.email({ error: (issue) => `${JSON.stringify(issue.input)} is not an e-mail address` }),
    ).default([]),
    "jcAudit:slackWorkspaceId": z
      .string()
      .regex(/^[0-9A-Z]{1,255}$/, "is the workspace id shown by the AWS Chatbot console, e.g. T0123ABCD")
      .optional(),
    "jcAudit:slackChannelId": z
      .string()
      .regex(/^[A-Za-z0-9]{1,255}$/, "is the channel id at the end of the channel's link, e.g. C0123ABCD")
      .optional(),
    "jcAudit:findingsRetentionDays": integer(1, 36_500).default(400),
    "jcAudit:objectLockDays": integer(0, 36_500).default(0),
    "jcAudit:objectLockMode": oneOf(["GOVERNANCE", "COMPLIANCE"]).default("GOVERNANCE"),
    "jcAudit:logRetentionDays": integer(1, 3653)
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        error: `must be one of the periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
      })
      .default(365),
    "jcAudit:announceRecoveries": boolean.default(false),
    "jcAudit:errorAlertAfter": integer(1, 30).default(3),
    "jcAudit:thresholds": record(
      z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]), {
        error: 'must map threshold names to values, e.g. {"1.2": {"maxFullAdmins": 4}}',
      }),
    ).default({}),
    "jcAudit:memoryMb": integer(128, 10_240).default(512),
    "jcAudit:timeoutSeconds": integer(1, 900).default(300),
    "jcAudit:reservedConcurrency": z
      .union([z.literal("none"), integer(1, 1000)], {
        error: 'must be a whole number between 1 and 1000, or "none"',
      })
      .default(1),
    "jcAudit:tracing": boolean.default(false),
    "jcAudit:logLevel": oneOf(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
    "jcAudit:detections": boolean.default(true),
    "jcAudit:detectionSchedule": schedule.default("rate(15 minutes)"),
    "jcAudit:silenceHours": z.coerce.number().int().min(1).max(2160).default(24),
    "jcAudit:minAlertLevel": oneOf(ALERT_LEVELS).default("low"),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown context key ${issue.keys.join(", ")} (see the README's Deploy section for the keys)`
        : undefined,
  },
);

/** Every context key this app reads. */
export const CONTEXT_KEYS = Object.keys(schema.shape) as readonly (keyof typeof schema.shape)[];

type Parsed = z.output<typeof schema>;

/** Checks that need several keys; returns the problems. */
function crossChecks(parsed: Parsed, controls: readonly AnyControl[]): string[] {
  const problems: string[] = [];
  const level = parsed["jcAudit:level"];
  for (const id of parsed["jcAudit:controls"] ?? []) {
    const control = controlById(id);
    if (control && LEVEL_RANK[control.level] > LEVEL_RANK[level]) {
      problems.push(
        `jcAudit:controls: ${id} is ${control.level}, above jcAudit:level ${level} (levels are cumulative: raise the level or drop the control)`,
      );
    }
  }
  if (controls.length === 0) problems.push("jcAudit:controls: no control is left to deploy");
  const deployed = new Set(controls.map((control) => control.id));
  for (const id of Object.keys(parsed["jcAudit:schedules"])) {
    if (!controlById(id)) problems.push(`jcAudit:schedules: unknown control "${id}" (known: ${KNOWN_IDS})`);
    else if (!deployed.has(id))
      problems.push(
        `jcAudit:schedules: control ${id} is not deployed (see jcAudit:level and jcAudit:controls)`,
      );
  }
  for (const [id, overrides] of Object.entries(parsed["jcAudit:thresholds"])) {
    const control = controlById(id);
    if (!control) {
      problems.push(`jcAudit:thresholds: unknown control "${id}" (known: ${KNOWN_IDS})`);
      continue;
    }
    try {
      resolveThresholds(control, overrides);
    } catch (error) {
      problems.push(`jcAudit:thresholds: ${(error as Error).message}`);
    }
  }
  const workspace = parsed["jcAudit:slackWorkspaceId"];
  const channel = parsed["jcAudit:slackChannelId"];
  if (workspace && !channel) problems.push("jcAudit:slackChannelId: required with jcAudit:slackWorkspaceId");
  if (channel && !workspace) problems.push("jcAudit:slackWorkspaceId: required with jcAudit:slackChannelId");
  const orgIds = parsed["jcAudit:orgIds"];
  const excluded = parsed["jcAudit:orgExclude"].map((id) => id.toLowerCase());
  if (Array.isArray(orgIds) && excluded.length > 0) {
    const both = orgIds.filter((id) => excluded.includes(id.toLowerCase()));
    if (both.length > 0)
      problems.push(
        `jcAudit:orgExclude: ${both.join(", ")} also listed in jcAudit:orgIds (drop it from one of them)`,
      );
  }
  const lockDays = parsed["jcAudit:objectLockDays"];
  if (lockDays > 0 && parsed["jcAudit:findingsRetentionDays"] < lockDays) {
    problems.push(
      `jcAudit:findingsRetentionDays: ${parsed["jcAudit:findingsRetentionDays"]} is shorter than jcAudit:objectLockDays ${lockDays} (locked versions cannot expire earlier)`,
    );
  }
  return problems;
}

/**
 * Each deployed control's schedule: its `jcAudit:schedules` entry, else `jcAudit:schedule`. A base that is
 * a cron at a fixed time (`cron(0 6 * * ? *)`) is staggered: the i-th deployed control, in catalog order
 * from 0, starts i × `jcAudit:staggerMinutes` later, so the functions do not share JumpCloud's rate limit;
 * any other base (`rate(...)`, a cron firing several times a day) applies as given. Adds a problem when a
 * stagger would cross midnight on a base that does not fire every day.
 */
function controlSchedules(parsed: Parsed, controls: readonly AnyControl[], problems: string[]) {
  const base = parsed["jcAudit:schedule"];
  const step = parsed["jcAudit:staggerMinutes"];
  const pastMidnight: string[] = [];
  const entries = controls.map((control, index): [string, string] => {
    const own = parsed["jcAudit:schedules"][control.id];
    if (own) return [control.id, own];
    const staggered = shiftCronTime(base, index * step);
    if (staggered === undefined && fixedTimeOf(base)) pastMidnight.push(control.id);
    return [control.id, staggered ?? base];
  });
  if (pastMidnight.length > 0) {
    problems.push(
      `jcAudit:staggerMinutes: ${pastMidnight.join(", ")} would start past midnight, after ${base}, which does not fire every day (their days would change): start earlier, lower jcAudit:staggerMinutes (0: no stagger) or give them jcAudit:schedules`,
    );
  }
  return Object.fromEntries(entries);
}

/**
 * The report's default schedule: daily, {@link REPORT_DELAY_MINUTES} after the last of the audits that
 * run at a fixed time of day, "last" in the cycle of the day (audits at 23:50 and 00:17 end at 00:17);
 * the others run often enough that their latest finding is read whenever the report runs. Without any
 * fixed-time audit: {@link FALLBACK_REPORT_SCHEDULE}.
 */
export function defaultReportSchedule(schedules: readonly string[]): string {
  const times = [
    ...new Set(
      schedules
        .map(fixedTimeOf)
        .filter((time) => time !== undefined)
        .map((time) => time.hour * 60 + time.minute),
    ),
  ].sort((a, b) => a - b);
  if (times.length === 0) return FALLBACK_REPORT_SCHEDULE;
  // The last run before the longest quiet stretch of the day (ties: the later one).
  let last = times[0] ?? 0;
  let longestQuiet = -1;
  for (const [index, time] of times.entries()) {
    const next = times[(index + 1) % times.length] ?? time;
    const quiet = (next - time + 1440) % 1440 || 1440;
    if (quiet >= longestQuiet) {
      longestQuiet = quiet;
      last = time;
    }
  }
  const at = (last + REPORT_DELAY_MINUTES) % 1440;
  return `cron(${at % 60} ${Math.floor(at / 60)} * * ? *)`;
}

/**
 * Whether the deployment audits several organizations, and so runs through the Step Functions fan-out:
 * `jcAudit:orgIds` is "all" or lists more than one organization.
 */
export function isMultiOrg(config: Pick<DeployConfig, "orgIds">): boolean {
  return config.orgIds === "all" || config.orgIds.length > 1;
}

/** `JC_ORG_IDS` of the functions: "all", the ids comma-separated, or empty (the key's own organization). */
export function orgIdsEnv(orgIds: readonly string[] | "all"): string {
  return orgIds === "all" ? "all" : orgIds.join(",");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const [key, ...rest] = issue.path;
  if (key === undefined) return issue.message;
  const where = rest.map((part) => `[${JSON.stringify(part)}]`).join("");
  return `${String(key)}${where}: ${issue.message}`;
}

/**
 * Reads and validates the `jcAudit:*` keys of a context (e.g. `app.node.getAllContext()`); other keys
 * (feature flags) are ignored, an unknown `jcAudit:` key is an error. Throws a DeployConfigError listing
 * every problem.
 */
export function loadDeployConfig(context: Readonly<Record<string, unknown>>): DeployConfig {
  const ours = Object.fromEntries(
    Object.entries(context).filter(
      ([key, value]) =>
        key.startsWith(CONTEXT_PREFIX) && value !== null && value !== undefined && value !== "",
    ),
  );
  const result = schema.safeParse(ours);
  if (!result.success) throw new DeployConfigError(result.error.issues.map(describeIssue));
  const parsed = result.data;

  const level = parsed["jcAudit:level"];
  const only = parsed["jcAudit:controls"];
  const controls = CONTROLS.filter(
    (control) => (!only || only.includes(control.id)) && LEVEL_RANK[control.level] <= LEVEL_RANK[level],
  );
  const problems = crossChecks(parsed, controls);
  const schedules = controlSchedules(parsed, controls, problems);
  if (problems.length > 0) throw new DeployConfigError(problems);

  const lockDays = parsed["jcAudit:objectLockDays"];
  const concurrency = parsed["jcAudit:reservedConcurrency"];
  const plan = parsed["jcAudit:plan"];
  const workspaceId = parsed["jcAudit:slackWorkspaceId"];
  const channelId = parsed["jcAudit:slackChannelId"];
  return {
    stackName: parsed["jcAudit:stackName"],
    level,
    controls,
    schedules,
    report: {
      schedule: parsed["jcAudit:reportSchedule"] ?? defaultReportSchedule(Object.values(schedules)),
      dailyDigest: parsed["jcAudit:dailyDigest"],
    },
    securityHub: parsed["jcAudit:securityHub"],
    sourceMaps: parsed["jcAudit:sourceMaps"],
    region: parsed["jcAudit:region"],
    orgIds: parsed["jcAudit:orgIds"],
    orgExclude: parsed["jcAudit:orgExclude"],
    maxConcurrency: parsed["jcAudit:maxConcurrency"],
    toleratedFailurePercentage: parsed["jcAudit:toleratedFailurePercentage"],
    trustedRanges: parsed["jcAudit:trustedRanges"],
    ...(plan ? { plan } : {}),
    alertEmails: parsed["jcAudit:alertEmails"],
    ...(workspaceId && channelId ? { slack: { workspaceId, channelId } } : {}),
    findingsRetentionDays: parsed["jcAudit:findingsRetentionDays"],
    ...(lockDays > 0 ? { objectLock: { mode: parsed["jcAudit:objectLockMode"], days: lockDays } } : {}),
    logRetentionDays: parsed["jcAudit:logRetentionDays"] as DeployConfig["logRetentionDays"],
    announceRecoveries: parsed["jcAudit:announceRecoveries"],
    errorAlertAfter: parsed["jcAudit:errorAlertAfter"],
    thresholds: parsed["jcAudit:thresholds"],
    memoryMb: parsed["jcAudit:memoryMb"],
    timeoutSeconds: parsed["jcAudit:timeoutSeconds"],
    ...(concurrency === "none" ? {} : { reservedConcurrency: concurrency }),
    tracing: parsed["jcAudit:tracing"],
    logLevel: parsed["jcAudit:logLevel"],
    detections: parsed["jcAudit:detections"]
      ? {
          schedule: parsed["jcAudit:detectionSchedule"],
          silenceHours: parsed["jcAudit:silenceHours"],
          minAlertLevel: parsed["jcAudit:minAlertLevel"],
        }
      : undefined,
  };
}
