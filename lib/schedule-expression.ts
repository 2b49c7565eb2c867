/**
 * EventBridge schedule expressions, checked at synth so a typo fails `cdk synth` with the reason instead
 * of a CloudFormation rollback: `cron(minutes hours day-of-month month day-of-week year)` or
 * `rate(value unit)`, with EventBridge's rules (not Unix cron's).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 */

/** One field of an EventBridge cron expression. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted for values (JAN…DEC, SUN…SAT), mapped to their numbers. */
  readonly names?: readonly string[];
  /** Special forms of the field besides values, ranges, lists, `*` and increments. */
  readonly special?: (item: string, field: CronField) => boolean | undefined;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Day of month: `L` (last day), `LW` (last weekday), `15W` (weekday nearest the 15th). */
function dayOfMonthSpecial(item: string, field: CronField): boolean | undefined {
  if (item === "L" || item === "LW") return true;
  const weekday = /^(\d{1,2})W$/.exec(item);
  if (weekday) return inRange(Number(weekday[1]), field);
  return undefined;
}

/** Day of week: `L` (last day of the week), `5L` (last Thursday of the month), `3#2` (second Tuesday). */
function dayOfWeekSpecial(item: string, field: CronField): boolean | undefined {
  if (item === "L") return true;
  const last = /^([A-Z0-9]+)L$/.exec(item);
  if (last?.[1]) return numberOf(last[1], field) !== undefined;
  const nth = /^([A-Z0-9]+)#(\d)$/.exec(item);
  if (nth?.[1]) return numberOf(nth[1], field) !== undefined && Number(nth[2]) >= 1 && Number(nth[2]) <= 5;
  return undefined;
}

const FIELDS: readonly CronField[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, special: dayOfMonthSpecial },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: WEEKDAYS, special: dayOfWeekSpecial },
  { name: "year", min: 1970, max: 2199 },
];

function inRange(value: number, field: CronField): boolean {
  return Number.isInteger(value) && value >= field.min && value <= field.max;
}

/** The number of a value (`7`, `JUL`), or undefined when it is not one the field accepts. */
function numberOf(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) return inRange(Number(text), field) ? Number(text) : undefined;
  const index = field.names?.indexOf(text) ?? -1;
  return index >= 0 ? index + 1 : undefined;
}

/** Checks one comma-separated item of a field; returns why it is wrong, or undefined. */
function checkItem(item: string, field: CronField): string | undefined {
  const special = field.special?.(item, field);
  if (special !== undefined) return special ? undefined : `"${item}" is out of range in ${field.name}`;
  const [base = "", step, ...extra] = item.split("/");
  if (extra.length > 0) return `"${item}" has more than one "/" in ${field.name}`;
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= field.max)) {
    return `"${item}" needs an increment between 1 and ${field.max} after "/" in ${field.name}`;
  }
  if (base === "*") return undefined;
  const bounds = base.split("-");
  if (bounds.length > 2) return `"${item}" is not a value or a range in ${field.name}`;
  const values = bounds.map((bound) => numberOf(bound, field));
  if (values.some((value) => value === undefined)) {
    const accepted = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : "";
    return `"${item}" is not valid in ${field.name} (${field.min}-${field.max}${accepted})`;
  }
  return undefined;
}

/** Checks a `cron(...)` body; returns why it is wrong, or undefined. */
function checkCron(body: string): string | undefined {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) {
    return `EventBridge cron has 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`;
  }
  const dayOfMonth = parts[2];
  const dayOfWeek = parts[4];
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return "exactly one of day-of-month and day-of-week must be ?, e.g. cron(0 6 * * ? *) or cron(0 6 ? * MON *)";
  }
  for (const [index, field] of FIELDS.entries()) {
    const text = (parts[index] ?? "").toUpperCase();
    if (text === "?") {
      if (index === 2 || index === 4) continue;
      return `? is only allowed in day-of-month or day-of-week, not in ${field.name}`;
    }
    for (const item of text.split(",")) {
      const problem = item === "" ? `empty list item in ${field.name}` : checkItem(item, field);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Checks a `rate(...)` body; returns why it is wrong, or undefined. */
function checkRate(body: string): string | undefined {
  const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!match) return "rate needs a positive whole number and a unit, e.g. rate(12 hours) or rate(1 day)";
  const value = Number(match[1]);
  const unit = match[2] ?? "";
  if (value < 1) return "rate must be at least 1";
  const plural = unit.endsWith("s");
  if (value === 1 && plural)
    return `rate(1 ${unit}) must use the singular unit: rate(1 ${unit.slice(0, -1)})`;
  if (value > 1 && !plural) return `rate(${value} ${unit}) must use the plural unit: rate(${value} ${unit}s)`;
  return undefined;
}

/**
 * Why an EventBridge schedule expression is invalid, or undefined when it is valid.
 *
 * @example scheduleExpressionProblem("cron(0 6 * * ? *)") // undefined
 * @example scheduleExpressionProblem("cron(0 6 * * *)") // "EventBridge cron has 6 fields …"
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const match = /^(cron|rate)\((.*)\)$/s.exec(expression.trim());
  if (!match) return "must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)";
  return match[1] === "cron" ? checkCron(match[2] ?? "") : checkRate(match[2] ?? "");
}
