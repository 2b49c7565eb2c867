/**
 * Writes docs/report-demo.png, the README's picture of the HTML report: the demo report (built as the
 * browser tests build it) rendered in Debian's headless Chromium, its first screens. Run by hand:
 * `npx tsx scripts/report-screenshot.ts`.
 */
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { renderHtmlReport } from "../lambdas/reports/html.js";
import { launchChromium } from "../test/browser/chromium.js";
import { buildDemoReport } from "../test/browser/demo-report.js";

const OUTPUT = resolve("docs/report-demo.png");
/** The README shows the page from its title to the changes since the last run. */
const CLIP = { x: 0, y: 0, width: 1280, height: 2000 };

const folder = await mkdtemp(join(tmpdir(), "jc-report-shot-"));
const browser = await launchChromium();
try {
  const file = join(folder, "report.html");
  await writeFile(file, renderHtmlReport(await buildDemoReport()));
  const page = await browser.context.newPage();
  await page.goto(pathToFileURL(file).href);
  await page.screenshot({ path: OUTPUT, clip: CLIP, fullPage: true });
  console.log(`${OUTPUT}: ${Math.round((await stat(OUTPUT)).size / 1024)} KiB`);
} finally {
  await browser.close();
  await rm(folder, { recursive: true, force: true });
}
