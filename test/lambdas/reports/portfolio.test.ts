/**
 * The portfolio summary as text: one self-contained page under its CSP, one row per organization worst
 * first (a failed report first, then failing controls by severity, then ERROR), counts equal to the
 * summaries', a failed organization listed with its reason, links only to each organization's own
 * report, hostile names and reasons inert in HTML and CSV, and 1,000 organizations.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CONTROLS, controlById } from "../../../lambdas/controls/registry.js";
import {
  PORTFOLIO_CSP,
  PORTFOLIO_CSV_COLUMNS,
  type PortfolioOrg,
  renderPortfolioCsv,
  renderPortfolioHtml,
  sortPortfolio,
} from "../../../lambdas/reports/portfolio.js";
import { EVERY_HOSTILE_CLASS, HOSTILE, UNSAFE_IN_LINE } from "../shared/hostile.js";
import { orgN, PORTFOLIO_DATE, reportedOrg, summaryOf } from "./portfolio-sample.js";

const DATE = PORTFOLIO_DATE;
const OPTIONS = { date: DATE, version: "0.1.0-test" };
const org = orgN;
const summary = summaryOf;
const reported = reportedOrg;

/** Organization ids of the page's rows, in order. */
const rowsOf = (html: string) => [...html.matchAll(/<tr data-org="([^"]+)"/g)].map((m) => m[1]);
const csvRows = (csv: string) => csv.split("\r\n").filter(Boolean);

describe("sortPortfolio: worst first", () => {
  it("a failed report first, then one critical FAIL before two high, then more FAIL, ERROR, MANUAL, then id", () => {
    const orgs: PortfolioOrg[] = [
      reported(org(1)),
      reported(org(2), { "5.1": "MANUAL" }),
      reported(org(3), { "3.1": "ERROR" }),
      reported(org(4), { "1.2": "FAIL", "2.2": "FAIL" }),
      reported(org(5), { "1.1": "FAIL" }),
      { orgId: org(6), failure: "Slow Down" },
      reported(org(7), { "1.2": "FAIL" }),
      reported(org(8), { "1.2": "FAIL", "3.2": "FAIL" }),
      reported(org(0)),
    ];
    expect(sortPortfolio(orgs).map((o) => o.orgId)).toEqual([6, 5, 4, 8, 7, 3, 2, 0, 1].map((n) => org(n)));
  });
});

describe("renderPortfolioHtml", () => {
  it("is one self-contained page: no script, no external resource, a CSP allowing only its own stylesheet by hash", () => {
    const html = renderPortfolioHtml([reported(org(1), { "1.1": "FAIL" })], OPTIONS);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${PORTFOLIO_CSP}">`);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
    expect(styles).toHaveLength(1);
    const hash = createHash("sha256")
      .update(styles[0]?.[1] ?? "")
      .digest("base64");
    expect(PORTFOLIO_CSP).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    expect(html).not.toMatch(/\sstyle=/);
  });

  it("links each reported organization to its own report of the day, relative to reports/_portfolio/", () => {
    const html = renderPortfolioHtml([reported(org(1)), reported(org(2))], OPTIONS);
    const links = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(links.sort()).toEqual([`../${org(1)}/${DATE}/report.html`, `../${org(2)}/${DATE}/report.html`]);
  });

  it("shows the summaries' counts, per organization and in total, and the worst failing controls", () => {
    const html = renderPortfolioHtml(
      [reported(org(1), { "1.1": "FAIL", "3.1": "ERROR" }), reported(org(2), { "5.1": "MANUAL" })],
      OPTIONS,
    );
    const shown = Object.fromEntries(
      [...html.matchAll(/data-count="([^"]+)">(\d+)</g)].map((m) => [m[1], Number(m[2])]),
    );
    expect(shown).toEqual({
      organizations: 2,
      failed: 0,
      withFail: 1,
      withError: 1,
      "controls:FAIL": 1,
      "controls:ERROR": 1,
      "controls:MANUAL": 1,
      "controls:MUTED": 0,
      "controls:PASS": CONTROLS.length * 2 - 3,
      "controls:NOT_APPLICABLE": 0,
    });
    const first = html.slice(html.indexOf(`<tr data-org="${org(1)}"`)).split("</tr>")[0] ?? "";
    expect(first).toContain(`1.1 ${controlById("1.1")?.title}`);
    expect(first).toContain(">critical<");
    expect(first).toMatch(/<td class="num c-FAIL">1<\/td><td class="num c-ERROR">1<\/td>/);
  });

  it("lists an organization whose report failed, first, with its reason and no link or counts", () => {
    const html = renderPortfolioHtml(
      [reported(org(1), { "1.1": "FAIL" }), { orgId: org(2), failure: "findings: Access Denied" }],
      OPTIONS,
    );
    expect(rowsOf(html)).toEqual([org(2), org(1)]);
    const row = html.slice(html.indexOf(`<tr data-org="${org(2)}"`)).split("</tr>")[0] ?? "";
    expect(row).toContain('data-report="failed"');
    expect(row).toContain("Report failed:</strong> findings: Access Denied");
    expect(row).not.toContain("href=");
    expect(html).toContain("1 could not be reported at all");
  });

  it("renders hostile organization names, failure reasons and control titles as inert text", () => {
    const hostile = `<script>alert(1)</script><a href="https://evil.example">x</a>${EVERY_HOSTILE_CLASS}`;
    const named = reported(org(1), { "1.1": "FAIL" });
    if ("summary" in named) {
      named.organizationName = hostile;
      (named.summary.worst[0] as { title: string }).title = hostile;
    }
    const html = renderPortfolioHtml(
      [named, { orgId: org(2), organizationName: hostile, failure: hostile }],
      OPTIONS,
    );
    expect(html).not.toMatch(/<script|<a href="https:|javascript:/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // The page's own line breaks aside, no control, escape, bidi or line separator reaches it.
    expect(html.replace(/\n/g, "")).not.toMatch(UNSAFE_IN_LINE);
  });

  it("links nothing when an id or the date is not of the expected shape", () => {
    const bad = reported('x"><a href="https://evil.example">');
    const html = renderPortfolioHtml([bad], { ...OPTIONS, date: "../../x" });
    expect(html).not.toMatch(/<a\s/);
    expect(html).toContain("&quot;&gt;&lt;a href=&quot;https://evil.example&quot;&gt;");
  });

  it("says so when there is no organization", () => {
    expect(renderPortfolioHtml([], OPTIONS)).toContain("No organization was reported.");
  });

  it("renders 1,000 organizations, one row each, worst first", () => {
    const orgs = Array.from({ length: 1000 }, (_, i) =>
      i === 500
        ? { orgId: org(i), failure: "Slow Down" }
        : reported(org(i), i % 7 === 0 ? { "2.1": "FAIL" } : {}),
    );
    const html = renderPortfolioHtml(orgs, OPTIONS);
    const rows = rowsOf(html);
    expect(rows).toHaveLength(1000);
    expect(new Set(rows).size).toBe(1000);
    expect(rows[0]).toBe(org(500));
    expect(rows.slice(1, 144).every((id) => Number.parseInt(id?.slice(2) ?? "", 16) % 7 === 0)).toBe(true);
    expect(html).toContain('<span class="n" data-count="withFail">143</span>');
  });
});

describe("renderPortfolioCsv", () => {
  it("has the header, then one row per organization worst first, with counts, problems, worst controls and keys", () => {
    const stale = summary(org(2), { "3.1": "ERROR" });
    stale.problems.stale = 1;
    const csv = renderPortfolioCsv([{ orgId: org(2), summary: stale }, reported(org(1), { "1.1": "FAIL" })]);
    const rows = csvRows(csv);
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(rows[0]).toBe(PORTFOLIO_CSV_COLUMNS.join(","));
    expect(rows).toHaveLength(3);
    expect(rows[1]).toBe(
      `${org(1)},,reported,1,0,0,0,${CONTROLS.length - 1},0,0,0,0,critical,${csvText(`1.1 ${controlById("1.1")?.title} (critical, 2 failing)`)},reports/${org(1)}/${DATE}/report.html,`,
    );
    expect(rows[2]).toBe(
      `${org(2)},,reported,0,1,0,0,${CONTROLS.length - 1},0,1,0,0,,,reports/${org(2)}/${DATE}/report.html,`,
    );
  });

  it("lists a failed organization with empty counts and its reason", () => {
    const rows = csvRows(renderPortfolioCsv([reported(org(1)), { orgId: org(2), failure: "Access Denied" }]));
    expect(rows[1]).toBe(`${org(2)},,failed,,,,,,,,,,,,,Access Denied`);
  });

  it("neutralizes formulas, forged lines and escapes in names and reasons", () => {
    const csv = renderPortfolioCsv([
      { orgId: org(1), organizationName: '=HYPERLINK("http://evil.example","x")', failure: "@SUM(1)" },
      { orgId: org(2), organizationName: HOSTILE.forgedLine, failure: HOSTILE.screenClear },
    ]);
    const rows = csvRows(csv);
    expect(rows).toHaveLength(3);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csv).toContain("'@SUM(1)");
    expect(csv.replace(/\r\n/g, "")).not.toMatch(UNSAFE_IN_LINE);
    for (const row of rows.slice(1)) expect(row.startsWith("5f")).toBe(true);
  });
});

function csvText(value: string): string {
  return /[",]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
