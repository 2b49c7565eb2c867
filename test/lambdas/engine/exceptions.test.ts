import { describe, expect, it } from "vitest";
import {
  applyExceptions,
  expiredExceptions,
  type RiskException,
} from "../../../lambdas/engine/exceptions.js";
import { parseExceptions } from "../../../lambdas/engine/exceptions-file.js";
import { finding, row } from "../../helpers/findings.js";

const NOW = new Date("2026-11-28T12:00:00Z");
const accepted = (overrides: Partial<RiskException> = {}): RiskException => ({
  controlId: "1.1",
  resource: "b",
  reason: "Break-glass account kept offline in a safe",
  owner: "ciso@example.com",
  expires: "2026-12-31",
  ...overrides,
});

describe("parseExceptions", () => {
  it("reads YAML", () => {
    const yaml = `exceptions:\n  - controlId: "2.1"\n    resource: "svc.*"\n    reason: "Service accounts authenticate with keys"\n    owner: it@example.com\n    expires: "2027-01-31"\n`;
    expect(parseExceptions(yaml)).toEqual([
      {
        controlId: "2.1",
        resource: "svc.*",
        reason: "Service accounts authenticate with keys",
        owner: "it@example.com",
        expires: "2027-01-31",
      },
    ]);
  });

  it("reads JSON", () => {
    expect(parseExceptions(JSON.stringify({ exceptions: [accepted()] }))).toHaveLength(1);
  });

  it.each([
    ["not YAML", "exceptions: [", /not valid YAML or JSON/],
    ["no list", "{}", /exceptions: .*expected array/i],
    [
      "bad control id",
      JSON.stringify({ exceptions: [accepted({ controlId: "9" })] }),
      /exceptions\.0\.controlId: must be a guide control id/,
    ],
    [
      "no reason",
      JSON.stringify({ exceptions: [accepted({ reason: "ok" })] }),
      /exceptions\.0\.reason: must say why/,
    ],
    [
      "bad date",
      JSON.stringify({ exceptions: [accepted({ expires: "next year" })] }),
      /exceptions\.0\.expires: must be a date/,
    ],
    ["unknown field", JSON.stringify({ exceptions: [{ ...accepted(), until: "x" }] }), /exceptions\.0/],
  ])("rejects %s with one clear error", (_name, text, message) => {
    expect(() => parseExceptions(text, "risks.yaml")).toThrow(message);
  });
});

describe("applyExceptions", () => {
  const failing = finding([row("PASS", "a"), row("FAIL", "b")]);

  it("mutes the matching FAIL result and recomputes the status", () => {
    const { finding: muted, applied } = applyExceptions(failing, [accepted()], NOW);
    expect(applied).toBe(1);
    expect(muted.status).toBe("MUTED");
    expect(muted.results[1]).toMatchObject({
      status: "MUTED",
      mutedBy: { owner: "ciso@example.com", expires: "2026-12-31" },
    });
    expect(muted.counts).toEqual({ PASS: 1, FAIL: 0, MANUAL: 0, MUTED: 1, ERROR: 0 });
  });

  it("matches names and patterns", () => {
    expect(applyExceptions(failing, [accepted({ resource: "b@example.com" })], NOW).applied).toBe(1);
    expect(applyExceptions(failing, [accepted({ resource: "*@example.com" })], NOW).applied).toBe(1);
    expect(applyExceptions(failing, [accepted({ resource: "x*" })], NOW).applied).toBe(0);
  });

  it("leaves other controls, other checks and passing results alone", () => {
    expect(applyExceptions(failing, [accepted({ controlId: "2.1" })], NOW).applied).toBe(0);
    expect(applyExceptions(failing, [accepted({ check: "other-check" })], NOW).applied).toBe(0);
    expect(applyExceptions(failing, [accepted({ resource: "a" })], NOW).applied).toBe(0);
  });

  it("keeps FAIL when other results still fail", () => {
    const twoFailing = finding([row("FAIL", "a"), row("FAIL", "b")]);
    expect(applyExceptions(twoFailing, [accepted()], NOW).finding.status).toBe("FAIL");
  });

  it("an expired exception stops muting and is reported", () => {
    const expired = accepted({ expires: "2026-11-27" });
    expect(applyExceptions(failing, [expired], NOW).finding.status).toBe("FAIL");
    expect(expiredExceptions([expired, accepted()], NOW)).toEqual([expired]);
    // Valid through the whole of its expiry day.
    expect(expiredExceptions([accepted({ expires: "2026-11-28" })], NOW)).toEqual([]);
  });
});
