/** Report filters: flag parsing, and the view they make (still a valid run report, never the stored run). */
import { describe, expect, it } from "vitest";
import {
  describeFilters,
  filterReport,
  parseCompliance,
  parseSeverities,
  parseStatuses,
  ReportFilterError,
} from "../../../lambdas/reports/filters.js";
import { findingSchemaErrors } from "../../helpers/schema.js";
import { UNSAFE_IN_LINE } from "../shared/hostile.js";
import { mixedReport } from "./sample.js";

describe("parsing the filter flags", () => {
  it("accepts lists case-insensitively, N/A for NOT_APPLICABLE, and drops duplicates", () => {
    expect(parseStatuses("fail, Manual,FAIL")).toEqual(["FAIL", "MANUAL"]);
    expect(parseStatuses("n/a,not_applicable")).toEqual(["NOT_APPLICABLE"]);
    expect(parseSeverities("Critical,high")).toEqual(["critical", "high"]);
    expect(parseCompliance("SOC2")).toBe("soc2");
  });

  it.each([
    [
      () => parseStatuses("FAIL,OK"),
      '--status: unknown value "OK" (allowed: PASS, FAIL, MANUAL, ERROR, NOT_APPLICABLE, MUTED)',
    ],
    [
      () => parseStatuses(" , "),
      "--status needs at least one of PASS, FAIL, MANUAL, ERROR, NOT_APPLICABLE, MUTED",
    ],
    [
      () => parseSeverities("urgent"),
      '--severity: unknown value "urgent" (allowed: critical, high, medium, low)',
    ],
    [() => parseCompliance("iso27001"), '--compliance must be one of cis, nist, soc2, got "iso27001"'],
    [() => parseCompliance("toString"), '--compliance must be one of cis, nist, soc2, got "toString"'],
  ])("refuses a bad value with one clean line (%#)", (parse, message) => {
    expect(parse).toThrow(ReportFilterError);
    expect(parse).toThrow(message);
  });

  it("echoes a hostile value cleaned, on one line", () => {
    try {
      parseStatuses("\u001b]0;owned\u0007x\nPASS");
      expect.unreachable();
    } catch (error) {
      expect((error as ReportFilterError).code).toBe("INVALID_REPORT_FILTER");
      expect((error as Error).message).not.toMatch(UNSAFE_IN_LINE);
    }
  });
});

describe("filterReport", () => {
  it("without filters returns the report itself", () => {
    const report = mixedReport();
    expect(filterReport(report, {})).toBe(report);
  });

  it("--status keeps results with those statuses and controls with those statuses or such results; counts stay whole", () => {
    const report = mixedReport();
    const view = filterReport(report, { statuses: ["FAIL", "MANUAL"] });
    expect(view.controls.map((c) => [c.controlId, c.status, c.results.map((r) => r.status)])).toEqual([
      ["1.1", "FAIL", ["FAIL"]],
      ["1.2", "MANUAL", ["MANUAL"]],
    ]);
    expect(view.controls[0]?.counts).toEqual(report.controls[0]?.counts);
    expect(view.compliance.every((e) => e.status === "FAIL" || e.status === "MANUAL")).toBe(true);
    expect(findingSchemaErrors(view)).toEqual([]);
    // The report given is never changed.
    expect(report.controls[0]?.results).toHaveLength(3);
  });

  it("--status ERROR,NOT_APPLICABLE keeps controls without results", () => {
    const view = filterReport(mixedReport(), { statuses: ["ERROR", "NOT_APPLICABLE"] });
    expect(view.controls.map((c) => [c.controlId, c.results.length])).toEqual([
      ["2.1", 0],
      ["3.1", 0],
    ]);
  });

  it("--status PASS keeps passing results of failing controls, and the omitted count only then", () => {
    const report = mixedReport();
    const first = report.controls[0];
    if (!first) throw new Error("no control");
    report.controls[0] = { ...first, omitted: { PASS: 7 } };
    expect(filterReport(report, { statuses: ["PASS"] }).controls[0]).toMatchObject({
      controlId: "1.1",
      results: [{ resourceId: "a", status: "PASS" }],
      omitted: { PASS: 7 },
    });
    expect(filterReport(report, { statuses: ["FAIL"] }).controls[0]?.omitted).toBeUndefined();
  });

  it("--severity keeps controls of those severities and their regressions; --status does not touch changes", () => {
    const view = filterReport(mixedReport(), { severities: ["critical"], statuses: ["PASS"] });
    expect(view.controls.map((c) => c.controlId)).toEqual(["1.1"]);
    expect(view.regressions.map((r) => r.controlId)).toEqual(["1.1"]);
    expect(
      filterReport(mixedReport(), { severities: ["medium", "low"] }).controls.map((c) => c.controlId),
    ).toEqual(["4.2"]);
  });

  it("--compliance keeps that framework's rollup as the run computed it, and the controls mapped to it", () => {
    const report = mixedReport();
    const view = filterReport(report, { compliance: "soc2" });
    expect(view.compliance).toEqual(report.compliance.filter((e) => e.framework === "SOC 2 TSC"));
    expect(view.compliance.map((e) => [e.requirement, e.status])).toEqual([
      ["CC6.1", "FAIL"],
      ["CC6.2", "MANUAL"],
      ["CC6.6", "NOT_APPLICABLE"],
    ]);
    // 5.1 and 4.2 map to no SOC 2 criterion.
    expect(view.controls.map((c) => c.controlId)).toEqual(["1.1", "1.2", "2.1", "3.1"]);
    expect(view.regressions.map((r) => r.controlId)).toEqual(["1.1"]);
    expect(findingSchemaErrors(view)).toEqual([]);
  });

  it("a requirement keeps its worst status even when --severity hides the control that set it", () => {
    const view = filterReport(mixedReport(), { compliance: "cis", severities: ["medium"] });
    // CIS 5.4 is FAIL because of 1.1 (critical), which the severity filter leaves out.
    expect(view.compliance.find((e) => e.requirement === "5.4")?.status).toBe("FAIL");
  });

  it("describes itself in one line", () => {
    expect(
      describeFilters({ statuses: ["FAIL", "MANUAL"], severities: ["critical"], compliance: "nist" }),
    ).toBe("--status FAIL,MANUAL · --severity critical · --compliance nist");
  });
});
