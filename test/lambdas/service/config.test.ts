import { describe, expect, it } from "vitest";
import { auditEventSchema, loadAuditConfig } from "../../../lambdas/service/config.js";
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
  ])("names the bad variable: %j", (override, message) => {
    expect(() => loadAuditConfig({ ...env, ...override })).toThrow(message);
  });
});

describe("audit events", () => {
  it("accepts the schedule's input", () => {
    expect(
      parseEvent(auditEventSchema, { controlId: "2.1", eventId: "abc", time: "2026-11-28T06:00:00Z" }),
    ).toEqual({ controlId: "2.1", eventId: "abc", time: "2026-11-28T06:00:00Z" });
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
  ])("rejects %j", (event, message) => {
    expect(() => parseEvent(auditEventSchema, event)).toThrow(message);
  });
});
