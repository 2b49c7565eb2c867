/**
 * The shape a stored record must have to be used at all, checked after its seal: ids as requests
 * validate them, every action one of the kinds the code can plan with its exact fields, the journal and
 * the state. A record that does not fit is refused as PLAN_TAMPERED, naming the first problem.
 */
import * as z from "zod/mini";
import { CONTROLS } from "../controls/registry.js";
import "../shared/zod-messages.js";
import type { RemediationAction } from "./actions.js";
import { RemediationError } from "./errors.js";
import { ORG_ID_PATTERN, PLAN_ID_PATTERN, type RemediationPlan } from "./record.js";

const text = (max: number) => z.string().check(z.maxLength(max));
const resourceId = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[^\p{Cc}/\\]*$/u, "must not contain slashes or control characters"),
  );
const orgId = () => z.string().check(z.regex(ORG_ID_PATTERN));
const wholeNumber = (min: number, max?: number) =>
  z.number().check(z.int(), z.minimum(min), ...(max === undefined ? [] : [z.maximum(max)]));
const controlId = z.enum(CONTROLS.map((c) => c.id) as [string, ...string[]]);
const status = z.enum(["PASS", "FAIL", "MANUAL", "ERROR", "NOT_APPLICABLE", "MUTED"]);
const isoTime = z.iso.datetime();

const base = {
  id: text(256),
  controlId,
  // Names come from JumpCloud and may be long (they are capped where they are shown, not here).
  resource: z.strictObject({ type: text(64), id: z.optional(resourceId), name: text(100_000) }),
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
    orgId: orgId(),
    before: z.nullable(z.boolean()),
    after: z.literal(true),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("create-ip-list"),
    ref: text(64),
    name: text(256),
    description: text(4096),
    ips: z.array(text(128)).check(z.maxLength(1000)),
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
    before: z.nullable(z.boolean()),
    after: z.boolean(),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("radius-mfa"),
    serverId: resourceId,
    before: z.nullable(z.enum(["DISABLED", "ENABLED", "REQUIRED", "ALWAYS"])),
    after: z.literal("REQUIRED"),
  }),
]);

const plannedControl = z.strictObject({
  controlId,
  title: text(512),
  statusBefore: status,
  automated: z.enum(["yes", "opt-in", "no"]),
  actions: z.array(actionSchema).check(z.maxLength(10_000)),
  warnings: z.array(text(100_000)).check(z.maxLength(100)),
  manualSteps: z.array(text(4096)).check(z.maxLength(100)),
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
const who = { at: isoTime, by: text(200), reason: z.optional(text(1000)) };

const recordSchema = z
  .strictObject({
    schemaVersion: z.literal("2.0"),
    planId: z.string().check(z.regex(PLAN_ID_PATTERN)),
    orgId: orgId(),
    status: z.enum(["planned", "applying", "applied", "failed", "rolling-back", "rolled-back"]),
    createdAt: isoTime,
    expiresAt: isoTime,
    requestedBy: text(200),
    reason: z.optional(text(1000)),
    trustedRanges: z.optional(z.array(text(128)).check(z.maxLength(100))),
    controls: z.array(plannedControl).check(z.minLength(1), z.maxLength(CONTROLS.length)),
    operations: wholeNumber(0, 1_000_000),
    journal: z
      .array(
        z.strictObject({
          op: wholeNumber(1),
          step: z.enum(["apply", "undo"]),
          actionId: text(256),
          at: isoTime,
          state: z.union([z.literal("intent"), applyOutcome, undoOutcome]),
          createdId: z.optional(resourceId),
          leftAs: z.optional(z.unknown()),
          detail: z.optional(text(4096)),
        }),
      )
      .check(z.maxLength(100_000)),
    applied: z.optional(
      z.strictObject({
        ...who,
        results: z.array(
          z.strictObject({ actionId: text(256), outcome: applyOutcome, createdId: z.optional(resourceId) }),
        ),
        statusAfter: z.record(z.string(), status),
      }),
    ),
    rolledBack: z.optional(
      z.strictObject({
        ...who,
        outcomes: z.array(
          z.strictObject({ actionId: text(256), outcome: undoOutcome, detail: z.optional(text(4096)) }),
        ),
        statusAfter: z.record(z.string(), status),
      }),
    ),
  })
  .check(
    z.superRefine((record, ctx) => {
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
    }),
  );

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
