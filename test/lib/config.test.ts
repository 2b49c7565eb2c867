import { describe, expect, it } from "vitest";
import { CONTROLS } from "../../lambdas/controls/registry.js";
import {
  DeployConfigError,
  defaultReportSchedule,
  FALLBACK_REPORT_SCHEDULE,
  loadDeployConfig,
} from "../../lib/config.js";
import { CDK_JSON_CONTEXT } from "./synth.js";

const ids = (context: Record<string, unknown>) => loadDeployConfig(context).controls.map((c) => c.id);

/** The problems a context is rejected with. */
function problems(context: Record<string, unknown>): readonly string[] {
  try {
    loadDeployConfig(context);
  } catch (error) {
    if (error instanceof DeployConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("loadDeployConfig defaults", () => {
  it("deploys every control daily from 06:00 UTC, 3 minutes apart, with the documented defaults", () => {
    const config = loadDeployConfig({});
    expect(config.controls.map((c) => c.id)).toEqual(CONTROLS.map((c) => c.id));
    expect(Object.values(config.schedules)).toEqual(CONTROLS.map((_, i) => `cron(${3 * i} 6 * * ? *)`));
    expect(config.schedules).toMatchObject({ "1.1": "cron(0 6 * * ? *)", "5.2": "cron(27 6 * * ? *)" });
    // 30 minutes after the last audit (06:27).
    expect(config.report).toEqual({ schedule: "cron(57 6 * * ? *)", dailyDigest: false });
    expect(config.detections).toEqual({
      schedule: "rate(15 minutes)",
      silenceHours: 24,
      minAlertLevel: "low",
    });
    expect(config).toMatchObject({
      stackName: "JumpCloudAudit",
      level: "L3",
      region: "us",
      orgIds: [],
      alertEmails: [],
      findingsRetentionDays: 400,
      logRetentionDays: 365,
      announceRecoveries: false,
      errorAlertAfter: 3,
      thresholds: {},
      memoryMb: 512,
      timeoutSeconds: 300,
      reservedConcurrency: 1,
      tracing: false,
      logLevel: "INFO",
      securityHub: false,
      sourceMaps: false,
    });
    expect(config.plan).toBeUndefined();
    expect(config.slack).toBeUndefined();
    expect(config.objectLock).toBeUndefined();
  });

  it("reads cdk.json's context as the same defaults and ignores feature flags", () => {
    const fromCdkJson = loadDeployConfig(CDK_JSON_CONTEXT);
    const { controls: _a, ...rest } = fromCdkJson;
    const { controls: _b, ...defaults } = loadDeployConfig({});
    expect(rest).toEqual(defaults);
  });
});

describe("control selection", () => {
  const l1 = CONTROLS.filter((c) => c.level === "L1").map((c) => c.id);

  it("deploys L1 controls only at L1 and everything at L2 (levels are cumulative)", () => {
    expect(ids({ "jcAudit:level": "L1" })).toEqual(l1);
    expect(ids({ "jcAudit:level": "L2" })).toEqual(CONTROLS.map((c) => c.id));
  });

  it("deploys exactly the listed controls, from a list, a JSON string or a comma-separated string", () => {
    expect(ids({ "jcAudit:controls": ["2.1", "1.1"] })).toEqual(["1.1", "2.1"]);
    expect(ids({ "jcAudit:controls": '["1.1","5.2"]' })).toEqual(["1.1", "5.2"]);
    expect(ids({ "jcAudit:controls": "1.2, 4.1" })).toEqual(["1.2", "4.1"]);
  });

  it("applies per-control schedule overrides", () => {
    const config = loadDeployConfig({
      "jcAudit:controls": "1.1,5.2",
      "jcAudit:schedule": "cron(0 5 * * ? *)",
      "jcAudit:schedules": '{"5.2": "rate(6 hours)"}',
    });
    expect(config.schedules).toEqual({ "1.1": "cron(0 5 * * ? *)", "5.2": "rate(6 hours)" });
  });
});

describe("staggered schedules", () => {
  const schedules = (context: Record<string, unknown>) => loadDeployConfig(context).schedules;

  it("staggers a fixed-time jcAudit:schedule by each control's place among the deployed controls", () => {
    expect(
      schedules({ "jcAudit:controls": "1.1,2.1,5.2", "jcAudit:schedule": "cron(30 5 ? * MON-FRI *)" }),
    ).toEqual({
      "1.1": "cron(30 5 ? * MON-FRI *)",
      "2.1": "cron(33 5 ? * MON-FRI *)",
      "5.2": "cron(36 5 ? * MON-FRI *)",
    });
  });

  it("keeps a control's place when another control has its own schedule", () => {
    expect(
      schedules({ "jcAudit:controls": "1.1,1.2,2.1", "jcAudit:schedules": { "1.2": "rate(1 day)" } }),
    ).toEqual({ "1.1": "cron(0 6 * * ? *)", "1.2": "rate(1 day)", "2.1": "cron(6 6 * * ? *)" });
  });

  it("follows jcAudit:staggerMinutes, and 0 runs every control at the same time", () => {
    expect(schedules({ "jcAudit:controls": "1.1,1.2", "jcAudit:staggerMinutes": "10" })["1.2"]).toBe(
      "cron(10 6 * * ? *)",
    );
    expect(new Set(Object.values(schedules({ "jcAudit:staggerMinutes": 0 })))).toEqual(
      new Set(["cron(0 6 * * ? *)"]),
    );
  });

  it("wraps past midnight on a daily base", () => {
    const late = schedules({ "jcAudit:schedule": "cron(50 23 * * ? *)" });
    expect(late["1.1"]).toBe("cron(50 23 * * ? *)");
    expect(late["5.2"]).toBe("cron(17 0 * * ? *)");
  });

  it("applies any other base as given to every control", () => {
    for (const base of ["rate(12 hours)", "cron(0 */6 * * ? *)", "cron(0,30 6 * * ? *)"]) {
      expect(new Set(Object.values(schedules({ "jcAudit:schedule": base })))).toEqual(new Set([base]));
    }
  });
});

describe("the report schedule", () => {
  const report = (context: Record<string, unknown>) => loadDeployConfig(context).report;

  it("runs 30 minutes after the last fixed-time audit, wrapping past midnight", () => {
    expect(report({ "jcAudit:schedule": "cron(50 23 * * ? *)" }).schedule).toBe("cron(47 0 * * ? *)");
    expect(report({ "jcAudit:schedule": "cron(45 22 * * ? *)", "jcAudit:staggerMinutes": 5 }).schedule).toBe(
      "cron(0 0 * * ? *)",
    );
    // A weekday cron counts by its time of day; the rate does not move the report.
    expect(
      report({
        "jcAudit:controls": "1.1,5.2",
        "jcAudit:schedule": "cron(0 4 ? * MON-FRI *)",
        "jcAudit:schedules": { "5.2": "rate(6 hours)" },
      }).schedule,
    ).toBe("cron(30 4 * * ? *)");
  });

  it("runs daily at 07:00 UTC when no audit runs at a fixed time", () => {
    expect(FALLBACK_REPORT_SCHEDULE).toBe("cron(0 7 * * ? *)");
    expect(report({ "jcAudit:schedule": "rate(12 hours)" }).schedule).toBe(FALLBACK_REPORT_SCHEDULE);
  });

  it("takes the last run before the longest quiet stretch of the day", () => {
    expect(defaultReportSchedule(["cron(0 6 * * ? *)", "cron(0 18 * * ? *)", "cron(3 6 * * ? *)"])).toBe(
      "cron(30 18 * * ? *)",
    );
    expect(defaultReportSchedule(["cron(0 1 * * ? *)", "cron(0 23 * * ? *)"])).toBe("cron(30 1 * * ? *)");
    expect(defaultReportSchedule(["cron(0 6 * * ? *)"])).toBe("cron(30 6 * * ? *)");
  });

  it("follows jcAudit:reportSchedule and jcAudit:dailyDigest", () => {
    expect(
      report({ "jcAudit:reportSchedule": "cron(0 8 ? * MON *)", "jcAudit:dailyDigest": "true" }),
    ).toEqual({
      schedule: "cron(0 8 ? * MON *)",
      dailyDigest: true,
    });
  });
});

describe("values given with -c arrive as strings", () => {
  it("parses lists, objects, numbers and booleans", () => {
    const config = loadDeployConfig({
      "jcAudit:alertEmails": "secops@example.com, it@example.com",
      "jcAudit:orgIds": '["5f1b2c3d4e5f6a7b8c9d0e1f"]',
      "jcAudit:thresholds": '{"1.2": {"maxFullAdmins": 4}}',
      "jcAudit:findingsRetentionDays": "731",
      "jcAudit:objectLockDays": "365",
      "jcAudit:objectLockMode": "COMPLIANCE",
      "jcAudit:announceRecoveries": "true",
      "jcAudit:errorAlertAfter": "5",
      "jcAudit:memoryMb": "1024",
      "jcAudit:reservedConcurrency": "none",
      "jcAudit:tracing": "true",
      "jcAudit:slackWorkspaceId": "T0123ABCD",
      "jcAudit:slackChannelId": "C0123ABCD",
      "jcAudit:plan": "platform_plus",
      "jcAudit:securityHub": "true",
      "jcAudit:sourceMaps": "true",
      "jcAudit:minAlertLevel": "high",
    });
    expect(config).toMatchObject({
      alertEmails: ["secops@example.com", "it@example.com"],
      orgIds: ["5f1b2c3d4e5f6a7b8c9d0e1f"],
      thresholds: { "1.2": { maxFullAdmins: 4 } },
      findingsRetentionDays: 731,
      objectLock: { mode: "COMPLIANCE", days: 365 },
      announceRecoveries: true,
      errorAlertAfter: 5,
      memoryMb: 1024,
      tracing: true,
      slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" },
      plan: "platform_plus",
      securityHub: true,
      sourceMaps: true,
      detections: { minAlertLevel: "high" },
    });
    expect(config.reservedConcurrency).toBeUndefined();
  });

  it("treats an empty value as unset", () => {
    expect(loadDeployConfig({ "jcAudit:plan": "", "jcAudit:alertEmails": "" }).alertEmails).toEqual([]);
  });
});

describe("validation errors name the key and the reason", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "a cron with 5 fields",
      { "jcAudit:schedule": "cron(0 6 * * *)" },
      'jcAudit:schedule: "cron(0 6 * * *)": EventBridge cron has 6 fields (minutes hours day-of-month month day-of-week year), got 5',
    ],
    [
      "a cron setting both days",
      { "jcAudit:schedules": { "1.1": "cron(0 6 * * MON *)" } },
      'jcAudit:schedules["1.1"]: "cron(0 6 * * MON *)": exactly one of day-of-month and day-of-week must be ?',
    ],
    [
      "a Unix cron",
      { "jcAudit:schedule": "0 6 * * *" },
      'jcAudit:schedule: "0 6 * * *": must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)',
    ],
    [
      "an unknown control",
      { "jcAudit:controls": ["1.1", "9.9"] },
      'jcAudit:controls[1]: unknown control "9.9" (known: 1.1 1.2 2.1 2.2 3.1 3.2 4.1 4.2 5.1 5.2)',
    ],
    [
      "a schedule for an unknown control",
      { "jcAudit:schedules": { "7.1": "rate(1 day)" } },
      'jcAudit:schedules: unknown control "7.1" (known: 1.1 1.2 2.1 2.2 3.1 3.2 4.1 4.2 5.1 5.2)',
    ],
    [
      "a schedule for a control that is not deployed",
      { "jcAudit:level": "L1", "jcAudit:schedules": { "3.1": "rate(1 day)" } },
      "jcAudit:schedules: control 3.1 is not deployed (see jcAudit:level and jcAudit:controls)",
    ],
    [
      "a control above the level",
      { "jcAudit:level": "L1", "jcAudit:controls": ["1.1", "2.2"] },
      "jcAudit:controls: 2.2 is L2, above jcAudit:level L1 (levels are cumulative: raise the level or drop the control)",
    ],
    ["a level that does not exist", { "jcAudit:level": "L4" }, 'jcAudit:level: must be L1, L2, L3; got "L4"'],
    [
      "an invalid e-mail",
      { "jcAudit:alertEmails": ["secops@example.com", "not-an-address"] },
      'jcAudit:alertEmails[1]: "not-an-address" is not an e-mail address',
    ],
    [
      "a Slack workspace without a channel",
      { "jcAudit:slackWorkspaceId": "T0123ABCD" },
      "jcAudit:slackChannelId: required with jcAudit:slackWorkspaceId",
    ],
    [
      "a Slack channel without a workspace",
      { "jcAudit:slackChannelId": "C0123ABCD" },
      "jcAudit:slackWorkspaceId: required with jcAudit:slackChannelId",
    ],
    [
      "an unknown threshold",
      { "jcAudit:thresholds": { "1.2": { maxAdmins: 4 } } },
      'jcAudit:thresholds: Control 1.2 has no threshold "maxAdmins" (known: maxFullAdmins, minFullAdmins, maxApiKeyAdmins)',
    ],
    [
      "a threshold of the wrong type",
      { "jcAudit:thresholds": '{"4.1": {"maxScreenLockMinutes": "5"}}' },
      'jcAudit:thresholds: Threshold 4.1.maxScreenLockMinutes must be a number, got "5"',
    ],
    [
      "thresholds of an unknown control",
      { "jcAudit:thresholds": { "8.8": { x: 1 } } },
      'jcAudit:thresholds: unknown control "8.8" (known: 1.1 1.2 2.1 2.2 3.1 3.2 4.1 4.2 5.1 5.2)',
    ],
    [
      "thresholds that are not JSON",
      { "jcAudit:thresholds": "{1.2: 4}" },
      'jcAudit:thresholds: must be a JSON object, got "{1.2: 4}"',
    ],
    [
      "a list that is not JSON",
      { "jcAudit:alertEmails": '["a@example.com"' },
      'jcAudit:alertEmails: must be a JSON list, got "[\\"a@example.com\\""',
    ],
    ["an unknown region", { "jcAudit:region": "ap" }, 'jcAudit:region: must be us, eu, in; got "ap"'],
    [
      "an organization id that is not 24 hex characters",
      { "jcAudit:orgIds": "abc" },
      "jcAudit:orgIds[0]: organization ids are 24 hexadecimal characters",
    ],
    [
      "a log retention CloudWatch does not offer",
      { "jcAudit:logRetentionDays": 100 },
      "jcAudit:logRetentionDays: must be one of the periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400",
    ],
    ["memory out of range", { "jcAudit:memoryMb": "64" }, "jcAudit:memoryMb: must be at least 128"],
    [
      "a timeout beyond Lambda's",
      { "jcAudit:timeoutSeconds": 901 },
      "jcAudit:timeoutSeconds: must be at most 900",
    ],
    [
      "a fractional number",
      { "jcAudit:errorAlertAfter": 2.5 },
      "jcAudit:errorAlertAfter: must be a whole number between 1 and 30",
    ],
    ["a boolean as a word", { "jcAudit:tracing": "yes" }, "jcAudit:tracing: must be true or false"],
    [
      "a retention shorter than the Object Lock",
      { "jcAudit:objectLockDays": 500, "jcAudit:findingsRetentionDays": 400 },
      "jcAudit:findingsRetentionDays: 400 is shorter than jcAudit:objectLockDays 500 (locked versions cannot expire earlier)",
    ],
    [
      "a misspelt key",
      { "jcAudit:alertEmail": ["secops@example.com"] },
      "unknown context key jcAudit:alertEmail (see the README's Deploy section for the keys)",
    ],
    [
      "a stagger that is not a whole number of minutes",
      { "jcAudit:staggerMinutes": "2.5" },
      "jcAudit:staggerMinutes: must be a whole number between 0 and 60",
    ],
    [
      "a stagger over an hour",
      { "jcAudit:staggerMinutes": 61 },
      "jcAudit:staggerMinutes: must be at most 60",
    ],
    [
      "a stagger past midnight on a base that does not fire every day",
      { "jcAudit:schedule": "cron(50 23 ? * MON-FRI *)" },
      "jcAudit:staggerMinutes: 3.1, 3.2, 4.1, 4.2, 5.1, 5.2 would start past midnight, after cron(50 23 ? * MON-FRI *), which does not fire every day",
    ],
    [
      "an invalid report schedule",
      { "jcAudit:reportSchedule": "cron(0 25 * * ? *)" },
      'jcAudit:reportSchedule: "cron(0 25 * * ? *)": "25" is not valid in hours (0-23)',
    ],
    [
      "a schedule that never repeats",
      { "jcAudit:schedules": { "1.1": "cron(0 6 30 2 ? *)" } },
      'jcAudit:schedules["1.1"]: "cron(0 6 30 2 ? *)": fires on fewer than two days between 1970 and 2199',
    ],
    [
      "a daily digest as a word",
      { "jcAudit:dailyDigest": "on" },
      "jcAudit:dailyDigest: must be true or false",
    ],
    [
      "Security Hub as a word",
      { "jcAudit:securityHub": "yes" },
      "jcAudit:securityHub: must be true or false",
    ],
    ["source maps as a number", { "jcAudit:sourceMaps": 1 }, "jcAudit:sourceMaps: must be true or false"],
    [
      "an unknown alert level",
      { "jcAudit:minAlertLevel": "severe" },
      'jcAudit:minAlertLevel: must be informational, low, medium, high, critical; got "severe"',
    ],
    [
      "a stack name CloudFormation refuses",
      { "jcAudit:stackName": "jc_audit" },
      "jcAudit:stackName: must start with a letter and hold only letters, digits and -",
    ],
  ])("rejects %s", (_case, context, message) => {
    expect(problems(context)).toContainEqual(expect.stringContaining(message));
  });

  it("reports every problem at once, one line each, in the error message", () => {
    const error = (() => {
      try {
        loadDeployConfig({ "jcAudit:level": "L9", "jcAudit:alertEmails": "x", "jcAudit:region": "mars" });
      } catch (caught) {
        return caught as DeployConfigError;
      }
      throw new Error("expected an error");
    })();
    expect(error).toBeInstanceOf(DeployConfigError);
    expect(error.problems).toHaveLength(3);
    expect(error.message.split("\n")).toEqual([
      "Invalid jcAudit configuration (cdk.json context or -c):",
      ...error.problems.map((p) => `  - ${p}`),
    ]);
  });

  it("ignores context keys that are not jcAudit's (feature flags, CDK's own)", () => {
    expect(() =>
      loadDeployConfig({ "@aws-cdk/core:checkSecretUsage": true, "aws:cdk:bundling-stacks": [] }),
    ).not.toThrow();
  });
});
