import { describe, expect, it } from "vitest";
import { scheduleExpressionProblem } from "../../lib/schedule-expression.js";

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
  ])("rejects %s", (expression, message) => {
    expect(scheduleExpressionProblem(expression)).toContain(message);
  });
});
