import { describe, expect, it } from "vitest";
import { renderReport } from "../../../cli/render.js";
import { EngineError } from "../../../lambdas/engine/errors.js";
import {
  applyExceptions,
  checkExceptions,
  latestExpiry,
  type RiskException,
} from "../../../lambdas/engine/exceptions.js";
import { parseExceptions } from "../../../lambdas/engine/exceptions-file.js";
import { runAudit } from "../../../lambdas/engine/run.js";
import { NOW, useFreshSimulator } from "../../helpers/audit.js";
import { finding, row } from "../../helpers/findings.js";
import { findingSchemaErrors } from "../../helpers/schema.js";
import { simClient } from "../../helpers/simulator.js";

const accepted = (overrides: Partial<RiskException> = {}): RiskException => ({
  controlId: "1.1",
  resource: "b",
  reason: "Break-glass account kept offline in a safe",
  owner: "ciso@example.com",
  expires: "2026-12-31",
  ...overrides,
});
const file = (...exceptions: unknown[]) => JSON.stringify({ exceptions });
const refusal = (run: () => unknown): EngineError => {
  try {
    run();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error("expected an EngineError");
};

describe("muting every resource of a control needs allResources: true", () => {
  it.each(["*", "**", "***"])("resource %j alone is refused in the file, naming the entry", (resource) => {
    expect(() => parseExceptions(file(accepted({ resource })), "risks.yaml")).toThrow(
      `risks.yaml: exceptions.0.resource: resource "${resource}" mutes every resource of the control: say so with allResources: true`,
    );
  });

  it("allResources: false with * is refused too", () => {
    expect(() => parseExceptions(file(accepted({ resource: "*", allResources: false })))).toThrow(
      /say so with allResources: true/,
    );
  });

  it("allResources: true must say resource *, so a file has one spelling of a blanket exception", () => {
    expect(() => parseExceptions(file(accepted({ resource: "svc.*", allResources: true })))).toThrow(
      /exceptions\.0\.resource: allResources: true needs resource "\*" \(got "svc\.\*"\)/,
    );
  });

  it("allResources must be a boolean", () => {
    expect(() => parseExceptions(file({ ...accepted({ resource: "*" }), allResources: "yes" }))).toThrow(
      /exceptions\.0\.allResources/,
    );
  });

  it("allResources: true with resource * is read", () => {
    expect(parseExceptions(file(accepted({ resource: "*", allResources: true })))).toEqual([
      accepted({ resource: "*", allResources: true }),
    ]);
  });

  it("patterns that do not match everything need nothing more", () => {
    for (const resource of ["svc.*", "*@example.com", "*a*"])
      expect(parseExceptions(file(accepted({ resource })))).toHaveLength(1);
  });

  it("the engine refuses a blanket pattern handed to it without the file parser", () => {
    const error = refusal(() => checkExceptions([accepted(), accepted({ resource: "*" })], NOW));
    expect(error.code).toBe("INVALID_EXCEPTIONS");
    expect(error.message).toBe(
      'exception 2 (1.1 "*"): resource "*" mutes every resource of the control: say so with allResources: true',
    );
  });

  it("and such an exception never mutes, even when the check was skipped", () => {
    const failing = finding([row("FAIL", "a"), row("FAIL", "b")]);
    expect(applyExceptions(failing, [accepted({ resource: "*" })], NOW).applied).toBe(0);
  });

  it("allResources: true mutes every failing result, whatever its name, and counts them", () => {
    const failing = finding([
      row("FAIL", "a"),
      row("PASS", "b"),
      row("FAIL", "c", { resourceName: "line one\nline two" }),
      row("ERROR", "d"),
    ]);
    const blanket = accepted({ resource: "*", allResources: true });
    const { finding: muted, applied, mutedBy } = applyExceptions(failing, [blanket], NOW);
    expect(applied).toBe(2);
    expect(mutedBy.get(blanket)).toBe(2);
    expect(muted.results.map((r) => r.status)).toEqual(["MUTED", "PASS", "MUTED", "ERROR"]);
  });
});

describe("wildcards match whole names, * being any run of characters", () => {
  const failingNamed = (name: string) => finding([row("FAIL", "x", { resourceName: name })]);
  it.each([
    ["svc.*", "svc.backup", 1],
    ["svc.*", "svcXbackup", 0], // `.` is literal
    ["*@example.com", "bob@example.com", 1],
    ["*@example.com", "bob@example.com.evil", 0], // anchored at the end
    ["a*b*c", "aXXbYYc", 1],
    ["a*b*c", "aXXcYYb", 0],
    ["*-lab", "prod\n-lab", 1],
    ["(a+)+*", "(a+)+$", 1], // regex syntax is literal
  ])("%j on %j → %i muted", (resource, name, expected) => {
    expect(applyExceptions(failingNamed(name), [accepted({ resource })], NOW).applied).toBe(expected);
  });

  it("many stars against a long name still decide (no regular expression to backtrack)", () => {
    const long = "a".repeat(5000);
    expect(applyExceptions(failingNamed(long), [accepted({ resource: "*a*a*a*a*a*b" })], NOW).applied).toBe(
      0,
    );
    expect(
      applyExceptions(failingNamed(`${long}b`), [accepted({ resource: "*a*a*a*a*a*b" })], NOW).applied,
    ).toBe(1);
  });
});

describe("an exception may run at most maxExceptionDays ahead (default 365)", () => {
  // NOW is 2026-11-28T12:00Z: a year from its day is 2027-11-28.
  it("the limit counts from the run's UTC day", () => {
    expect(latestExpiry(NOW, 365)).toBe("2027-11-28");
    expect(latestExpiry(new Date("2026-11-28T23:59:59Z"), 1)).toBe("2026-11-29");
  });

  it("an expiry on the limit is accepted, the day after is refused with the limit named", () => {
    expect(() => checkExceptions([accepted({ expires: "2027-11-28" })], NOW)).not.toThrow();
    const error = refusal(() => checkExceptions([accepted({ expires: "2027-11-29" })], NOW));
    expect(error.code).toBe("INVALID_EXCEPTIONS");
    expect(error.message).toBe(
      'exception 1 (1.1 "b"): expires 2027-11-29, later than 2027-11-28 (at most 365 days ahead; raise the limit with --max-exception-days)',
    );
  });

  it("an exception for ever (2999) is refused", () => {
    expect(() => checkExceptions([accepted({ expires: "2999-01-01" })], NOW)).toThrow(/expires 2999-01-01/);
  });

  it("the limit is configurable", () => {
    expect(() => checkExceptions([accepted({ expires: "2026-12-28" })], NOW, 30)).not.toThrow();
    expect(() => checkExceptions([accepted({ expires: "2026-12-29" })], NOW, 30)).toThrow(/at most 30 days/);
    expect(() => checkExceptions([accepted({ expires: "2028-11-27" })], NOW, 730)).not.toThrow();
  });

  it("expired exceptions are not refused (they are reported as expired)", () => {
    expect(() => checkExceptions([accepted({ expires: "2020-01-01" })], NOW)).not.toThrow();
  });

  it("an expiry that is not a plain date is never within the limit", () => {
    expect(() => checkExceptions([accepted({ expires: "+275760-09-13" })], NOW)).toThrow(
      /expires \+275760-09-13/,
    );
  });

  it.each([0, -1, 1.5, 3651, Number.NaN, Number.POSITIVE_INFINITY])(
    "maxExceptionDays %d is refused",
    (days) => {
      const error = refusal(() => checkExceptions([], NOW, days));
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.message).toMatch(/maxExceptionDays must be a whole number of days from 1 to 3650/);
    },
  );
});

describe("runAudit with exceptions", () => {
  const { sim, org } = useFreshSimulator();
  const audit = (options = {}) =>
    runAudit({ client: simClient(sim(), { retry: { maxAttempts: 1 } }), clock: () => NOW }, options);

  it.each([
    ["a blanket pattern", accepted({ resource: "*" }), /mutes every resource/],
    ["an exception for ever", accepted({ expires: "2999-01-01" }), /expires 2999-01-01/],
  ])("%s is refused before anything is sent to JumpCloud", async (_name, exception, message) => {
    await expect(audit({ exceptions: [exception] })).rejects.toThrow(message);
    expect(sim().requests).toEqual([]);
  });

  it("reports the limit and each blanket exception, with what it muted, in the report and the table", async () => {
    (org().admins[1] as Record<string, unknown>).enableMultiFactor = false;
    const blanket = accepted({ resource: "*", allResources: true, expires: "2027-03-31" });
    const report = await audit({
      controls: ["1.1", "2.1"],
      exceptions: [blanket, accepted({ controlId: "2.1", resource: "*", allResources: true, check: "x" })],
      maxExceptionDays: 200,
    });
    expect(report.controls.map((c) => `${c.controlId} ${c.status}`)).toEqual(["1.1 MUTED", "2.1 PASS"]);
    expect(report.exceptions).toEqual({
      applied: 1,
      expired: [],
      maxDays: 200,
      allResources: [
        {
          controlId: "1.1",
          reason: blanket.reason,
          owner: "ciso@example.com",
          expires: "2027-03-31",
          muted: 1,
        },
        {
          controlId: "2.1",
          check: "x",
          reason: blanket.reason,
          owner: "ciso@example.com",
          expires: "2026-12-31",
          muted: 0,
        },
      ],
    });
    expect(findingSchemaErrors(report)).toEqual([]);

    const table = renderReport(report, { color: false, width: 120 }).split("\n");
    // The lines printed under a control: from its header to the next control's header.
    const under = (controlId: string) => {
      const start = table.findIndex((l) => l.includes(` ${controlId} L`));
      const end = table.findIndex((l, i) => i > start && /^\S/.test(l));
      return table.slice(start + 1, end).map((l) => l.trim());
    };
    expect(under("1.1")).toContain("muted by exception: all resources (ciso@example.com, until 2027-03-31)");
    expect(under("2.1")).toContain(
      "muted by exception: all resources, check x (ciso@example.com, until 2026-12-31)",
    );
    expect(under("1.1").filter((l) => l.startsWith("muted by exception"))).toHaveLength(1);
  });

  it("a report without blanket exceptions says so with an empty list and the default limit", async () => {
    const report = await audit({ controls: ["1.1"] });
    expect(report.exceptions).toEqual({ applied: 0, expired: [], maxDays: 365, allResources: [] });
    expect(findingSchemaErrors(report)).toEqual([]);
    expect(renderReport(report, { color: false })).not.toContain("muted by exception");
  });

  it("the schema stays closed: an unknown field in a blanket entry is refused", async () => {
    const report = await audit({
      controls: ["1.1"],
      exceptions: [accepted({ resource: "*", allResources: true })],
    });
    const entry = report.exceptions.allResources?.[0] as unknown as Record<string, unknown>;
    entry.extra = true;
    expect(findingSchemaErrors(report).join("\n")).toMatch(
      /allResources\/0 must NOT have additional properties/,
    );
  });
});
