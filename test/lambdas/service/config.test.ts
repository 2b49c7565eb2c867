import { describe, expect, it } from "vitest";
import {
  auditEventSchema,
  auditEventSchemaFor,
  loadAuditConfig,
  loadDetectionConfig,
  loadRemediationConfig,
  loadReportConfig,
  reportEventSchema,
} from "../../../lambdas/service/config.js";
import { parseEvent } from "../../../lambdas/service/parse-event.js";

const env = {
  FINDINGS_BUCKET: "jc-findings",
  ALERTS_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:alerts",
  API_KEY_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:audit",
};

describe("loadAuditConfig", () => {
  it("applies defaults", () => {
    expect(loadAuditConfig(env)).toMatchObject({
      JC_REGION: "us",
      JC_ORG_IDS: [],
      ANNOUNCE_RECOVERIES: false,
      ERROR_ALERT_AFTER: 3,
      THRESHOLDS_JSON: {},
    });
  });

  it("parses lists, flags and thresholds", () => {
    const config = loadAuditConfig({
      ...env,
      JC_REGION: "eu",
      JC_ORG_IDS: "5f00000000000000000000a1, 5f00000000000000000000a2",
      ANNOUNCE_RECOVERIES: "true",
      ERROR_ALERT_AFTER: "5",
      THRESHOLDS_JSON: '{"1.2":{"maxFullAdmins":4}}',
    });
    expect(config).toMatchObject({
      JC_REGION: "eu",
      JC_ORG_IDS: ["5f00000000000000000000a1", "5f00000000000000000000a2"],
      ANNOUNCE_RECOVERIES: true,
      ERROR_ALERT_AFTER: 5,
    });
    expect(config.THRESHOLDS_JSON).toEqual({ "1.2": { maxFullAdmins: 4 } });
  });

  it.each([
    [{ FINDINGS_BUCKET: undefined }, /^Invalid configuration: FINDINGS_BUCKET:/],
    [{ ALERTS_TOPIC_ARN: "alerts" }, /^Invalid configuration: ALERTS_TOPIC_ARN: must be an SNS topic ARN/],
    [{ JC_REGION: "apac" }, /^Invalid configuration: JC_REGION:/],
    [{ JC_ORG_IDS: "acme" }, /^Invalid configuration: JC_ORG_IDS\.0: org ids are 24 hexadecimal characters/],
    [{ THRESHOLDS_JSON: "{" }, /^Invalid configuration: THRESHOLDS_JSON: must be JSON/],
    [{ ERROR_ALERT_AFTER: "0" }, /^Invalid configuration: ERROR_ALERT_AFTER:/],
    [{ JC_BASE_URL: "not a url" }, /^Invalid configuration: JC_BASE_URL:/],
    [{ JC_ORG_IDS: "All" }, /^Invalid configuration: JC_ORG_IDS/],
    [{ JC_ORG_EXCLUDE: "all" }, /^Invalid configuration: JC_ORG_EXCLUDE\.0: org ids are 24 hexadecimal/],
  ])("names the bad variable: %j", (override, message) => {
    expect(() => loadAuditConfig({ ...env, ...override })).toThrow(message);
  });

  it('takes JC_ORG_IDS "all" and the exclusions (MSP keys)', () => {
    expect(
      loadAuditConfig({ ...env, JC_ORG_IDS: "all", JC_ORG_EXCLUDE: "5f00000000000000000000a1" }),
    ).toMatchObject({ JC_ORG_IDS: "all", JC_ORG_EXCLUDE: ["5f00000000000000000000a1"] });
    expect(loadAuditConfig(env).JC_ORG_EXCLUDE).toEqual([]);
  });
});

describe("other functions and JC_ORG_IDS=all", () => {
  const full = {
    ...env,
    JC_ORG_IDS: "all",
    REMEDIATION_SEAL_KEY_ARN: "arn:aws:kms:eu-west-1:123456789012:key/1",
    CONTROL_IDS: "1.1",
    STALE_AFTER_JSON: '{"1.1": 172800}',
  };

  it("the detection and remediation functions refuse it by name", () => {
    const message =
      /^Invalid configuration: JC_ORG_IDS: "all" is accepted only by the audit and report functions/;
    expect(() => loadDetectionConfig(full)).toThrow(message);
    expect(() => loadRemediationConfig(full)).toThrow(message);
  });

  it("the report function reads it as every organization with findings (an empty list)", () => {
    expect(loadReportConfig(full).JC_ORG_IDS).toEqual([]);
  });

  it("the report event takes portfolio: true", () => {
    expect(parseEvent(reportEventSchema, { portfolio: true })).toEqual({ portfolio: true });
    expect(() => parseEvent(reportEventSchema, { portfolio: "yes" })).toThrow(/^Invalid event: portfolio:/);
  });
});

describe("audit events", () => {
  const parse = (event: unknown) => parseEvent(auditEventSchemaFor(event), event);
  const time = "2026-11-28T06:00:00Z";
  const ORG = "5f00000000000000000000a1";

  it.each([
    ["the schedule's input", { controlId: "2.1", eventId: "abc", time }],
    ["a fan-out item", { controlId: "2.1", orgId: ORG, eventId: "abc", time }],
    ["a discovery request", { action: "discover", eventId: "abc", time }],
  ])("accepts %s, alone and through the union", (_, event) => {
    expect(parse(event)).toEqual(event);
    expect(parseEvent(auditEventSchema, event)).toEqual(event);
  });

  it.each([
    [null, /^Invalid event: \(root\):/],
    [{ eventId: "a", time: "2026-11-28T06:00:00Z" }, /^Invalid event: controlId:/],
    [
      { controlId: "2.1", eventId: "a", time: "yesterday" },
      /^Invalid event: time: must be an ISO 8601 UTC timestamp/,
    ],
    [
      { controlId: "2.1", eventId: "a", time: "2026-11-28T06:00:00Z", extra: 1 },
      /^Invalid event: \(root\): Unrecognized key/,
    ],
    [{ controlId: "2.1", orgId: "acme", eventId: "a", time }, /^Invalid event: orgId: org ids are 24 hex/],
    [{ controlId: "9.9", orgId: ORG, eventId: "a", time }, /^Invalid event: controlId: must be a control id/],
    [{ action: "audit", eventId: "a", time }, /^Invalid event: action:/],
    [{ action: "discover", eventId: "a", time, orgId: ORG }, /^Invalid event: \(root\): Unrecognized key/],
    [{ action: "discover", eventId: "", time }, /^Invalid event: eventId:/],
  ])("rejects %j naming its first bad field", (event, message) => {
    expect(() => parse(event)).toThrow(message);
  });
});
