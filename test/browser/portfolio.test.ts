/**
 * The portfolio page in real headless Chromium: it loads with no console error and no request but its
 * own, its stylesheet applies under the CSP, it shows one row per organization worst first (the failed
 * one first) with the summaries' counts, hostile names and reasons stay text, and axe-core finds no
 * serious or critical violation. A screenshot is kept under test-artifacts/ (gitignored).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PortfolioOrg, renderPortfolioHtml } from "../../lambdas/reports/portfolio.js";
import { orgN, PORTFOLIO_DATE, reportedOrg } from "../lambdas/reports/portfolio-sample.js";
import { type Browser, launchChromium } from "./chromium.js";

const ARTIFACTS = resolve("test-artifacts/portfolio");
const SCRIPT = `<script>alert("org")</script>`;
const IMG = `<img src=x onerror=alert(1)>`;
const ORGS: PortfolioOrg[] = [
  reportedOrg(orgN(1)),
  { ...reportedOrg(orgN(2), { "1.1": "FAIL", "3.1": "ERROR" }), organizationName: SCRIPT },
  { orgId: orgN(3), organizationName: "Initech", failure: `findings could not be read: ${IMG}` },
  reportedOrg(orgN(4), { "2.2": "FAIL", "5.1": "MANUAL" }),
];

let browser: Browser;
let folder: string;
let url: string;

beforeAll(async () => {
  browser = await launchChromium();
  // Where the bucket keeps it: reports/_portfolio/{date}.html, so the links resolve to reports/{org}/.
  folder = await mkdtemp(join(tmpdir(), "jc-portfolio-"));
  await mkdir(join(folder, "_portfolio"));
  const file = join(folder, "_portfolio", `${PORTFOLIO_DATE}.html`);
  await writeFile(file, renderPortfolioHtml(ORGS, { date: PORTFOLIO_DATE, version: "0.1.0-test" }));
  url = pathToFileURL(file).href;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

async function open() {
  const page = await browser.context.newPage();
  const seen = { errors: [] as string[], dialogs: [] as string[], requests: [] as string[] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") seen.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => seen.errors.push(`pageerror: ${e.message}`));
  page.on("dialog", async (d) => {
    seen.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on("request", (r) => seen.requests.push(r.url()));
  await page.goto(url, { waitUntil: "load" });
  return { page, seen };
}

async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

describe("the portfolio page in headless Chromium", () => {
  it("loads with no error, dialog or request but its own, styled under its CSP, worst first", async () => {
    const { page, seen } = await open();
    try {
      expect(seen.errors).toEqual([]);
      expect(seen.dialogs).toEqual([]);
      expect(seen.requests).toEqual([url]);
      // A stylesheet refused by the CSP would leave the failed row without its background.
      expect(
        await inPage<string>(page, `getComputedStyle(document.querySelector("td.failed")).backgroundColor`),
      ).toBe("rgb(245, 238, 248)");
      expect(
        await inPage<string[]>(
          page,
          `[...document.querySelectorAll("tr[data-org]")].map((r) => r.dataset.org)`,
        ),
      ).toEqual([orgN(3), orgN(2), orgN(4), orgN(1)]);
      const counts = Object.fromEntries(
        await inPage<[string, number][]>(
          page,
          `[...document.querySelectorAll("[data-count]")].map((e) => [e.dataset.count, Number(e.textContent)])`,
        ),
      );
      expect(counts).toMatchObject({ organizations: 4, failed: 1, withFail: 2, withError: 1 });
      expect(counts["controls:FAIL"]).toBe(2);
      // Links resolve to each organization's own report of the day, beside _portfolio/.
      const links = await inPage<string[]>(page, `[...document.querySelectorAll("a")].map((a) => a.href)`);
      expect(links).toEqual(
        [2, 4, 1].map((n) => pathToFileURL(join(folder, orgN(n), PORTFOLIO_DATE, "report.html")).href),
      );
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "portfolio.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it("shows hostile names and reasons as text: no element created", async () => {
    const { page } = await open();
    try {
      expect(
        await inPage<number>(page, `document.querySelectorAll("script, img, iframe, object, embed").length`),
      ).toBe(0);
      const text = await inPage<string>(page, "document.body.textContent");
      expect(text).toContain(SCRIPT);
      expect(text).toContain(IMG);
    } finally {
      await page.close();
    }
  });

  it("has no serious or critical accessibility violation (axe-core)", async () => {
    const { page } = await open();
    try {
      await page.evaluate(axe.source);
      const violations = await inPage<{ id: string; impact: string }[]>(
        page,
        `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)`,
      );
      expect(
        violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id),
      ).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
