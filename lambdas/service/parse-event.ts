/** Validates an incoming event payload: one clear error naming the first problem, before anything runs. */
import type { z } from "zod";

/** A payload that does not fit the expected schema. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
  readonly code = "INVALID_EVENT" as const;
}

/** Parses `event` with `schema` or throws InvalidEventError. */
export function parseEvent<T extends z.ZodType>(schema: T, event: unknown): z.infer<T> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidEventError(`Invalid event: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  return parsed.data;
}
