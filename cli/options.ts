/** Parsing and validating `jc-audit run` options into the engine's terms. */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { controlById } from "../lambdas/controls/registry.js";
import type { Level } from "../lambdas/controls/types.js";
import type { Plan } from "../lambdas/engine/evaluate.js";
import {
  DEFAULT_MAX_EXCEPTION_DAYS,
  MAX_EXCEPTION_DAYS_CEILING,
  type RiskException,
} from "../lambdas/engine/exceptions.js";
import { parseExceptions } from "../lambdas/engine/exceptions-file.js";
import type { ThresholdOverrides } from "../lambdas/engine/thresholds.js";
import { isJumpCloudRegion, type JumpCloudRegion } from "../lambdas/jumpcloud/regions.js";
import {
  parseCompliance,
  parseSeverities,
  parseStatuses,
  ReportFilterError,
  type ReportFilters,
} from "../lambdas/reports/filters.js";
import {
  assertRenderable,
  REPORT_FORMATS,
  ReportError,
  type ReportFormat,
} from "../lambdas/reports/index.js";
import { clean } from "../lambdas/shared/output-safety.js";
import { UsageError } from "./errors.js";

/** Raw flags as commander gives them. */
export interface RunFlags {
  controls?: string;
  level?: string;
  region: string;
  baseUrl?: string;
  insightsUrl?: string;
  orgId?: string;
  orgExclude?: string;
  concurrency?: string;
  out: string;
  format: string;
  exceptions?: string;
  maxExceptionDays?: string;
  thresholds?: string;
  plan?: string;
  demo?: boolean;
  allResults?: boolean;
  outputFormats?: string;
  status?: string;
  severity?: string;
  compliance?: string;
}

/** Formats of `--format` and `--output-formats`: the terminal table and the rendered reports. */
export const OUTPUT_FORMATS = ["table", ...REPORT_FORMATS] as const;
/** A format of `--format` or `--output-formats`. */
export type OutputFormat = "table" | ReportFormat;

/** Validated options of a run. */
export interface RunOptions {
  controls?: string[];
  level?: Level;
  region: JumpCloudRegion;
  baseUrl?: string;
  insightsUrl?: string;
  orgId?: string;
  /** `--org-id all`: every organization the key sees (an MSP key), audited `concurrency` at a time. */
  allOrgs: boolean;
  /** Organizations left out of `--org-id all`. */
  orgExclude: string[];
  /** Organizations audited at once with `--org-id all`. */
  concurrency: number;
  out: string;
  /** The report on stdout. */
  format: OutputFormat;
  /** Reports also written under `{out}/reports/`, one file per format. */
  outputFormats: OutputFormat[];
  /** The view of the reports; never applied to findings or the exit code. */
  filters: ReportFilters;
  exceptions: RiskException[];
  /** Latest expiry accepted for an exception, in days ahead. */
  maxExceptionDays: number;
  thresholds: ThresholdOverrides;
  plan?: Plan;
  demo: boolean;
  /** Keep every passing result in findings (default: at most 1000 per control). */
  allResults: boolean;
}

const PLANS = ["free", "core", "platform", "platform_plus"] as const;

/** Validates flags; the first problem is a UsageError naming it. */
export function parseRunFlags(flags: RunFlags): RunOptions {
  const controls = flags.controls
    ?.split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  if (flags.controls !== undefined && !controls?.length)
    throw new UsageError("--controls needs at least one control id, e.g. --controls 1.1,2.1");
  const unknown = controls?.filter((id) => !controlById(id)) ?? [];
  if (unknown.length)
    throw new UsageError(
      `--controls: unknown control ${unknown.join(", ")} (known: 1.1 1.2 2.1 2.2 3.1 3.2 4.1 4.2 5.1 5.2)`,
    );
  if (flags.level !== undefined && !["L1", "L2", "L3"].includes(flags.level))
    throw new UsageError(`--level must be L1, L2 or L3, got "${flags.level}"`);
  if (!isJumpCloudRegion(flags.region))
    throw new UsageError(`--region must be us, eu or in, got "${flags.region}"`);
  const format = parseFormat(flags.format, "--format");
  const outputFormats = flags.outputFormats === undefined ? [] : parseFormats(flags.outputFormats);
  const filters = parseFilters(flags);
  if (flags.plan !== undefined && !(PLANS as readonly string[]).includes(flags.plan)) {
    throw new UsageError(`--plan must be one of ${PLANS.join(", ")}, got "${flags.plan}"`);
  }
  for (const [name, url] of [
    ["--base-url", flags.baseUrl],
    ["--insights-url", flags.insightsUrl],
  ] as const) {
    if (url !== undefined && !URL.canParse(url)) throw new UsageError(`${name} must be a URL, got "${url}"`);
  }
  if (flags.demo && (flags.baseUrl || flags.insightsUrl || flags.orgId)) {
    throw new UsageError(
      "--demo runs on the built-in simulator: it cannot be combined with --base-url, --insights-url or --org-id",
    );
  }
  const allOrgs = flags.orgId === "all";
  if (flags.orgId !== undefined && !allOrgs && !ORG_ID.test(flags.orgId))
    throw new UsageError(
      `--org-id must be 24 hexadecimal characters or all, got "${clean(flags.orgId, 64)}"`,
    );
  const orgExclude = parseOrgExclude(flags.orgExclude, allOrgs);
  const concurrency = parseConcurrency(flags.concurrency, allOrgs);
  if (allOrgs && format !== "table")
    throw new UsageError(
      `--org-id all prints one line per organization: --format must be table (write ${format} reports with --output-formats ${format})`,
    );
  const days = flags.maxExceptionDays ?? String(DEFAULT_MAX_EXCEPTION_DAYS);
  if (!/^\d{1,4}$/.test(days) || Number(days) < 1 || Number(days) > MAX_EXCEPTION_DAYS_CEILING) {
    throw new UsageError(
      `--max-exception-days must be a whole number of days from 1 to ${MAX_EXCEPTION_DAYS_CEILING}, got "${days}"`,
    );
  }
  const maxExceptionDays = Number(days);
  return {
    ...(controls ? { controls } : {}),
    ...(flags.level ? { level: flags.level as Level } : {}),
    region: flags.region,
    ...(flags.baseUrl ? { baseUrl: flags.baseUrl } : {}),
    ...(flags.insightsUrl ? { insightsUrl: flags.insightsUrl } : {}),
    ...(flags.orgId && !allOrgs ? { orgId: flags.orgId } : {}),
    allOrgs,
    orgExclude,
    concurrency,
    out: flags.out,
    format,
    outputFormats,
    filters,
    exceptions: flags.exceptions
      ? parseExceptions(readConfig(flags.exceptions, "--exceptions"), flags.exceptions)
      : [],
    maxExceptionDays,
    thresholds: flags.thresholds
      ? parseThresholds(readConfig(flags.thresholds, "--thresholds"), flags.thresholds)
      : {},
    ...(flags.plan ? { plan: flags.plan as Plan } : {}),
    demo: flags.demo === true,
    allResults: flags.allResults === true,
  };
}

const ORG_ID = /^[0-9a-f]{24}$/i;

/** Organizations audited at once with `--org-id all`, by default and at most. */
export const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 32;

/** `--org-exclude id,id`: only with `--org-id all`, each a 24-hex id. */
function parseOrgExclude(list: string | undefined, allOrgs: boolean): string[] {
  if (list === undefined) return [];
  if (!allOrgs) throw new UsageError("--org-exclude only applies with --org-id all");
  const ids = list
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new UsageError("--org-exclude needs at least one organization id");
  const bad = ids.find((id) => !ORG_ID.test(id));
  if (bad !== undefined)
    throw new UsageError(
      `--org-exclude: organization ids are 24 hexadecimal characters, got "${clean(bad, 64)}"`,
    );
  return ids;
}

/** `--concurrency n`: only with `--org-id all`, a whole number from 1 to 32. */
function parseConcurrency(text: string | undefined, allOrgs: boolean): number {
  if (text === undefined) return DEFAULT_CONCURRENCY;
  if (!allOrgs) throw new UsageError("--concurrency only applies with --org-id all");
  if (!/^\d{1,2}$/.test(text) || Number(text) < 1 || Number(text) > MAX_CONCURRENCY)
    throw new UsageError(
      `--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got "${clean(text, 64)}"`,
    );
  return Number(text);
}

function parseFormat(name: string, flag: string): OutputFormat {
  const format = name.trim().toLowerCase();
  if (format === "table") return format;
  try {
    assertRenderable(format);
    return format;
  } catch (error) {
    if (!(error instanceof ReportError)) throw error;
    throw new UsageError(
      error.code === "UNKNOWN_FORMAT"
        ? `${flag} must be one of ${OUTPUT_FORMATS.join(", ")}, got "${clean(name, 64)}"`
        : `${flag} ${format}: ${error.message}`,
    );
  }
}

/** `--output-formats csv,html`: each known, at least one, duplicates dropped. */
function parseFormats(list: string): OutputFormat[] {
  const names = list
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new UsageError(`--output-formats needs at least one of ${OUTPUT_FORMATS.join(", ")}`);
  return [...new Set(names.map((n) => parseFormat(n, "--output-formats")))];
}

function parseFilters(flags: RunFlags): ReportFilters {
  try {
    return {
      ...(flags.status !== undefined ? { statuses: parseStatuses(flags.status) } : {}),
      ...(flags.severity !== undefined ? { severities: parseSeverities(flags.severity) } : {}),
      ...(flags.compliance !== undefined ? { compliance: parseCompliance(flags.compliance) } : {}),
    };
  } catch (error) {
    if (error instanceof ReportFilterError) throw new UsageError(error.message);
    throw error;
  }
}

const thresholdsSchema = z.record(
  z.string(),
  z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
);

/** Parses a thresholds file: `{ "1.2": { "maxFullAdmins": 4 } }` in YAML or JSON. */
export function parseThresholds(text: string, source: string): ThresholdOverrides {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  const parsed = thresholdsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${source}: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  const unknown = Object.keys(parsed.data).filter((id) => !controlById(id));
  if (unknown.length > 0)
    throw new UsageError(`${source}: unknown control ${unknown.join(", ")} (keys are control ids like 1.2)`);
  return parsed.data;
}

function readConfig(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
}

/**
 * Refuses, before anything is sent to JumpCloud, an output folder the command could not write: one
 * UsageError naming it. Creates nothing: a folder that does not exist yet is judged by its nearest
 * existing parent, and `subfolders` (the top-level folders the command writes into) by theirs.
 */
export function assertWritableFolder(path: string, flag: string, subfolders: readonly string[] = []): void {
  const folder = resolve(path);
  const probed = new Set<string>();
  for (const target of [folder, ...subfolders.map((name) => join(folder, name))]) {
    const existing = nearestExisting(target, folder, flag);
    if (probed.has(existing)) continue;
    probed.add(existing);
    // Permission bits do not tell (root, ACLs, read-only mounts): writing and removing a file does.
    const probe = join(existing, `.jc-audit-write-check-${process.pid}-${randomBytes(4).toString("hex")}`);
    try {
      writeFileSync(probe, "", { flag: "wx" });
    } catch (error) {
      const where = existing === folder ? "" : ` (${existing})`;
      throw new UsageError(`${flag} ${folder} is not writable${where}: ${errorCode(error)}`);
    }
    rmSync(probe, { force: true });
  }
}

/** The deepest existing path at or above `target`; a file in the way is a UsageError naming it. */
function nearestExisting(target: string, folder: string, flag: string): string {
  let current = target;
  for (;;) {
    try {
      if (statSync(current).isDirectory()) return current;
      throw new UsageError(
        `${flag} ${folder} is not a writable folder: ${current === folder ? "it is" : `${current} is`} a file`,
      );
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = errorCode(error);
      // ENOTDIR: a file further up is in the way; walking up finds it and names it.
      if ((code === "ENOENT" || code === "ENOTDIR") && dirname(current) !== current) {
        current = dirname(current);
        continue;
      }
      throw new UsageError(`${flag} ${folder} cannot be reached: ${code}`);
    }
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? "error";
}
