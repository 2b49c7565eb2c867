/** The remediation function's input (issue 5's contract), validated before anything runs. */
import { z } from "zod";
import { CONTROLS } from "../controls/registry.js";
import { ORG_ID_PATTERN, PLAN_ID_PATTERN } from "../remediation/record.js";

const controlIds = CONTROLS.map((c) => c.id);

/** `{ mode, controls?, planId?, requestedBy, reason?, orgId? }`; extra fields are refused. */
export const remediationRequestSchema = z
  .strictObject({
    mode: z.enum(["plan", "apply", "rollback"]),
    controls: z
      .array(
        z.string().refine((id) => controlIds.includes(id), {
          message: `unknown control id (known: ${controlIds.join(", ")})`,
        }),
      )
      .min(1)
      .optional(),
    planId: z.string().regex(PLAN_ID_PATTERN, "must be a plan id returned by plan mode").optional(),
    // Both end up in notifications and logs: no control characters (a newline could forge lines there).
    requestedBy: z
      .string()
      .max(200)
      .regex(/^[^\p{Cc}]*$/u, "must not contain control characters such as newlines")
      .refine((text) => text.trim().length >= 3, { message: "must name who asks (3 characters at least)" }),
    reason: z
      .string()
      .max(1000)
      .regex(/^[^\p{Cc}]*$/u, "must not contain control characters such as newlines")
      .optional(),
    orgId: z.string().regex(ORG_ID_PATTERN, "must be 24 hexadecimal characters").optional(),
  })
  .refine((r) => r.mode === "plan" || r.planId !== undefined, {
    message: "apply and rollback need the planId of a plan",
    path: ["planId"],
  });

/** A validated remediation request. */
export type RemediationRequest = z.infer<typeof remediationRequestSchema>;
