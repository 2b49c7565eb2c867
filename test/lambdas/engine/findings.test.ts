import { describe, expect, it } from "vitest";
import { countResults, statusFromResults, trimPassResults } from "../../../lambdas/engine/findings.js";
import { finding, row } from "../../helpers/findings.js";
import { findingSchemaErrors } from "../../helpers/schema.js";

describe("statusFromResults", () => {
  it("is the worst result: FAIL > MANUAL > MUTED > PASS, and PASS when there are none", () => {
    expect(
      statusFromResults([row("PASS", "a"), row("MUTED", "b"), row("MANUAL", "c"), row("FAIL", "d")]),
    ).toBe("FAIL");
    expect(statusFromResults([row("PASS", "a"), row("MUTED", "b"), row("MANUAL", "c")])).toBe("MANUAL");
    expect(statusFromResults([row("PASS", "a"), row("MUTED", "b")])).toBe("MUTED");
    expect(statusFromResults([])).toBe("PASS");
  });
});

describe("trimPassResults", () => {
  const big = finding([
    ...Array.from({ length: 5 }, (_, i) => row("PASS", `p${i}`)),
    row("FAIL", "f"),
    row("MANUAL", "m"),
  ]);

  it("keeps every non-passing result and the first N passing ones, recording how many were left out", () => {
    const trimmed = trimPassResults(big, 2);
    expect(trimmed.results.map((r) => r.resourceId)).toEqual(["p0", "p1", "f", "m"]);
    expect(trimmed.omitted).toEqual({ PASS: 3 });
    expect(trimmed.counts).toEqual(countResults(big.results));
    expect(findingSchemaErrors(trimmed)).toEqual([]);
  });

  it("leaves a finding within the limit untouched", () => {
    expect(trimPassResults(big, 5)).toBe(big);
    expect(trimPassResults(big, Number.POSITIVE_INFINITY)).toBe(big);
  });
});
