import { describe, expect, it } from "vitest";
import { checkError } from "../../../lambdas/controls/types.js";
import { compareFindings } from "../../../lambdas/engine/regressions.js";
import { finding, row } from "../../helpers/findings.js";

const passing = finding([row("PASS", "a"), row("PASS", "b")]);

describe("compareFindings", () => {
  it("a first run is a baseline: no regressions", () => {
    expect(compareFindings(undefined, finding([row("FAIL", "a")]))).toEqual({
      regressions: [],
      recoveries: [],
    });
  });

  it("no change, no regression", () => {
    expect(compareFindings(passing, passing)).toEqual({ regressions: [], recoveries: [] });
  });

  it("a control that got worse and the resource that newly fails", () => {
    const { regressions, recoveries } = compareFindings(
      passing,
      finding([row("PASS", "a"), row("FAIL", "b")]),
    );
    expect(regressions.map((r) => [r.kind, r.from, r.to, r.resource?.id])).toEqual([
      ["status", "PASS", "FAIL", undefined],
      ["resource", "PASS", "FAIL", "b"],
    ]);
    expect(regressions[1]?.message).toBe("admin b@example.com newly fails admin-mfa: MFA not required");
    expect(recoveries).toEqual([]);
  });

  it("a new failing resource in a control that was already failing", () => {
    const before = finding([row("FAIL", "a")]);
    const { regressions } = compareFindings(before, finding([row("FAIL", "a"), row("FAIL", "c")]));
    expect(regressions.map((r) => [r.kind, r.resource?.id, r.from])).toEqual([["resource", "c", "absent"]]);
  });

  it("a measurable value that got worse", () => {
    const measure = (value: number) => ({
      measure: { value, unit: "full admins", worseWhen: "higher" as const },
      resourceType: "organization",
      check: "full-admin-count",
    });
    const before = finding([row("FAIL", "org", measure(4))]);
    const { regressions } = compareFindings(before, finding([row("FAIL", "org", measure(5))]));
    expect(regressions).toHaveLength(1);
    expect(regressions[0]).toMatchObject({ kind: "value", from: "4 full admins", to: "5 full admins" });
    // Better is not a regression, and a passing value is not reported.
    expect(compareFindings(before, finding([row("FAIL", "org", measure(3))])).regressions).toEqual([]);
    expect(
      compareFindings(finding([row("PASS", "org", measure(2))]), finding([row("PASS", "org", measure(3))]))
        .regressions,
    ).toEqual([]);
  });

  it("recoveries are listed separately", () => {
    const { regressions, recoveries } = compareFindings(
      finding([row("FAIL", "a"), row("PASS", "b")]),
      passing,
    );
    expect(regressions).toEqual([]);
    expect(recoveries.map((r) => [r.kind, r.from, r.to])).toEqual([
      ["status", "FAIL", "PASS"],
      ["resource", "FAIL", "PASS"],
    ]);
  });

  it("ERROR is neither a regression nor, when it ends, a recovery", () => {
    const error = finding([], { status: "ERROR" });
    expect(compareFindings(passing, error)).toEqual({ regressions: [], recoveries: [] });
    expect(compareFindings(error, passing)).toEqual({ regressions: [], recoveries: [] });
    expect(compareFindings(error, finding([row("FAIL", "a")]))).toEqual({ regressions: [], recoveries: [] });
  });

  it("PASS → MANUAL is worse; MUTED is better than FAIL", () => {
    expect(compareFindings(passing, finding([row("MANUAL", "a")])).regressions[0]).toMatchObject({
      kind: "status",
      to: "MANUAL",
    });
    expect(
      compareFindings(finding([row("FAIL", "a")]), finding([row("MUTED", "a")])).recoveries[0],
    ).toMatchObject({ from: "FAIL", to: "MUTED" });
  });

  describe("results in ERROR (a check or resource that could not be judged)", () => {
    // Two checks: admin-mfa (rows a, b) and the organization's full-admin-count.
    const count = (status: "PASS" | "FAIL", value: number) =>
      row(status, "org", {
        resourceType: "organization",
        check: "full-admin-count",
        message: `${value} full admins`,
        measure: { value, unit: "full admins", worseWhen: "higher" },
      });
    const mfaError = checkError("admin-mfa", "MFA settings came back as a number");

    it("a resource going to ERROR is neither a regression nor a recovery", () => {
      const before = finding([row("PASS", "a"), row("FAIL", "b"), count("FAIL", 3)]);
      const after = finding([row("ERROR", "a"), row("ERROR", "b"), count("FAIL", 3)]);
      expect(compareFindings(before, after)).toEqual({ regressions: [], recoveries: [] });
    });

    it("a whole check going to ERROR: no regression, and its previous FAILs are not recovered", () => {
      const before = finding([row("FAIL", "a"), row("PASS", "b"), count("FAIL", 3)]);
      const after = finding([mfaError, count("FAIL", 3)]);
      expect(after.status).toBe("FAIL");
      expect(compareFindings(before, after)).toEqual({ regressions: [], recoveries: [] });
    });

    it("the other checks are still compared while one is in ERROR", () => {
      const before = finding([row("FAIL", "a"), row("PASS", "b"), count("PASS", 2)]);
      const { regressions, recoveries } = compareFindings(before, finding([mfaError, count("FAIL", 4)]));
      expect(regressions.map((r) => [r.kind, r.resource?.check, r.from, r.to])).toEqual([
        ["resource", "full-admin-count", "PASS", "FAIL"],
      ]);
      expect(recoveries).toEqual([]);
      // And a check that recovers is announced though another is in ERROR (a third check still fails,
      // so the control is FAIL, not ERROR).
      const stillFailing = row("FAIL", "srv", { resourceType: "system", check: "ssh-root-login" });
      const healed = compareFindings(
        finding([row("PASS", "a"), count("FAIL", 4), stillFailing]),
        finding([mfaError, count("PASS", 2), stillFailing]),
      );
      expect(healed.recoveries.map((r) => [r.kind, r.resource?.check, r.to])).toEqual([
        ["resource", "full-admin-count", "PASS"],
      ]);
    });

    it("ERROR → PASS is not a recovery, for a resource or a whole check", () => {
      const passingBoth = finding([row("PASS", "a"), row("PASS", "b"), count("FAIL", 3)]);
      expect(
        compareFindings(finding([row("ERROR", "a"), row("PASS", "b"), count("FAIL", 3)]), passingBoth),
      ).toEqual({ regressions: [], recoveries: [] });
      expect(compareFindings(finding([mfaError, count("FAIL", 3)]), passingBoth)).toEqual({
        regressions: [],
        recoveries: [],
      });
    });

    it("a FAIL after a check in ERROR is reported, saying it was not judged last time", () => {
      const { regressions } = compareFindings(
        finding([mfaError, count("FAIL", 3)]),
        finding([row("FAIL", "a"), row("PASS", "b"), count("FAIL", 3)]),
      );
      expect(regressions.map((r) => [r.kind, r.resource?.id, r.from, r.to])).toEqual([
        ["resource", "a", "ERROR", "FAIL"],
      ]);
      expect(regressions[0]?.message).toBe(
        "admin a@example.com fails admin-mfa (not judged in the last evaluated run): MFA not required",
      );
    });

    it("a measured value in ERROR is not compared", () => {
      const before = finding([count("FAIL", 3)]);
      const unjudged = row("ERROR", "org", {
        resourceType: "organization",
        check: "full-admin-count",
        measure: { value: 9, unit: "full admins", worseWhen: "higher" },
      });
      expect(compareFindings(before, finding([unjudged, row("FAIL", "a")])).regressions).toEqual([
        expect.objectContaining({ kind: "resource", resource: expect.objectContaining({ id: "a" }) }),
      ]);
    });

    it("a control whose status is ERROR because of an unjudged check is compared on its next evaluated run", () => {
      const before = finding([row("FAIL", "a"), count("PASS", 2)]);
      const erroring = finding([mfaError, count("PASS", 2)]);
      expect(erroring.status).toBe("ERROR");
      expect(compareFindings(before, erroring)).toEqual({ regressions: [], recoveries: [] });
    });
  });
});
