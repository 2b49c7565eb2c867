/**
 * Reading an exceptions file (YAML or JSON). Kept apart from the engine so the Lambda bundles, which
 * take exceptions from configuration rather than files, do not carry a YAML parser.
 */
import { parse as parseYaml } from "yaml";
import * as z from "zod/mini";
import "../shared/zod-messages.js";
import { EngineError } from "./errors.js";
import { type RiskException, scopeProblem } from "./exceptions.js";

const exceptionSchema = z
  .strictObject({
    controlId: z.string().check(z.regex(/^[1-5]\.[0-9]$/, "must be a guide control id like 2.1")),
    /** Resource id, or a pattern over id or name where `*` matches anything (e.g. `svc.*`). */
    resource: z.string().check(z.minLength(1)),
    /** Required (true, with resource `*`) to mute every resource of the control. */
    allResources: z.optional(z.boolean()),
    /** Limit to one check of the resource (e.g. `ssh-root-login`); all checks when omitted. */
    check: z.optional(z.string().check(z.minLength(1))),
    reason: z.string().check(z.minLength(10, "must say why the risk is accepted (10 characters at least)")),
    owner: z.string().check(z.minLength(1)),
    expires: z.iso.date("must be a date, YYYY-MM-DD"),
  })
  .check(
    z.superRefine((exception, context) => {
      const problem = scopeProblem(exception);
      if (problem) context.addIssue({ code: "custom", path: ["resource"], message: problem });
    }),
  );

const fileSchema = z.strictObject({ exceptions: z.array(exceptionSchema) });

/** Parses an exceptions file (YAML or JSON: `{ exceptions: [...] }`), naming the first problem. */
export function parseExceptions(text: string, source = "exceptions file"): RiskException[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new EngineError(
      "INVALID_EXCEPTIONS",
      `${source} is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EngineError(
      "INVALID_EXCEPTIONS",
      `${source}: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    );
  }
  return parsed.data.exceptions;
}
