/** The remediation function's input (issue 5's contract), validated before anything runs. */
import * as z from "zod/mini";
import { CONTROLS } from "../controls/registry.js";
import { ORG_ID_PATTERN, PLAN_ID_PATTERN } from "../remediation/record.js";
import "../shared/zod-messages.js";

const controlIds = CONTROLS.map((c) => c.id);
// Both end up in notifications and logs: no control characters (a newline could forge lines there).
const noControlCharacters = () =>
  z.regex(/^[^\p{Cc}]*$/u, "must not contain control characters such as newlines");

/** `{ mode, controls?, planId?, requestedBy, reason?, orgId? }`; extra fields are refused. */
export const remediationRequestSchema = z
  .strictObject({
    mode: z.enum(["plan", "apply", "rollback"]),
    controls: z.optional(
      z
        .array(
          z.string().check(
            z.refine((id: string) => controlIds.includes(id), {
              message: `unknown control id (known: ${controlIds.join(", ")})`,
            }),
          ),
        )
        .check(z.minLength(1)),
    ),
    planId: z.optional(z.string().check(z.regex(PLAN_ID_PATTERN, "must be a plan id returned by plan mode"))),
    requestedBy: z.string().check(
      z.maxLength(200),
      noControlCharacters(),
      z.refine((text: string) => text.trim().length >= 3, {
        message: "must name who asks (3 characters at least)",
      }),
    ),
    reason: z.optional(z.string().check(z.maxLength(1000), noControlCharacters())),
    orgId: z.optional(z.string().check(z.regex(ORG_ID_PATTERN, "must be 24 hexadecimal characters"))),
  })
  .check(
    z.refine((r: { mode: string; planId?: string }) => r.mode === "plan" || r.planId !== undefined, {
      message: "apply and rollback need the planId of a plan",
      path: ["planId"],
    }),
  );

/** A validated remediation request. */
export type RemediationRequest = z.infer<typeof remediationRequestSchema>;
