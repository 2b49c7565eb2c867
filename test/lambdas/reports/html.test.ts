/**
 * The HTML report as text: self-contained under its CSP, counts equal to the report's, every failing
 * and manual resource listed whole, fix steps from the registry, exceptions with owner and expiry, and
 * every report string escaped. The browser tests (test/browser/) render it in Chromium.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { controlById } from "../../../lambdas/controls/registry.js";
import type { ControlStatus, ResultStatus } from "../../../lambdas/controls/types.js";
import type { RunReport } from "../../../lambdas/engine/findings.js";
import { HTML_REPORT_CSP, renderHtmlReport } from "../../../lambdas/reports/html.js";
import { escapeHtml } from "../../../lambdas/shared/output-safety.js";
import { finding, row } from "../../helpers/findings.js";
import { HOSTILE, UNSAFE } from "../shared/hostile.js";
import { reportOf } from "./sample.js";

const report = reportOf;

/** One finding per control status, over several controls, levels and severities. */
function mixed(): RunReport {
  return report([
    finding([row("PASS", "a"), row("FAIL", "b"), row("FAIL", "c")]),
    finding([row("PASS", "d"), row("MANUAL", "e", { check: "review" })], {
      controlId: "1.2",
      title: "Implement Least Privilege Administration",
      severity: "high",
    }),
    finding([], {
      controlId: "2.1",
      title: "Enforce Organization-Wide MFA",
      status: "ERROR",
      summary: "Could not be evaluated.",
      error: {
        code: "FORBIDDEN",
        message: "authnPolicies: JumpCloud answered 403",
        datasets: [
          { dataset: "authnPolicies", code: "FORBIDDEN", message: "JumpCloud answered 403", status: 403 },
        ],
      },
    }),
    finding([row("PASS", "f")], { controlId: "2.2", level: "L2", severity: "high" }),
    finding([], { controlId: "3.1", level: "L2", status: "NOT_APPLICABLE", summary: "Not on the plan." }),
    finding(
      [
        row("MUTED", "g", {
          mutedBy: { reason: "Break-glass account", owner: "ciso@example.com", expires: "2027-01-31" },
        }),
      ],
      { controlId: "5.2", severity: "medium" },
    ),
  ]);
}

/** The numbers the page shows under `data-count`, by key. */
function shownCounts(html: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of html.matchAll(/data-count="([^"]+)">(\d+)</g)) counts[m[1] as string] = Number(m[2]);
  return counts;
}

describe("renderHtmlReport", () => {
  it("is one self-contained page: no script, no external resource, a CSP allowing only its own stylesheet by hash", () => {
    const html = renderHtmlReport(mixed());
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=/i);
    // The only links are anchors within the page.
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#control-/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`);
    expect(HTML_REPORT_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*';/);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
    expect(styles).toHaveLength(1);
    const hash = createHash("sha256")
      .update(styles[0]?.[1] ?? "")
      .digest("base64");
    expect(HTML_REPORT_CSP).toContain(`'sha256-${hash}'`);
    // Inline style attributes would be blocked by that CSP, so there are none.
    expect(html).not.toMatch(/\sstyle=/);
  });

  it("shows counts of controls by status, severity and level, and of results by status, equal to the report's", () => {
    const r = mixed();
    const shown = shownCounts(renderHtmlReport(r));
    const statuses: ControlStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS", "NOT_APPLICABLE"];
    for (const s of statuses)
      expect(shown[`controls:${s}`], s).toBe(r.controls.filter((f) => f.status === s).length);
    expect(shown["controls:FAIL"]).toBe(1);
    expect(shown["controls:NOT_APPLICABLE"]).toBe(1);
    for (const severity of ["critical", "high", "medium", "low"] as const) {
      const mine = r.controls.filter((f) => f.severity === severity);
      expect(shown[`severity:${severity}:total`]).toBe(mine.length);
      for (const s of statuses)
        expect(shown[`severity:${severity}:${s}`]).toBe(mine.filter((f) => f.status === s).length);
    }
    for (const level of ["L1", "L2", "L3"] as const) {
      const mine = r.controls.filter((f) => f.level === level);
      expect(shown[`level:${level}:total`]).toBe(mine.length);
      for (const s of statuses)
        expect(shown[`level:${level}:${s}`]).toBe(mine.filter((f) => f.status === s).length);
    }
    const resultStatuses: ResultStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS"];
    for (const s of resultStatuses)
      expect(shown[`results:${s}`]).toBe(r.controls.reduce((n, f) => n + f.counts[s], 0));
    expect(shown["results:FAIL"]).toBe(2);
  });

  it("shows the organization, the run and its times, and a verdict that names unevaluated controls", () => {
    const html = renderHtmlReport(mixed());
    expect(html).toContain("Globex Corporation");
    expect(html).toContain("5f0000000000000000000001");
    expect(html).toContain("20261128T120000Z-abc123");
    expect(html).toContain("2026-11-28 12:00:00 UTC");
    expect(html).toContain("(2.5 s)");
    expect(html).toContain("1 of 6 controls FAIL; 1 could not be evaluated, so this audit is incomplete");
  });

  it("lists every failing and manual result, however many, and never cuts a name", () => {
    const long = `host-${"A".repeat(60_000)}-end`;
    const failing = Array.from({ length: 1500 }, (_, i) => row("FAIL", `u${i}`));
    const html = renderHtmlReport(
      report([finding([row("FAIL", "long", { resourceName: long }), ...failing, row("MANUAL", "m")])]),
    );
    expect(html.match(/<tr data-status="FAIL">/g)).toHaveLength(1501);
    expect(html.match(/<tr data-status="MANUAL">/g)).toHaveLength(1);
    expect(html).toContain(long);
    expect(html).toContain("u1499@example.com");
    expect(html).not.toContain("…");
  });

  it("keeps passing results in a closed section and says how many were left out of the findings", () => {
    const f = finding([row("PASS", "p1"), row("FAIL", "x")], {
      counts: { PASS: 1001, FAIL: 1, MANUAL: 0, MUTED: 0, ERROR: 0 },
      omitted: { PASS: 1000 },
    });
    const html = renderHtmlReport(report([f]));
    expect(html).toContain("<details>\n<summary>Passing results (1001)</summary>");
    expect(html).toContain("1000 more passing results were left out of the stored findings");
    expect(html).toContain("<details open>\n<summary>Failing, manual, error and muted results (");
    expect(shownCounts(html)["results:PASS"]).toBe(1001);
  });

  it("shows a control that could not be evaluated as ERROR with its code, reason and datasets, never PASS", () => {
    const html = renderHtmlReport(mixed());
    const article = html.match(/<article class="control" id="control-2-1"[\s\S]*?<\/article>/)?.[0] ?? "";
    expect(article).toContain('data-status="ERROR"');
    expect(article).toContain('<span class="badge s-ERROR">ERROR</span>');
    expect(article).not.toContain("s-PASS");
    expect(article).toContain("Could not be evaluated (FORBIDDEN):");
    expect(article).toContain("authnPolicies: FORBIDDEN (HTTP 403): JumpCloud answered 403");
  });

  it("gives each control the guide's fix steps and remediation from the registry", () => {
    const html = renderHtmlReport(mixed());
    const control = controlById("2.1");
    if (!control) throw new Error("2.1 missing from the registry");
    for (const step of control.manualSteps) expect(html).toContain(`<li>${escapeHtml(step)}</li>`);
    expect(html).toContain("jc-audit remediate can plan and apply this fix.");
    // Code spans of the registry's prose are shown as code.
    expect(html).toContain("<code>enableMultiFactor: true</code>");
    const unknown = renderHtmlReport(report([finding([row("FAIL", "x")], { controlId: "9.9" })]));
    expect(unknown).toContain("This version of jc-audit does not know control 9.9");
  });

  it("shows exceptions with owner and expiry: muted results, blanket exceptions and expired ones", () => {
    const r = mixed();
    r.exceptions = {
      applied: 3,
      maxDays: 180,
      expired: [{ controlId: "1.1", resource: "svc.*", owner: "it@example.com", expires: "2026-10-01" }],
      allResources: [
        {
          controlId: "5.2",
          check: "failed-admin-logins",
          reason: "Pen test this week",
          owner: "sec@example.com",
          expires: "2026-12-05",
          muted: 2,
        },
      ],
    };
    const html = renderHtmlReport(r);
    expect(shownCounts(html)["exceptions:applied"]).toBe(3);
    expect(html).toContain("an exception may run at most 180 days");
    expect(html).toContain(
      "<td>5.2</td><td>failed-admin-logins</td><td>Pen test this week</td><td>sec@example.com</td><td>2026-12-05</td>",
    );
    expect(html).toContain("<td>Break-glass account</td><td>ciso@example.com</td><td>2027-01-31</td>");
    expect(html).toContain(
      "Muted by exception: Break-glass account (owner ciso@example.com, until 2027-01-31)",
    );
    expect(html).toContain("<td>1.1</td><td>svc.*</td><td>it@example.com</td><td>2026-10-01</td>");
  });

  it("lists regressions and recoveries since the last run, and the framework rollup by requirement", () => {
    const r = mixed();
    const resource = { type: "admin", id: "b", name: "b@example.com", check: "admin-mfa" };
    const base = {
      controlId: "1.1",
      title: "Secure Admin Portal Access",
      severity: "critical",
      level: "L1",
    } as const;
    r.regressions = [
      {
        ...base,
        kind: "resource",
        resource,
        from: "PASS",
        to: "FAIL",
        message: "admin b@example.com newly fails",
      },
    ];
    r.recoveries = [
      { ...base, kind: "resource", resource, from: "FAIL", to: "MUTED", message: "admin z no longer fails" },
      { ...base, kind: "status", from: "FAIL", to: "PASS", message: "Control 1.1 went from FAIL to PASS" },
    ];
    const html = renderHtmlReport(r);
    expect(shownCounts(html).regressions).toBe(1);
    expect(shownCounts(html).recoveries).toBe(2);
    expect(html).toContain("admin b@example.com newly fails");
    expect(html).toContain("Control 1.1 went from FAIL to PASS");
    for (const e of r.compliance)
      expect(html).toContain(
        `<tr><th scope="row">${e.requirement}</th><td><span class="badge s-${e.status}">`,
      );
    expect(html).toContain("<caption>SOC 2 TSC</caption>");
  });

  it("escapes every string of the report: no markup, attribute break or control character gets through", () => {
    const evil = `<script>alert(1)</script><img src=x onerror=alert(1)>" onmouseover="x' ${HOSTILE.screenClear} ${HOSTILE.bidi} ${HOSTILE.forgedLine} ${HOSTILE.ampersand}`;
    const f = finding(
      [
        row("FAIL", evil, {
          resourceName: evil,
          resourceType: evil,
          check: evil,
          message: evil,
          observed: { name: evil },
          expected: evil,
        }),
        row("MUTED", "m", { mutedBy: { reason: evil, owner: evil, expires: evil } }),
      ],
      { summary: evil, title: evil, section: evil, controlId: evil },
    );
    const r = report([f], {
      organizationName: evil,
      orgId: evil,
      runId: evil,
      regressions: [
        {
          ...f,
          kind: "resource",
          message: evil,
          from: evil,
          to: evil,
          resource: { type: evil, id: evil, name: evil, check: evil },
        },
      ],
      exceptions: {
        applied: 1,
        expired: [{ controlId: evil, resource: evil, owner: evil, expires: evil }],
        allResources: [{ controlId: evil, check: evil, reason: evil, owner: evil, expires: evil, muted: 0 }],
      },
    });
    const html = renderHtmlReport(r);
    expect(html).not.toMatch(/<script|<img/i);
    // No tag of the page carries an event handler (the hostile ones stay inside text).
    for (const [tag] of html.matchAll(/<[^>]*>/g))
      expect(tag.replace(/="[^"]*"/g, '=""')).not.toMatch(/\son\w+=|\ssrc=/i);
    expect(html).not.toMatch(UNSAFE);
    expect(html).toContain(
      "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot; onmouseover=&quot;x&#39;",
    );
    expect(html).toContain("R&amp;D &amp;lt;");
    // Anchors and data attributes built from a control id stay inside their quotes.
    for (const m of html.matchAll(/(?:id|href|data-control)="([^"]*)"/g)) expect(m[1]).not.toMatch(/[<>'"]/);
  });

  it("masks secret-looking fields of observed values", () => {
    const html = renderHtmlReport(
      report([finding([row("FAIL", "r", { observed: { name: "VPN", sharedSecret: "hunter2-hunter2" } })])]),
    );
    expect(html).not.toContain("hunter2");
    expect(html).toContain("[REDACTED]");
  });

  it("prints readably: a print stylesheet opens every collapsed section and drops colour from status labels", () => {
    const html = renderHtmlReport(mixed());
    const print = html.match(/@media print\{([\s\S]*?)\n\}/)?.[1] ?? "";
    expect(print).toContain("details::details-content{content-visibility:visible");
    expect(print).toContain(".badge{color:#000;background:#fff");
    // Status is told by its text label, not colour alone.
    expect(html).toContain('<span class="badge s-NOT_APPLICABLE">N/A</span>');
  });

  it("renders a run with no control", () => {
    const html = renderHtmlReport(report([]));
    expect(html).toContain("No control was run.");
    expect(shownCounts(html)["controls:FAIL"]).toBe(0);
  });
});
