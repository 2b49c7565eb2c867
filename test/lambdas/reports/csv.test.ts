/**
 * The CSV action plan: RFC 4180 (read back by a strict parser written from the RFC's grammar), one
 * header row, one row per control result, controls without results as one row, formula injection
 * neutralized, control characters gone, secrets masked.
 */
import { describe, expect, it } from "vitest";
import { controlById } from "../../../lambdas/controls/registry.js";
import { CSV_COLUMNS, csvCell, MAX_CELL, renderCsv } from "../../../lambdas/reports/csv.js";
import { finding, row } from "../../helpers/findings.js";
import { HOSTILE, UNSAFE_IN_LINE } from "../shared/hostile.js";
import { EXCEPTION, mixedReport, reportOf } from "./sample.js";

/**
 * A strict RFC 4180 reader: records end with CRLF (the last one too), fields are separated by commas,
 * a quoted field doubles its quotes; a quote inside an unquoted field, a bare CR or LF, or anything
 * after a closing quote but a comma or CRLF is an error. Every record must have the header's width.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const record: string[] = [];
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new Error("unterminated quoted field");
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
            } else {
              i++;
              break;
            }
          } else field += text[i++];
        }
      } else {
        while (i < text.length && text[i] !== "," && text[i] !== "\r") {
          if (text[i] === '"' || text[i] === "\n") throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
          field += text[i++];
        }
      }
      record.push(field);
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text.startsWith("\r\n", i)) {
        i += 2;
        break;
      }
      throw new Error(`expected , or CRLF at ${i}, got ${JSON.stringify(text.slice(i, i + 10))}`);
    }
    if (records.length > 0 && record.length !== records[0]?.length)
      throw new Error(
        `record ${records.length} has ${record.length} fields, the header ${records[0]?.length}`,
      );
    records.push(record);
  }
  return records;
}

/** Records as objects keyed by the header. */
function rowsOf(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(text);
  return records.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ""])));
}

describe("renderCsv", () => {
  it("one header row, then one row per result, and one row per control without results", () => {
    const report = mixedReport();
    const text = renderCsv(report);
    const [header, ...records] = parseCsv(text);
    expect(header).toEqual([...CSV_COLUMNS]);
    const expected = report.controls.reduce((n, c) => n + Math.max(c.results.length, 1), 0);
    expect(records).toHaveLength(expected);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  });

  it("each row carries the control, the result, the frameworks, the guide's first step and the exception", () => {
    const rows = rowsOf(renderCsv(mixedReport()));
    expect(rows[1]).toEqual({
      Control: "1.1",
      Title: "Secure Admin Portal Access",
      Level: "L1",
      Severity: "critical",
      Status: "FAIL",
      "Resource type": "admin",
      "Resource ID": "b",
      "Resource name": "b@example.com",
      Check: "admin-mfa",
      Message: "MFA not required",
      Observed: '{"required":false}',
      Expected: '{"required":true}',
      "CIS Controls v8": "5.4",
      "NIST SP 800-53 Rev 5": "AC-6(1)",
      "SOC 2 TSC": "CC6.1",
      "Fix step": controlById("1.1")?.manualSteps[0],
      "Exception owner": "",
      "Exception expiry": "",
      "Exception reason": "",
    });
    expect(rows[2]).toMatchObject({
      Status: "MUTED",
      "Exception owner": EXCEPTION.owner,
      "Exception expiry": EXCEPTION.expires,
      "Exception reason": EXCEPTION.reason,
    });
    // A control without results: its status and summary.
    expect(rows.find((r) => r.Control === "2.1")).toMatchObject({
      Status: "ERROR",
      "Resource type": "",
      Message: "Could not evaluate: GET /api/systemusers answered 403.",
    });
    expect(rows.find((r) => r.Control === "3.1")).toMatchObject({ Status: "NOT_APPLICABLE" });
  });

  it("says how many passing results the findings left out", () => {
    const base = finding([row("PASS", "a"), row("FAIL", "b")]);
    const rows = rowsOf(renderCsv(reportOf([{ ...base, omitted: { PASS: 1200 } }])));
    expect(rows).toHaveLength(3);
    expect(rows[2]?.Message).toBe(
      "1200 more passing results are not listed (jc-audit run --all-results lists them)",
    );
  });

  it("neutralizes formulas, control characters and forged lines from JumpCloud, and masks secrets", () => {
    const hostile = [
      '=HYPERLINK("http://evil.example","x")',
      "+1+cmd|' /C calc'!A0",
      "-2+3",
      "@SUM(A1:A2)",
      "\t=1+1",
      "\r=1+1",
      "  =1+1",
      "\uff1d1+1",
      HOSTILE.screenClear,
      HOSTILE.forgedLine,
      HOSTILE.bidi,
      HOSTILE.carriageReturn,
    ];
    const results = hostile.map((name, i) =>
      row("FAIL", `id${i}`, {
        resourceName: name,
        message: `${name} is bad`,
        observed: { sharedSecret: "k7#Qv9!mZ2pL8xR4", name },
      }),
    );
    const text = renderCsv(reportOf([finding(results)]));
    expect(text).not.toContain("k7#Qv9!mZ2pL8xR4");
    const rows = rowsOf(text);
    expect(rows).toHaveLength(hostile.length);
    for (const r of rows) {
      for (const value of Object.values(r)) {
        expect(value).not.toMatch(UNSAFE_IN_LINE);
        expect(value.trimStart()).not.toMatch(/^[=+\-@\uff1d]/);
      }
    }
    expect(rows.map((r) => r["Resource name"]).slice(0, 4)).toEqual([
      '\'=HYPERLINK("http://evil.example","x")',
      "'+1+cmd|' /C calc'!A0",
      "'-2+3",
      "'@SUM(A1:A2)",
    ]);
    // Neutralized, not hidden: the forged line stays inside its own cell.
    expect(rows[9]?.["Resource name"]).toBe("x PASS   2.2 Enforce MFA");
  });

  it("quotes only what needs quoting, and caps a cell below Excel's 32,767 characters", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(false)).toBe("false");
    expect(csvCell("x".repeat(100_000))).toHaveLength(MAX_CELL);
  });

  it("with --compliance: that framework's rollup, one row per requirement", () => {
    const report = mixedReport();
    const [header, ...records] = parseCsv(renderCsv(report, { compliance: "nist" }));
    expect(header).toEqual(["Framework", "Requirement", "Status", "Controls"]);
    expect(records).toEqual(
      report.compliance
        .filter((e) => e.framework === "NIST SP 800-53 Rev 5")
        .map((e) => [e.framework, e.requirement, e.status, e.controls.join(" ")]),
    );
    expect(records.length).toBeGreaterThan(0);
  });
});
