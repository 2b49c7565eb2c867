/**
 * The HTML report in real headless Chromium (Debian's package, driven by playwright-core): the demo
 * report loads with no console error and no request but its own, shows the report's counts, passes
 * axe-core with no serious or critical violation, prints every collapsed section; hostile names render
 * as text. A screenshot of the demo report is kept under test-artifacts/ (gitignored).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlStatus, ResultStatus } from "../../lambdas/controls/types.js";
import type { RunReport } from "../../lambdas/engine/findings.js";
import { renderHtmlReport } from "../../lambdas/reports/html.js";
import { type Browser, launchChromium } from "./chromium.js";
import { buildDemoReport, HOSTILE_NAMES } from "./demo-report.js";

/** Where the screenshot and the page are kept for people to look at. */
const ARTIFACTS = resolve("test-artifacts/html-report");

let browser: Browser;
let folder: string;
let demo: { report: RunReport; url: string };
let hostile: { report: RunReport; url: string };

beforeAll(async () => {
  // Launched first: a missing Chromium fails every test here with its message, before any other work.
  browser = await launchChromium();
  folder = await mkdtemp(join(tmpdir(), "jc-html-report-"));
  const write = async (name: string, report: RunReport) => {
    const file = join(folder, name);
    await writeFile(file, renderHtmlReport(report));
    return { report, url: pathToFileURL(file).href };
  };
  demo = await write("demo.html", await buildDemoReport());
  hostile = await write("hostile.html", await buildDemoReport({ hostile: true }));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** A page at `url`, recording console errors, uncaught errors, dialogs and every request. */
async function open(url: string) {
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

/** Evaluates an expression in the page (the project's types have no DOM, so it is written as text). */
async function inPage<T>(page: Page, expression: string): Promise<T> {
  return (await page.evaluate(expression)) as T;
}

/** What the report says each `data-count` of the page must show. */
function expectedCounts(report: RunReport): Record<string, number> {
  const statuses: ControlStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS", "NOT_APPLICABLE"];
  const resultStatuses: ResultStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS"];
  const counts: Record<string, number> = {
    regressions: report.regressions.length,
    recoveries: report.recoveries.length,
    "exceptions:applied": report.exceptions.applied,
  };
  for (const s of statuses) counts[`controls:${s}`] = report.controls.filter((f) => f.status === s).length;
  for (const s of resultStatuses)
    counts[`results:${s}`] = report.controls.reduce((n, f) => n + f.counts[s], 0);
  for (const [name, values, keyOf] of [
    ["severity", ["critical", "high", "medium", "low"], (f) => f.severity],
    ["level", ["L1", "L2", "L3"], (f) => f.level],
  ] as const satisfies readonly (readonly [
    string,
    readonly string[],
    (f: RunReport["controls"][number]) => string,
  ])[]) {
    for (const value of values) {
      const mine = report.controls.filter((f) => keyOf(f) === value);
      counts[`${name}:${value}:total`] = mine.length;
      for (const s of statuses) counts[`${name}:${value}:${s}`] = mine.filter((f) => f.status === s).length;
    }
  }
  for (const f of report.controls) {
    const notPassing = f.results.filter((r) => r.status !== "PASS").length;
    if (notPassing > 0) counts[`control:${f.controlId}:notPassing`] = notPassing;
  }
  return counts;
}

describe("the HTML report in headless Chromium", () => {
  it("loads the demo report with no console error and no request but the page itself; its stylesheet applies under the CSP", async () => {
    const { page, seen } = await open(demo.url);
    try {
      expect(seen.errors).toEqual([]);
      expect(seen.requests).toEqual([demo.url]);
      // A stylesheet blocked by the CSP (a hash that does not match) would leave the badge unstyled.
      const background = await inPage<string>(
        page,
        `getComputedStyle(document.querySelector(".badge.s-FAIL")).backgroundColor`,
      );
      expect(background).toBe("rgb(179, 38, 30)");
      const started = demo.report.startedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC");
      expect(await page.title()).toBe(`JumpCloud hardening audit: Globex Corporation, ${started}`);
    } finally {
      await page.close();
    }
  });

  it("shows the report's counts: controls by status, severity and level, results, changes, exceptions, rows per control", async () => {
    const { page } = await open(demo.url);
    try {
      const shown = Object.fromEntries(
        await inPage<[string, number][]>(
          page,
          `[...document.querySelectorAll("[data-count]")].map((e) => [e.dataset.count, Number(e.textContent)])`,
        ),
      );
      expect(shown).toEqual(expectedCounts(demo.report));
      // The demo has something in each part worth showing.
      expect(shown["controls:FAIL"]).toBeGreaterThan(0);
      expect(shown.regressions).toBe(1);
      expect(shown.recoveries).toBe(1);
      expect(shown["results:MUTED"]).toBe(1);
      // Every failing, manual, error and muted result is a row of its control, none left out.
      const rows = await inPage<Record<string, number>>(
        page,
        `Object.fromEntries([...document.querySelectorAll("article.control")].map((a) => [a.dataset.control, a.querySelectorAll("details[open] tbody tr").length]))`,
      );
      expect(rows).toEqual(
        Object.fromEntries(
          demo.report.controls.map((f) => [f.controlId, f.results.filter((r) => r.status !== "PASS").length]),
        ),
      );
      const statuses = await inPage<Record<string, string>>(
        page,
        `Object.fromEntries([...document.querySelectorAll("article.control")].map((a) => [a.dataset.control, a.querySelector("h3 .badge").textContent]))`,
      );
      expect(statuses).toEqual(
        Object.fromEntries(
          demo.report.controls.map((f) => [f.controlId, f.status === "NOT_APPLICABLE" ? "N/A" : f.status]),
        ),
      );
    } finally {
      await page.close();
    }
  });

  it("renders hostile names as text: no dialog, no element created, no request", async () => {
    const { page, seen } = await open(hostile.url);
    try {
      expect(seen.dialogs).toEqual([]);
      expect(seen.errors).toEqual([]);
      expect(seen.requests).toEqual([hostile.url]);
      expect(
        await inPage<number>(
          page,
          `document.querySelectorAll("script, img, iframe, object, embed, b").length`,
        ),
      ).toBe(0);
      const text = await inPage<string>(page, "document.body.textContent");
      expect(text).toContain(HOSTILE_NAMES.script);
      expect(text).toContain(HOSTILE_NAMES.img);
      expect(text).toContain(HOSTILE_NAMES.org);
      expect(await page.title()).toContain(HOSTILE_NAMES.org);
      // The hostile systems are listed among 2.2's failing resources, each name whole in its cell.
      const cells = await inPage<string[]>(
        page,
        `[...document.querySelectorAll("article[data-control='2.2'] td.res")].map((td) => td.firstChild.textContent)`,
      );
      expect(cells).toEqual(expect.arrayContaining([HOSTILE_NAMES.script, HOSTILE_NAMES.img]));
    } finally {
      await page.close();
    }
  });

  it("has no serious or critical accessibility violation (axe-core), collapsed sections closed and opened", async () => {
    const { page } = await open(demo.url);
    try {
      // Evaluated over DevTools, which the page's CSP does not govern (a <script> tag would be refused).
      await page.evaluate(axe.source);
      const serious = async () =>
        (
          await inPage<{ id: string; impact: string; help: string; nodes: { target: string[] }[] }[]>(
            page,
            `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)`,
          )
        )
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map(
            (v) =>
              `${v.id} (${v.impact}): ${v.help} at ${v.nodes
                .slice(0, 5)
                .map((n) => n.target.join(" "))
                .join(", ")}${v.nodes.length > 5 ? ", …" : ""}`,
          );
      expect(await serious()).toEqual([]);
      await inPage(page, `document.querySelectorAll("details").forEach((d) => { d.open = true; })`);
      expect(await serious()).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("prints every collapsed section (fix steps, passing results) and shows status by its text label", async () => {
    const { page } = await open(demo.url);
    try {
      const steps = page.locator("article[data-control='2.1'] ol.steps");
      const passing = page.locator("article[data-control='2.1'] details:not([open]) tbody tr").first();
      expect(await steps.isVisible()).toBe(false);
      await page.emulateMedia({ media: "print" });
      expect(await steps.isVisible()).toBe(true);
      expect(await passing.isVisible()).toBe(true);
      expect(
        await inPage<string>(
          page,
          `getComputedStyle(document.querySelector(".badge.s-FAIL")).backgroundColor`,
        ),
      ).toBe("rgb(255, 255, 255)");
      expect(await page.locator("article[data-control='2.1'] h3 .badge").textContent()).toBe("FAIL");
    } finally {
      await page.close();
    }
  });

  it("keeps a screenshot of the demo report (and the page) under test-artifacts/", async () => {
    const { page } = await open(demo.url);
    try {
      await mkdir(ARTIFACTS, { recursive: true });
      const png = join(ARTIFACTS, "demo.png");
      await page.screenshot({ path: png, fullPage: true });
      await writeFile(join(ARTIFACTS, "demo.html"), await readFile(new URL(demo.url)));
      const bytes = await readFile(png);
      expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
      // A full page: far taller than the viewport (every control's section is there).
      expect(bytes.readUInt32BE(20)).toBeGreaterThan(3000);
    } finally {
      await page.close();
    }
  });
});
