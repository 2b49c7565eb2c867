import { describe, expect, it } from "vitest";
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
});
