/**
 * Tolerant reading of values that came from the JumpCloud API. Real tenants send typed JSON where the
 * spec says string (a lock-screen `timeout` of 900, a checkbox `true`), older records lack fields newer
 * ones have, and any field may be null. Controls read API values only through these functions, which
 * never throw and keep three cases apart: a value of the expected type, "not reported" (absent or null),
 * and a value of another type (never guessed at, never a PASS). A reading that is not a value becomes a
 * `Doubt`: MANUAL when it was not reported (a person can look), ERROR when it was of another type.
 */

/** The outcome of reading one API value. */
export type Reading<T> =
  | { readonly state: "value"; readonly value: T }
  | { readonly state: "absent" }
  | { readonly state: "invalid"; readonly raw: unknown; readonly expected: string };

const ABSENT: Reading<never> = { state: "absent" };

function invalid(raw: unknown, expected: string): Reading<never> {
  return { state: "invalid", raw, expected };
}

function isAbsent(raw: unknown): boolean {
  return raw === undefined || raw === null;
}

/** A boolean: JSON `true`/`false`, or the strings "true"/"false" (any case) some endpoints send. */
export function readBoolean(raw: unknown): Reading<boolean> {
  if (isAbsent(raw)) return ABSENT;
  if (typeof raw === "boolean") return { state: "value", value: raw };
  if (typeof raw === "string") {
    const text = raw.trim().toLowerCase();
    if (text === "true") return { state: "value", value: true };
    if (text === "false") return { state: "value", value: false };
  }
  return invalid(raw, "a boolean");
}

/** A finite number: a JSON number, or a string holding only a decimal number. */
export function readNumber(raw: unknown): Reading<number> {
  if (isAbsent(raw)) return ABSENT;
  if (typeof raw === "number")
    return Number.isFinite(raw) ? { state: "value", value: raw } : invalid(raw, "a finite number");
  if (typeof raw === "string" && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(raw)) {
    return { state: "value", value: Number(raw) };
  }
  return invalid(raw, "a number");
}

/** A string (numbers and booleans are not strings: a field that should be text but is not is reported). */
export function readString(raw: unknown): Reading<string> {
  if (isAbsent(raw)) return ABSENT;
  return typeof raw === "string" ? { state: "value", value: raw } : invalid(raw, "a string");
}

/** A list. */
export function readList(raw: unknown): Reading<readonly unknown[]> {
  if (isAbsent(raw)) return ABSENT;
  return Array.isArray(raw) ? { state: "value", value: raw } : invalid(raw, "a list");
}

/** A JSON object (not an array). */
export function readObject(raw: unknown): Reading<Readonly<Record<string, unknown>>> {
  if (isAbsent(raw)) return ABSENT;
  return typeof raw === "object" && !Array.isArray(raw)
    ? { state: "value", value: raw as Record<string, unknown> }
    : invalid(raw, "an object");
}

/** The value, or `fallback` when it was absent or of another type. For display only, never for a verdict. */
export function valueOr<T, F>(reading: Reading<T>, fallback: F): T | F {
  return reading.state === "value" ? reading.value : fallback;
}

/** A string for names and labels: the text when it is one, otherwise `fallback` (ids, JSON of odd types). */
export function textOf(raw: unknown, fallback: string): string {
  if (typeof raw === "string" && raw !== "") return raw;
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return fallback;
}

/** Words for a reading that is not a value, for messages: `not reported`, `"abc" (expected a number)`. */
export function describeReading(reading: Reading<unknown>): string {
  if (reading.state === "value") return JSON.stringify(reading.value) ?? String(reading.value);
  if (reading.state === "absent") return "not reported";
  return `${preview(reading.raw)} (expected ${reading.expected})`;
}

/** A short JSON rendering of an odd value for messages. */
export function preview(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Why a value settles no verdict: MANUAL when it was not reported (a person can look), ERROR when it was of another type. */
export interface Doubt {
  readonly status: "MANUAL" | "ERROR";
  readonly reason: string;
}

/** How a doubt's reason words a field that was not reported (each control keeps the wording its messages have). */
export type NotReported =
  | "<field> is not reported"
  | "<field> not reported"
  | "The API did not report <field>";

/** The doubt a reading that is not a value raises, naming the field: `ips is 5 (expected a list)`, or not reported. */
export function doubtOf(
  field: string,
  reading: Reading<unknown>,
  notReported: NotReported = "<field> is not reported",
): Doubt {
  return reading.state === "absent"
    ? { status: "MANUAL", reason: notReported.replace("<field>", () => field) }
    : { status: "ERROR", reason: `${field} is ${describeReading(reading)}` };
}

/** Whether a value is a doubt (and not one of the verdicts, flags or records it stands in for). */
export function isDoubt(value: unknown): value is Doubt {
  return typeof value === "object" && value !== null && "status" in value && "reason" in value;
}

/** ERROR when any doubt is ERROR, otherwise MANUAL. */
export function worstStatusOf(doubts: readonly Doubt[]): "MANUAL" | "ERROR" {
  return doubts.some((d) => d.status === "ERROR") ? "ERROR" : "MANUAL";
}

/** Several doubts as one (the worst status, the reasons joined; each reason once when `distinct`), or undefined for none. */
export function combineDoubts(
  doubts: readonly (Doubt | undefined)[],
  { separator = "; ", distinct = false }: { separator?: string; distinct?: boolean } = {},
): Doubt | undefined {
  const present = doubts.filter((d): d is Doubt => d !== undefined);
  if (present.length === 0) return undefined;
  const reasons = present.map((d) => d.reason);
  return {
    status: worstStatusOf(present),
    reason: (distinct ? [...new Set(reasons)] : reasons).join(separator),
  };
}

/** A record's fields, or undefined when it is not an object (such a record is reported, never judged). */
export function fieldsOf(raw: unknown): Readonly<Record<string, unknown>> | undefined {
  const record = readObject(raw);
  return record.state === "value" ? record.value : undefined;
}

/** Words for a value that should be an object but is not (null, text, a number…), for messages. */
export function notAnObject(raw: unknown): string {
  return `${preview(raw)} (expected an object)`;
}
