/**
 * The daily report's portfolio summary (`portfolio: true`, the fan-out's last step) over an in-memory
 * bucket: every deployed control of every organization starts with a fresh PASS finding and each test
 * changes one thing. The page and CSV land under reports/_portfolio/ after the organizations' reports,
 * a failed organization is listed as failed before the run throws, a failed portfolio write fails the
 * run, and 1,000 organizations make 1,000 rows.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CONTROLS } from "../../../lambdas/controls/registry.js";
import { PORTFOLIO_CSV_COLUMNS } from "../../../lambdas/reports/portfolio.js";
import {
  compactResult,
  type DailyReportDependencies,
  DailyReportError,
  type DailyReportSettings,
  reportKeys,
  runDailyReport,
} from "../../../lambdas/service/daily-report.js";
import type { LatestObject } from "../../../lambdas/service/daily-report-findings.js";
import { silentLogger } from "../../../lambdas/shared/logger.js";
import { layout } from "../../../lambdas/store/findings-store.js";
import { finding, row } from "../../helpers/findings.js";
import { EVERY_HOSTILE_CLASS, UNSAFE_IN_LINE } from "../shared/hostile.js";

const NOW = new Date("2026-11-30T06:57:00.000Z");
const DATE = "2026-11-30";
const AUDITED = "2026-11-30T06:00:00.000Z";
const org = (n: number) => `5f${n.toString(16).padStart(22, "0")}`;
const ORGS = [org(1), org(2), org(3)];
const PORTFOLIO = { html: `reports/_portfolio/${DATE}.html`, csv: `reports/_portfolio/${DATE}.csv` };
/** The fan-out's last step (`portfolio` typed loosely: the event schema gains it in config.ts). */
const EVENT = { eventId: "e1", time: NOW.toISOString(), portfolio: true };

let objects: Map<string, { body: string; type: string }>;
/** Organizations whose findings cannot be read, with the error message the read throws. */
let unreadable: Map<string, string>;
/** Keys whose write throws. */
let refused: Set<string>;
/** Keys in the order they were written. */
let order: string[];

function deps(settings: Partial<DailyReportSettings> = {}): DailyReportDependencies {
  const read = async (key: string): Promise<LatestObject> => {
    const object = objects.get(key);
    return object ? { kind: "text", text: object.body } : { kind: "absent" };
  };
  return {
    findings: {
      organizations: async () => ORGS,
      latest: async (orgId, controlId) => {
        const message = unreadable.get(orgId);
        if (message !== undefined) throw Object.assign(new Error(message), { name: "AccessDenied" });
        return read(layout.latest(orgId, controlId));
      },
    },
    objects: {
      read,
      write: async (key, body, type) => {
        if (refused.has(key)) throw Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
        objects.set(key, { body, type });
        order.push(key);
      },
    },
    notifier: { publish: async () => {} },
    logger: silentLogger,
    clock: () => NOW,
    locate: (key) => ({ uri: `s3://findings/${key}`, consoleUrl: `https://console.example/${key}` }),
    settings: {
      orgIds: ORGS,
      controlIds: CONTROLS.map((c) => c.id),
      staleAfterSeconds: Object.fromEntries(CONTROLS.map((c) => [c.id, 172_800])),
      dailyDigest: false,
      version: "0.1.0-test",
      ...settings,
    },
  };
}

function putPassing(orgId: string, status: "PASS" | "FAIL" = "PASS", controlId?: string) {
  for (const c of CONTROLS) {
    if (controlId && c.id !== controlId) continue;
    const f = finding([row(status, "a1")], {
      orgId,
      controlId: c.id,
      title: c.title,
      severity: c.severity,
      level: c.level,
      evaluatedAt: AUDITED,
    });
    objects.set(layout.latest(orgId, c.id), { body: JSON.stringify(f), type: "application/json" });
  }
}

const body = (key: string) => objects.get(key)?.body ?? "";
const csvRows = () => body(PORTFOLIO.csv).split("\r\n").filter(Boolean);

beforeEach(() => {
  objects = new Map();
  unreadable = new Map();
  refused = new Set();
  order = [];
  for (const id of ORGS) putPassing(id);
});

describe("runDailyReport with portfolio: true", () => {
  it("writes the page and the CSV under reports/_portfolio/ after every organization's report", async () => {
    putPassing(org(2), "FAIL", "1.1");
    const result = await runDailyReport(deps(), EVENT);
    expect(reportKeys.portfolio(DATE)).toEqual(PORTFOLIO);
    expect(objects.get(PORTFOLIO.html)?.type).toBe("text/html; charset=utf-8");
    expect(objects.get(PORTFOLIO.csv)?.type).toBe("text/csv; charset=utf-8");
    const last = order.slice(-2);
    expect(last).toEqual([PORTFOLIO.html, PORTFOLIO.csv]);
    for (const id of ORGS)
      expect(order.indexOf(reportKeys.of(id, DATE).latest)).toBeLessThan(order.indexOf(PORTFOLIO.html));
    expect(result.portfolio).toEqual({
      ...PORTFOLIO,
      organizations: 3,
      failed: 0,
      withFail: 1,
      withError: 0,
    });
    expect(csvRows()[0]).toBe(PORTFOLIO_CSV_COLUMNS.join(","));
    expect(csvRows().map((r) => r.split(",")[0])).toEqual(["Organization ID", org(2), org(1), org(3)]);
    expect([...body(PORTFOLIO.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual([
      `../${org(2)}/${DATE}/report.html`,
      `../${org(1)}/${DATE}/report.html`,
      `../${org(3)}/${DATE}/report.html`,
    ]);
  });

  it("without it, writes no portfolio and returns every organization's summary (as before)", async () => {
    const result = await runDailyReport(deps(), { eventId: "e1", time: NOW.toISOString() });
    expect([...objects.keys()].some((k) => k.startsWith("reports/_portfolio/"))).toBe(false);
    expect(result.portfolio).toBeUndefined();
    expect(result.organizations.map((o) => o.orgId)).toEqual(ORGS);
  });

  it("lists an organization whose report failed, first and as failed, then the run throws naming it", async () => {
    unreadable.set(org(3), `Access Denied ${EVERY_HOSTILE_CLASS}<script>`);
    const run = runDailyReport(deps(), EVENT);
    await expect(run).rejects.toThrow(DailyReportError);
    await expect(run).rejects.toMatchObject({ code: "REPORT_FAILED" });
    expect(csvRows()[1]?.startsWith(`${org(3)},,failed,`)).toBe(true);
    expect(csvRows()[1]).toContain("Access Denied");
    const html = body(PORTFOLIO.html);
    expect(html).toMatch(new RegExp(`<tr data-org="${org(3)}" data-report="failed">`));
    expect(html).toContain("&lt;script&gt;");
    expect(html.replace(/\n/g, "")).not.toMatch(UNSAFE_IN_LINE);
    expect(html).toContain('data-count="failed">1<');
  });

  it("a portfolio that cannot be written fails the run after every organization was reported", async () => {
    refused.add(PORTFOLIO.csv);
    await expect(runDailyReport(deps(), EVENT)).rejects.toMatchObject({
      name: "DailyReportError",
      code: "PORTFOLIO_FAILED",
    });
    for (const id of ORGS) expect(objects.has(reportKeys.of(id, DATE).latest)).toBe(true);
  });

  it("both failing: REPORT_FAILED says the portfolio could not be written either", async () => {
    unreadable.set(org(1), "Slow Down");
    refused.add(PORTFOLIO.html);
    await expect(runDailyReport(deps(), EVENT)).rejects.toThrow(
      /1 of 3 organizations could not be reported .*the portfolio summary could not be written either/,
    );
  });

  it("1,000 organizations named by the event (JC_ORG_IDS all): 1,000 rows", async () => {
    const many = Array.from({ length: 1000 }, (_, i) => org(100 + i));
    for (const id of many) putPassing(id);
    putPassing(org(900), "FAIL", "2.1");
    const result = await runDailyReport(deps({ orgIds: [], concurrency: 16 }), { ...EVENT, orgIds: many });
    expect(result.portfolio?.organizations).toBe(1000);
    expect(csvRows()).toHaveLength(1001);
    expect(csvRows()[1]?.startsWith(`${org(900)},,reported,1,`)).toBe(true);
    expect([...body(PORTFOLIO.html).matchAll(/<tr data-org=/g)]).toHaveLength(1000);
    // What the fan-out gets back stays small: the keys and counts, not 1,000 summaries.
    const compact = compactResult(result);
    expect(compact.organizations).toEqual([]);
    expect(compact.portfolio).toEqual(result.portfolio);
    expect(JSON.stringify(compact).length).toBeLessThan(1024);
  }, 60_000);
});
