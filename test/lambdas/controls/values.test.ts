/**
 * The doubt helpers of values.ts that every control shares: the exact reasons and statuses they give
 * (controls' messages are built from them), and how several doubts combine.
 */
import { describe, expect, it } from "vitest";
import {
  combineDoubts,
  doubtOf,
  fieldsOf,
  isDoubt,
  notAnObject,
  readBoolean,
  readList,
  worstStatusOf,
} from "../../../lambdas/controls/values.js";

describe("doubtOf", () => {
  it("is MANUAL for a value not reported, in each control's wording", () => {
    const absent = readBoolean(null);
    expect(doubtOf("disabled", absent)).toEqual({ status: "MANUAL", reason: "disabled is not reported" });
    expect(doubtOf("disabled", absent, "<field> not reported")).toEqual({
      status: "MANUAL",
      reason: "disabled not reported",
    });
    expect(doubtOf("osFamily", absent, "The API did not report <field>")).toEqual({
      status: "MANUAL",
      reason: "The API did not report osFamily",
    });
  });

  it("is ERROR for a value of another type, whatever the wording, and keeps `$` in field names", () => {
    const odd = readList(5);
    for (const wording of ["<field> not reported", "The API did not report <field>"] as const) {
      expect(doubtOf("ips", odd, wording)).toEqual({ status: "ERROR", reason: "ips is 5 (expected a list)" });
    }
    expect(doubtOf("$&", readBoolean(undefined), "<field> not reported").reason).toBe("$& not reported");
  });
});

describe("combining doubts", () => {
  const manual = { status: "MANUAL", reason: "a not reported" } as const;
  const error = { status: "ERROR", reason: "b is 1 (expected a string)" } as const;

  it("worstStatusOf is ERROR when any doubt is, otherwise MANUAL", () => {
    expect(worstStatusOf([manual, manual])).toBe("MANUAL");
    expect(worstStatusOf([manual, error])).toBe("ERROR");
  });

  it("combineDoubts skips undefined, keeps every reason by default and each once when distinct", () => {
    expect(combineDoubts([undefined, undefined])).toBeUndefined();
    expect(combineDoubts([manual, undefined, manual])).toEqual({
      status: "MANUAL",
      reason: "a not reported; a not reported",
    });
    expect(combineDoubts([manual, error, manual], { separator: ", ", distinct: true })).toEqual({
      status: "ERROR",
      reason: "a not reported, b is 1 (expected a string)",
    });
  });

  it("isDoubt tells a doubt from the verdicts, flags, lists and records it stands in for", () => {
    expect(isDoubt(error)).toBe(true);
    for (const other of [true, false, "active", ["reason"], { has: true }, null, undefined]) {
      expect(isDoubt(other)).toBe(false);
    }
  });
});

describe("records", () => {
  it("fieldsOf gives an object's fields and undefined for anything else; notAnObject words the rest", () => {
    expect(fieldsOf({ a: 1 })).toEqual({ a: 1 });
    for (const raw of [null, undefined, "x", 3, [1]]) expect(fieldsOf(raw)).toBeUndefined();
    expect(notAnObject("x")).toBe('"x" (expected an object)');
    expect(notAnObject(null)).toBe("null (expected an object)");
  });
});
