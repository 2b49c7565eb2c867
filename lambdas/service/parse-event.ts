/** Validates an incoming event payload: one clear error naming the first problem, before anything runs. */
import * as z from "zod/mini";
import "../shared/zod-messages.js";

/** A payload that does not fit the expected schema. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
  readonly code = "INVALID_EVENT" as const;
}

/** Parses `event` with `schema` or throws InvalidEventError. */
export function parseEvent<T extends z.core.$ZodType>(schema: T, event: unknown): z.infer<T> {
  const parsed = z.safeParse(schema, event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidEventError(`Invalid event: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  return parsed.data;
}

/** How far a scheduled event's time may be from the clock: a day covers retries and late deliveries. */
export const MAX_EVENT_CLOCK_SKEW_MS = 86_400_000;

/**
 * Refuses an event stamped far from `now` (a replayed archive, a hand-made event with a typo): its time
 * sets the evaluation's windows, so it would judge another era and write that verdict as the latest.
 */
export function assertEventTimeNear(time: string, now: Date): void {
  const at = Date.parse(time);
  if (Math.abs(at - now.getTime()) > MAX_EVENT_CLOCK_SKEW_MS) {
    throw new InvalidEventError(
      `Invalid event: time: ${time} is more than 1 day ${at < now.getTime() ? "before" : "after"} now (${now.toISOString()}); refusing to evaluate another era`,
    );
  }
}
