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
  if (match[1] === "rate") return checkRate(match[2] ?? "");
  const problem = checkCron(match[2] ?? "");
  if (problem) return problem;
  return cronPeriodMinutes(cronFields(expression) ?? []) === undefined ? NEVER_REPEATS : undefined;
}

// ---------------------------------------------------------------------------------------------------
// When a valid expression fires: its period (the longest wait between two runs) and its time of day.

const MINUTES_PER_DAY = 1440;
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;
const NEVER_REPEATS = `fires on fewer than two days between ${FIRST_YEAR} and ${LAST_YEAR} (e.g. only on the 31st of a month that has none): a schedule must repeat`;

/** The six fields of a `cron(...)` expression, upper-cased; undefined for anything else. */
function cronFields(expression: string): string[] | undefined {
  const match = /^cron\((.*)\)$/s.exec(expression.trim());
  return match ? (match[1] ?? "").trim().toUpperCase().split(/\s+/) : undefined;
}

/** The values of a field's plain items: values, ranges (wrapping past the maximum, as Quartz does), increments. */
function valuesOf(text: string, field: CronField): Set<number> {
  const values = new Set<number>();
  const size = field.max - field.min + 1;
  for (const item of text.split(",")) {
    if (field.special?.(item, field) !== undefined) continue;
    const [base = "", stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from = "", to] = base.split("-");
    const start = base === "*" ? field.min : (numberOf(from, field) ?? field.min);
    const end =
      base === "*"
        ? field.max
        : to !== undefined
          ? (numberOf(to, field) ?? start)
          : stepText !== undefined
            ? field.max
            : start;
    const span = (end - start + size) % size;
    for (let offset = 0; offset <= span; offset += step) {
      values.add(field.min + ((start - field.min + offset) % size));
    }
  }
  return values;
}

/** One day of a month, with what the day fields' special forms need. */
interface Day {
  date: number;
  /** 1 (SUN) to 7 (SAT), EventBridge's numbering. */
  weekday: number;
  daysInMonth: number;
  /** The weekday of another date of the same month. */
  weekdayOf: (date: number) => number;
}

/** Whether a day-of-month item other than a plain value matches (`L`, `LW`, `15W`). */
function dayOfMonthMatches(item: string, day: Day): boolean {
  const { date, daysInMonth, weekdayOf } = day;
  // The weekday nearest a date, never leaving the month.
  const weekdayNear = (target: number): number => {
    const weekday = weekdayOf(target);
    if (weekday === 7) return target === 1 ? target + 2 : target - 1;
    if (weekday === 1) return target === daysInMonth ? target - 2 : target + 1;
    return target;
  };
  if (item === "L") return date === daysInMonth;
  if (item === "LW") return date === weekdayNear(daysInMonth);
  const target = Number(item.slice(0, -1));
  return target <= daysInMonth && date === weekdayNear(target);
}

/** Whether a day-of-week item other than a plain value matches (`L`, `5L`, `3#2`). */
function dayOfWeekMatches(item: string, day: Day, field: CronField): boolean {
  if (item === "L") return day.weekday === 7;
  if (item.endsWith("L"))
    return day.weekday === numberOf(item.slice(0, -1), field) && day.date + 7 > day.daysInMonth;
  const [weekday = "", nth] = item.split("#");
  return day.weekday === numberOf(weekday, field) && Math.ceil(day.date / 7) === Number(nth);
}

/** Whether a day field (day-of-month or day-of-week) matches a day; `?` matches every day. */
function dayMatcher(text: string, field: CronField): (day: Day) => boolean {
  if (text === "?") return () => true;
  const plain = valuesOf(text, field);
  const special = text.split(",").filter((item) => field.special?.(item, field) !== undefined);
  const byMonth = field.name === "day-of-month";
  return (day) =>
    plain.has(byMonth ? day.date : day.weekday) ||
    special.some((item) => (byMonth ? dayOfMonthMatches(item, day) : dayOfWeekMatches(item, day, field)));
}

/** How many days from 1970 to 2199 a valid cron fires on, and the longest gap in days between two of them. */
function firingDays(fields: readonly string[]): { count: number; longestGap: number } {
  const [, , dayOfMonth = "?", month = "*", dayOfWeek = "?", year = "*"] = fields;
  const [, , domField, monthField, dowField, yearField] = FIELDS as [
    CronField,
    CronField,
    CronField,
    CronField,
    CronField,
    CronField,
  ];
  const matchesDayOfMonth = dayMatcher(dayOfMonth, domField);
  const matchesDayOfWeek = dayMatcher(dayOfWeek, dowField);
  const months = valuesOf(month, monthField);
  const years = valuesOf(year, yearField);
  let count = 0;
  let longestGap = 0;
  let previous = Number.NaN;
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    if (!years.has(y)) continue;
    for (let m = 1; m <= 12; m++) {
      if (!months.has(m)) continue;
      const first = Date.UTC(y, m - 1, 1) / 86_400_000; // days since 1970-01-01, a Thursday (5)
      const weekdayOf = (date: number) => ((first + date - 1 + 4) % 7) + 1;
      const day: Day = {
        date: 0,
        weekday: 0,
        daysInMonth: new Date(Date.UTC(y, m, 0)).getUTCDate(),
        weekdayOf,
      };
      for (let date = 1; date <= day.daysInMonth; date++) {
        day.date = date;
        day.weekday = weekdayOf(date);
        if (!matchesDayOfMonth(day) || !matchesDayOfWeek(day)) continue;
        const index = first + date - 1;
        if (count > 0) longestGap = Math.max(longestGap, index - previous);
        previous = index;
        count++;
      }
    }
  }
  return { count, longestGap };
}

/** The minutes of the day (0–1439) at which a valid cron fires, ascending. */
function firingMinutes(fields: readonly string[]): number[] {
  const [minutes = "0", hours = "0"] = fields;
  const [minuteField, hourField] = FIELDS as [CronField, CronField];
  const result: number[] = [];
  for (const hour of valuesOf(hours, hourField))
    for (const minute of valuesOf(minutes, minuteField)) result.push(hour * 60 + minute);
  return result.sort((a, b) => a - b);
}

const periods = new Map<string, number | undefined>();

/** The longest wait, in minutes, between two firings of a valid cron; undefined if it fires on fewer than two days. */
function cronPeriodMinutes(fields: readonly string[]): number | undefined {
  const key = fields.join(" ");
  if (periods.has(key)) return periods.get(key);
  const days = firingDays(fields);
  const minutes = firingMinutes(fields);
  const first = minutes[0] ?? 0;
  const last = minutes.at(-1) ?? 0;
  // From the last run of a day to the first of the next day it fires on; then the gaps within a day.
  let longest = days.count < 2 ? undefined : days.longestGap * MINUTES_PER_DAY - (last - first);
  for (let i = 1; longest !== undefined && i < minutes.length; i++)
    longest = Math.max(longest, (minutes[i] ?? 0) - (minutes[i - 1] ?? 0));
  periods.set(key, longest);
  return longest;
}

/**
 * The longest time, in seconds, between two runs of a valid schedule expression: `rate(n unit)` is n
 * units; a cron is its longest gap between consecutive firings from 1970 to 2199 (daily: 86400, Monday to
 * Friday: 3 days, `L`: 31 days), so anything derived from it errs on the long side. Throws on an invalid
 * expression or a cron that fires on fewer than two days.
 */
export function schedulePeriodSeconds(expression: string): number {
  const problem = scheduleExpressionProblem(expression);
  if (problem) throw new Error(`${JSON.stringify(expression)}: ${problem}`);
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression.trim());
  if (rate) return Number(rate[1]) * { minute: 60, hour: 3600, day: 86_400 }[rate[2] as "minute"];
  return (cronPeriodMinutes(cronFields(expression) ?? []) ?? 0) * 60;
}

/** A cron that fires once a day (or on some days) at one fixed time. */
export interface FixedTime {
  /** Hour, UTC (0–23). */
  readonly hour: number;
  /** Minute (0–59). */
  readonly minute: number;
  /** Whether it fires every day (`*` or `?` in both day fields, `*` month and year). */
  readonly everyDay: boolean;
}

/** The fixed time of day of a valid cron with one value in both minutes and hours, else undefined. */
export function fixedTimeOf(expression: string): FixedTime | undefined {
  const fields = cronFields(expression);
  if (!fields || !/^\d+$/.test(fields[0] ?? "") || !/^\d+$/.test(fields[1] ?? "")) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields;
  const any = (text: string | undefined) => text === "*" || text === "?";
  return {
    hour: Number(hour),
    minute: Number(minute),
    everyDay: any(dayOfMonth) && month === "*" && any(dayOfWeek) && year === "*",
  };
}

/**
 * A fixed-time cron moved `minutes` later, its day fields kept; undefined when that is not a fixed-time
 * cron, or when the move would cross midnight on a cron that does not fire every day (its days would shift).
 *
 * @example shiftCronTime("cron(50 23 * * ? *)", 15) // "cron(5 0 * * ? *)"
 */
export function shiftCronTime(expression: string, minutes: number): string | undefined {
  const time = fixedTimeOf(expression);
  if (!time) return undefined;
  const total = time.hour * 60 + time.minute + minutes;
  if (total >= MINUTES_PER_DAY && !time.everyDay) return undefined;
  const at = total % MINUTES_PER_DAY;
  const rest = (/^cron\((.*)\)$/s.exec(expression.trim())?.[1] ?? "").trim().split(/\s+/).slice(2);
  return `cron(${at % 60} ${Math.floor(at / 60)} ${rest.join(" ")})`;
}
