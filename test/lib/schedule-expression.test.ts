import { describe, expect, it } from "vitest";
import {
  fixedTimeOf,
  scheduleExpressionProblem,
  schedulePeriodSeconds,
  shiftCronTime,
} from "../../lib/schedule-expression.js";

describe("scheduleExpressionProblem", () => {
  it.each([
    "cron(0 6 * * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(*/30 8-18 ? * MON-FRI *)",
    "cron(0 6 ? * 2#1 *)",
    "cron(0 6 ? * 6L *)",
    "cron(0 6 L * ? *)",
    "cron(0 6 LW * ? *)",
    "cron(0 6 15W * ? *)",
    "cron(0 6 1,15 JAN,JUL ? 2026-2030)",
    "cron(30 23 ? * sun *)",
    "rate(1 day)",
    "rate(12 hours)",
    "rate(30 minutes)",
  ])("accepts %s", (expression) => {
    expect(scheduleExpressionProblem(expression)).toBeUndefined();
  });

  it.each([
    ["0 6 * * *", "must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)"],
    [
      "cron(0 6 * * *)",
      "EventBridge cron has 6 fields (minutes hours day-of-month month day-of-week year), got 5",
    ],
    ["cron(0 6 * * * *)", "exactly one of day-of-month and day-of-week must be ?"],
    ["cron(0 6 ? * ? *)", "exactly one of day-of-month and day-of-week must be ?"],
    ["cron(60 6 * * ? *)", '"60" is not valid in minutes (0-59)'],
    ["cron(0 24 * * ? *)", '"24" is not valid in hours (0-23)'],
    ["cron(0 6 32 * ? *)", '"32" is not valid in day-of-month (1-31)'],
    ["cron(0 6 * 13 ? *)", '"13" is not valid in month (1-12 or JAN-DEC)'],
    ["cron(0 6 ? * 8 *)", '"8" is not valid in day-of-week (1-7 or SUN-SAT)'],
    ["cron(0 6 ? * MON#6 *)", '"MON#6" is out of range in day-of-week'],
    ["cron(0 6 * * ? 1969)", '"1969" is not valid in year (1970-2199)'],
    ["cron(? 6 * * ? *)", "? is only allowed in day-of-month or day-of-week, not in minutes"],
    ["cron(0 ? * * ? *)", "? is only allowed in day-of-month or day-of-week, not in hours"],
    ["cron(0/0 6 * * ? *)", "needs an increment between 1 and 59"],
    ["cron(0,,5 6 * * ? *)", "empty list item in minutes"],
    ["rate(0 minutes)", "rate must be at least 1"],
    ["rate(1 days)", "rate(1 days) must use the singular unit: rate(1 day)"],
    ["rate(5 minute)", "rate(5 minute) must use the plural unit: rate(5 minutes)"],
    ["rate(daily)", "rate needs a positive whole number and a unit"],
    ["cron(0 6 31 2 ? *)", "fires on fewer than two days between 1970 and 2199"],
    ["cron(0 6 1 1 ? 2030)", "a schedule must repeat"],
  ])("rejects %s", (expression, message) => {
    expect(scheduleExpressionProblem(expression)).toContain(message);
  });
});

const HOUR = 3600;
const DAY = 24 * HOUR;

describe("schedulePeriodSeconds", () => {
  it.each([
    ["rate(1 day)", DAY],
    ["rate(12 hours)", 12 * HOUR],
    ["rate(15 minutes)", 900],
    ["cron(0 6 * * ? *)", DAY],
    ["cron(27 6 * * ? *)", DAY],
    ["cron(0/15 * * * ? *)", 900],
    ["cron(0 6,18 * * ? *)", 12 * HOUR],
    // Uneven times of day: the longer gap, 06:00 to 20:00.
    ["cron(0 6,20 * * ? *)", 14 * HOUR],
    // Hours wrapping past midnight (22, 23, 0, 1, 2): 02:00 to 22:00.
    ["cron(0 22-2 * * ? *)", 20 * HOUR],
    // Weekdays only: Friday to Monday.
    ["cron(0 6 ? * MON-FRI *)", 3 * DAY],
    ["cron(0 6 ? * FRI-MON *)", 4 * DAY],
    ["cron(30 23 ? * sun *)", 7 * DAY],
    // The last day of the month: July 31st to August 31st.
    ["cron(0 6 L * ? *)", 31 * DAY],
    // The first Monday: up to five weeks apart.
    ["cron(0 6 ? * 2#1 *)", 35 * DAY],
    // July 15th to January 1st, in the years listed.
    ["cron(0 6 1,15 JAN,JUL ? 2026-2030)", 170 * DAY],
    // February 29th: 2096 to 2104 (2100 is not a leap year).
    ["cron(0 6 29 2 ? *)", 8 * 365 * DAY + DAY],
  ])("%s repeats at most every %i s", (expression, seconds) => {
    expect(schedulePeriodSeconds(expression)).toBe(seconds);
  });

  it("throws on an invalid expression and on a cron that does not repeat", () => {
    expect(() => schedulePeriodSeconds("cron(0 6 * * *)")).toThrow(/EventBridge cron has 6 fields/);
    expect(() => schedulePeriodSeconds("cron(0 6 31 2 ? *)")).toThrow(/a schedule must repeat/);
  });
});

describe("fixedTimeOf and shiftCronTime", () => {
  it("reads the time of a cron with one minute and one hour, and whether it fires every day", () => {
    expect(fixedTimeOf("cron(0 6 * * ? *)")).toEqual({ hour: 6, minute: 0, everyDay: true });
    expect(fixedTimeOf("cron(5 23 ? * * *)")).toEqual({ hour: 23, minute: 5, everyDay: true });
    expect(fixedTimeOf("cron(0 6 ? * MON-FRI *)")).toEqual({ hour: 6, minute: 0, everyDay: false });
    expect(fixedTimeOf("cron(0 6 * * ? 2026)")?.everyDay).toBe(false);
    expect(fixedTimeOf("cron(0/15 6 * * ? *)")).toBeUndefined();
    expect(fixedTimeOf("cron(0 6,18 * * ? *)")).toBeUndefined();
    expect(fixedTimeOf("rate(1 day)")).toBeUndefined();
  });

  it("moves the time later, keeping the day fields, and wraps past midnight only on a daily cron", () => {
    expect(shiftCronTime("cron(0 6 * * ? *)", 27)).toBe("cron(27 6 * * ? *)");
    expect(shiftCronTime("cron(45 6 * * ? *)", 30)).toBe("cron(15 7 * * ? *)");
    expect(shiftCronTime("cron(50 23 * * ? *)", 15)).toBe("cron(5 0 * * ? *)");
    expect(shiftCronTime("cron(0 6 ? * mon-fri *)", 9)).toBe("cron(9 6 ? * mon-fri *)");
    expect(shiftCronTime("cron(50 23 ? * MON-FRI *)", 15)).toBeUndefined();
    expect(shiftCronTime("rate(1 day)", 3)).toBeUndefined();
  });
});
