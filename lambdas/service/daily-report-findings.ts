/**
 * The daily report's view of one control: its `latest.json` as read from the bucket, trusted only once it
 * is a well-formed, self-consistent finding of that organization and control, recent enough to stand for
 * today. Anything else is shown as ERROR with its reason (never as the status the object claims): a
 * missing object as never evaluated, a malformed or foreign one as invalid, an old one as stale.
 */
import * as z from "zod/mini";
import type { AnyControl, ControlStatus } from "../controls/types.js";
import { type ControlFinding, countResults, SCHEMA_VERSION } from "../engine/findings.js";
import { clean, MAX_PARAGRAPH } from "../shared/output-safety.js";
import "../shared/zod-messages.js";

/** Why a control's latest finding is not shown as it stands (the code of the ERROR shown instead). */
export type FindingProblemCode = "FINDING_MISSING" | "FINDING_INVALID" | "FINDING_STALE";

/** What the bucket held at a control's `latest.json`. */
export type LatestObject =
  | { kind: "absent" }
  | { kind: "text"; text: string }
  | { kind: "too-large"; bytes: number; limit: number };

/** A control as the report shows it, and, when it is not its stored finding, why. */
export interface ReportedControl {
  finding: ControlFinding;
  problem?: {
    code: FindingProblemCode;
    message: string;
    /** What the stored finding said (stale findings only). */
    was?: { status: ControlStatus; evaluatedAt: string };
  };
}

/** Where and when the control is reported. */
export interface ReportContext {
  orgId: string;
  control: AnyControl;
  /** The report's time: the "now" staleness is measured from. */
  now: Date;
  /** A finding older than this many seconds is stale (two periods of the control's schedule). */
  staleAfterSeconds: number;
  /** The run id of the findings this report makes up. */
  runId: string;
}

/** A finding stamped this far after the report's time is not trusted (clocks differ by less). */
export const FUTURE_SKEW_MS = 5 * 60_000;

const text = z.string();
const count = z.number().check(z.int(), z.minimum(0));
const resultStatus = z.enum(["PASS", "FAIL", "MANUAL", "MUTED", "ERROR"]);
const resultSchema = z.object({
  resourceType: text,
  resourceId: text,
  resourceName: text,
  check: text,
  status: resultStatus,
  message: text,
  observed: z.optional(z.unknown()),
  expected: z.optional(z.unknown()),
  measure: z.optional(z.object({ value: z.number(), unit: text, worseWhen: z.enum(["higher", "lower"]) })),
  mutedBy: z.optional(z.object({ reason: text, owner: text, expires: text })),
});

// Title, section, level, severity and frameworks are not read: the catalog's own values are shown.
const storedFindingSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  runId: text,
  orgId: text,
  controlId: text,
  status: z.enum(["PASS", "FAIL", "MANUAL", "ERROR", "NOT_APPLICABLE", "MUTED"]),
  summary: text,
  results: z.array(resultSchema),
  counts: z.object({ PASS: count, FAIL: count, MANUAL: count, MUTED: count, ERROR: count }),
  omitted: z.optional(z.object({ PASS: count })),
  error: z.optional(
    z.object({
      code: text,
      message: text,
      datasets: z.array(
        z.object({ dataset: text, code: text, message: text, status: z.optional(z.number()) }),
      ),
    }),
  ),
  evidence: z.optional(z.record(z.string(), z.unknown())),
  evaluatedAt: z.iso.datetime({ offset: false }),
  durationMs: z.number().check(z.minimum(0)),
});

/** The control as the report shows it, from what its `latest.json` held. */
export function reportedControl(stored: LatestObject, ctx: ReportContext): ReportedControl {
  if (stored.kind === "absent")
    return problem(ctx, "FINDING_MISSING", "Never evaluated: no finding of this control is in the bucket.");
  if (stored.kind === "too-large")
    return invalid(ctx, `it is ${stored.bytes} bytes, more than the ${stored.limit} a finding may have`);
  let value: unknown;
  try {
    value = JSON.parse(stored.text);
  } catch {
    return invalid(ctx, "it is not JSON");
  }
  const parsed = z.safeParse(storedFindingSchema, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid(ctx, `${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  const kept = parsed.data;
  if (kept.orgId !== ctx.orgId)
    return invalid(ctx, `it is a finding of organization ${clean(kept.orgId, 64)}`);
  if (kept.controlId !== ctx.control.id)
    return invalid(ctx, `it is a finding of control ${clean(kept.controlId, 64)}`);
  const inconsistency = inconsistencyOf(kept);
  if (inconsistency) return invalid(ctx, inconsistency);

  // Dataset names are only ever shown (as text), so any string stands for one.
  const finding = { ...catalogFields(ctx), ...kept } as ControlFinding;
  const age = ctx.now.getTime() - Date.parse(finding.evaluatedAt);
  const was = { status: finding.status, evaluatedAt: finding.evaluatedAt };
  const then = `It was ${finding.status} at ${finding.evaluatedAt}: ${clean(finding.summary, MAX_PARAGRAPH)}`;
  if (age > ctx.staleAfterSeconds * 1000)
    return problem(
      ctx,
      "FINDING_STALE",
      `Stale: last evaluated ${describeAge(age)} before this report, longer than ${describeAge(ctx.staleAfterSeconds * 1000)} (two periods of its schedule), so its status today is unknown. ${then}`,
      was,
    );
  if (-age > FUTURE_SKEW_MS)
    return problem(
      ctx,
      "FINDING_STALE",
      `Not trusted: the finding is dated ${describeAge(-age)} after this report, so its status today is unknown. ${then}`,
      was,
    );
  return { finding };
}

/**
 * What makes a stored finding contradict itself, if anything: counts that do not match the results kept,
 * or a status better than its results (a PASS with failing results is never shown as a PASS).
 */
function inconsistencyOf(f: z.infer<typeof storedFindingSchema>): string | undefined {
  const kept = countResults(f.results);
  for (const status of ["FAIL", "MANUAL", "MUTED", "ERROR"] as const)
    if (f.counts[status] !== kept[status])
      return `counts.${status} is ${f.counts[status]} but ${kept[status]} ${status} results are listed`;
  if (f.counts.PASS !== kept.PASS + (f.omitted?.PASS ?? 0))
    return `counts.PASS is ${f.counts.PASS} but ${kept.PASS} PASS results are listed and ${f.omitted?.PASS ?? 0} omitted`;
  const worse: Partial<Record<ControlStatus, (keyof typeof kept)[]>> = {
    PASS: ["FAIL", "ERROR", "MANUAL", "MUTED"],
    MUTED: ["FAIL", "ERROR"],
    NOT_APPLICABLE: ["FAIL", "ERROR"],
  };
  const contradicting = (worse[f.status] ?? []).find((status) => kept[status] > 0);
  if (contradicting) return `its status is ${f.status} but it lists ${contradicting} results`;
  return undefined;
}

function invalid(ctx: ReportContext, reason: string): ReportedControl {
  return problem(
    ctx,
    "FINDING_INVALID",
    `Not trusted: the stored latest finding cannot be used (${reason}), so its status is unknown.`,
  );
}

/** An ERROR finding standing for the control, with the reason as its summary and error. */
function problem(
  ctx: ReportContext,
  code: FindingProblemCode,
  message: string,
  was?: { status: ControlStatus; evaluatedAt: string },
): ReportedControl {
  const finding: ControlFinding = {
    ...catalogFields(ctx),
    schemaVersion: SCHEMA_VERSION,
    runId: ctx.runId,
    orgId: ctx.orgId,
    controlId: ctx.control.id,
    status: "ERROR",
    summary: message,
    results: [],
    counts: countResults([]),
    error: { code, message, datasets: [] },
    // A stale finding keeps its time (when it was last evaluated); the others are "as of the report".
    evaluatedAt: was?.evaluatedAt ?? ctx.now.toISOString(),
    durationMs: 0,
  };
  return { finding, problem: { code, message, ...(was ? { was } : {}) } };
}

function catalogFields(ctx: ReportContext) {
  const c = ctx.control;
  return {
    title: c.title,
    section: c.section,
    level: c.level,
    severity: c.severity,
    frameworks: { cis: [...c.mappings.cis], nist: [...c.mappings.nist], soc2: [...c.mappings.soc2] },
  };
}

/** "3 days", "36 hours", "20 minutes". */
export function describeAge(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 72) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}
