/**
 * The shape a stored record must have to be used at all, checked after its seal: ids as requests
 * validate them, every action one of the kinds the code can plan with its exact fields, the journal and
 * the state. A record that does not fit is refused as PLAN_TAMPERED, naming the first problem.
 */
import { z } from "zod";
import { CONTROLS } from "../controls/registry.js";
import type { RemediationAction } from "./actions.js";
import { RemediationError } from "./errors.js";
import { ORG_ID_PATTERN, PLAN_ID_PATTERN, type RemediationPlan } from "./record.js";

const text = (max: number) => z.string().max(max);
const resourceId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}/\\]*$/u, "must not contain slashes or control characters");
const controlId = z.enum(CONTROLS.map((c) => c.id) as [string, ...string[]]);
const status = z.enum(["PASS", "FAIL", "MANUAL", "ERROR", "NOT_APPLICABLE", "MUTED"]);
const isoTime = z.iso.datetime();

const base = {
  id: text(256),
  controlId,
  // Names come from JumpCloud and may be long (they are capped where they are shown, not here).
  resource: z.strictObject({ type: text(64), id: resourceId.optional(), name: text(100_000) }),
  field: text(256),
  description: text(200_000),
};

const actionSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    ...base,
    kind: z.literal("admin-mfa"),
    adminId: resourceId,
    before: z.boolean(),
    after: z.literal(true),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("directory-insights"),
    orgId: z.string().regex(ORG_ID_PATTERN),
    before: z.boolean().nullable(),
    after: z.literal(true),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("create-ip-list"),
    ref: text(64),
    name: text(256),
    description: text(4096),
    ips: z.array(text(128)).max(1000),
    before: z.null(),
    after: z.literal("created"),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("create-authn-policy"),
    name: text(256),
    body: z.record(z.string(), z.unknown()),
    before: z.null(),
    after: z.literal("created"),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("enable-authn-policy"),
    policyId: resourceId,
    before: z.literal(true),
    after: z.literal(false),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("system-flag"),
    systemId: resourceId,
    flag: z.enum(["allowMultiFactorAuthentication", "allowSshPasswordAuthentication", "allowSshRootLogin"]),
    before: z.boolean().nullable(),
    after: z.boolean(),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("radius-mfa"),
    serverId: resourceId,
    before: z.enum(["DISABLED", "ENABLED", "REQUIRED", "ALWAYS"]).nullable(),
    after: z.literal("REQUIRED"),
  }),
]);

const plannedControl = z.strictObject({
  controlId,
  title: text(512),
  statusBefore: status,
  automated: z.enum(["yes", "opt-in", "no"]),
  actions: z.array(actionSchema).max(10_000),
  warnings: z.array(text(100_000)).max(100),
  manualSteps: z.array(text(4096)).max(100),
});

const applyOutcome = z.enum(["applied", "already", "unknown"]);
const undoOutcome = z.enum([
  "restored",
  "changed-since",
  "nothing-to-undo",
  "cannot-restore",
  "failed",
  "unknown",
]);
const who = { at: isoTime, by: text(200), reason: text(1000).optional() };

const recordSchema = z
  .strictObject({
    schemaVersion: z.literal("2.0"),
    planId: z.string().regex(PLAN_ID_PATTERN),
    orgId: z.string().regex(ORG_ID_PATTERN),
    status: z.enum(["planned", "applying", "applied", "failed", "rolling-back", "rolled-back"]),
    createdAt: isoTime,
    expiresAt: isoTime,
    requestedBy: text(200),
    reason: text(1000).optional(),
    trustedRanges: z.array(text(128)).max(100).optional(),
    controls: z.array(plannedControl).min(1).max(CONTROLS.length),
    operations: z.number().int().min(0).max(1_000_000),
    journal: z
      .array(
        z.strictObject({
          op: z.number().int().min(1),
          step: z.enum(["apply", "undo"]),
          actionId: text(256),
          at: isoTime,
          state: z.union([z.literal("intent"), applyOutcome, undoOutcome]),
          createdId: resourceId.optional(),
          leftAs: z.unknown().optional(),
          detail: text(4096).optional(),
        }),
      )
      .max(100_000),
    applied: z
      .strictObject({
        ...who,
        results: z.array(
          z.strictObject({ actionId: text(256), outcome: applyOutcome, createdId: resourceId.optional() }),
        ),
        statusAfter: z.record(z.string(), status),
      })
      .optional(),
    rolledBack: z
      .strictObject({
        ...who,
        outcomes: z.array(
          z.strictObject({ actionId: text(256), outcome: undoOutcome, detail: text(4096).optional() }),
        ),
        statusAfter: z.record(z.string(), status),
      })
      .optional(),
  })
  .superRefine((record, ctx) => {
    const ids = record.controls.flatMap((c) => c.actions.map((a) => a.id));
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate) ctx.addIssue({ code: "custom", message: `action id ${duplicate} appears twice` });
    const controls = record.controls.map((c) => c.controlId);
    if (new Set(controls).size !== controls.length)
      ctx.addIssue({ code: "custom", message: "a control appears twice" });
    for (const control of record.controls)
      for (const action of control.actions)
        if (action.controlId !== control.controlId)
          ctx.addIssue({
            code: "custom",
            message: `action ${action.id} is filed under ${control.controlId}`,
          });
    if (record.journal.some((entry) => entry.op > record.operations))
      ctx.addIssue({ code: "custom", message: "the journal names an operation the record never started" });
  });

/** Parses a verified record, or refuses it as PLAN_TAMPERED naming the first problem. */
export function parseRecord(value: unknown, where: string): RemediationPlan {
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RemediationError(
      "PLAN_TAMPERED",
      `The record ${where} is not a remediation record this version can use (${issue?.path.join(".") || "(root)"}: ${issue?.message}); nothing was changed: make a new plan`,
    );
  }
  // The schema mirrors RemediationAction; the authn policy body is compared with a fresh one before use.
  return parsed.data as RemediationPlan & { controls: { actions: RemediationAction[] }[] };
}
