/**
 * The real audit handler for every control, then the real report handler, in-process, against a real S3
 * (s3rver on loopback) and the JumpCloud simulator's demo organization; only SNS and Secrets Manager are
 * mocked. The report handler writes the HTML, CSV, OCSF and summary under `reports/`, shows a control whose finding went stale as ERROR, publishes one digest a day;
 * the HTML renders in headless Chromium with the counts of the findings in the bucket (a screenshot is
 * kept under test-artifacts/daily-report/, gitignored).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CONTROLS } from "../../lambdas/controls/registry.js";
import type { ControlStatus, ResultStatus } from "../../lambdas/controls/types.js";
import type { ControlFinding } from "../../lambdas/engine/findings.js";
import type { DailyReportResult } from "../../lambdas/service/daily-report.js";
import type { OrgReportSummary } from "../../lambdas/service/daily-report-summary.js";
import { layout } from "../../lambdas/store/findings-store.js";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import { DEMO_ORG_ID } from "../../sim/presets/demo.js";
import { type Browser, launchChromium } from "../browser/chromium.js";
import { type LocalS3, localS3Env, startLocalS3 } from "../helpers/local-s3.js";

const BUCKET = "jc-findings-report";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jumpcloud-audit-AbCdEf";
const ORG = DEMO_ORG_ID;
/** Where the rendered page and its screenshot are kept for people to look at. */
const ARTIFACTS = resolve("test-artifacts/daily-report");
/** The control whose finding is made stale after the audits. */
const STALE = "5.2";

const sns = mockClient(SNSClient);
const sm = mockClient(SecretsManagerClient);

let s3: LocalS3 | undefined;
let sim: RunningSimulator;
let bucket: S3Client;
let audit: (event: unknown) => Promise<unknown>;
let report: (event: unknown) => Promise<DailyReportResult>;
/** The real clock: the handlers refuse events more than a day from it, and s3rver checks signatures. */
const NOW = new Date();
const DATE = NOW.toISOString().slice(0, 10);

async function text(key: string): Promise<string> {
  const object = await bucket.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await object.Body?.transformToString()) ?? "";
}
const json = async <T>(key: string) => JSON.parse(await text(key)) as T;
async function keys(prefix: string): Promise<string[]> {
  const page = await bucket.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])).sort();
}
const digests = (): PublishCommandInput[] =>
  sns
    .commandCalls(PublishCommand)
    .map((c) => c.args[0].input)
    .filter((p) => p.MessageAttributes?.kind?.StringValue === "digest");

beforeAll(async () => {
  s3 = await startLocalS3(BUCKET);
  const { endpoint } = s3;
  sim = await startSimulator({ scenario: "demo" });
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  sm.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: sim.apiKey });

  // Both handlers build `new S3Client({})`: the SDK takes the endpoint from AWS_ENDPOINT_URL_S3.
  for (const [name, value] of Object.entries({
    ...localS3Env(endpoint),
    FINDINGS_BUCKET: BUCKET,
    ALERTS_TOPIC_ARN: TOPIC,
    API_KEY_SECRET_ARN: SECRET,
    JC_BASE_URL: sim.url,
    JC_INSIGHTS_URL: sim.insightsUrl,
    JC_ORG_IDS: undefined,
    CONTROL_IDS: CONTROLS.map((c) => c.id).join(","),
    STALE_AFTER_JSON: JSON.stringify(Object.fromEntries(CONTROLS.map((c) => [c.id, 172_800]))),
    DAILY_DIGEST: "true",
    POWERTOOLS_LOG_LEVEL: "ERROR",
  })) {
    vi.stubEnv(name, value);
  }
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  vi.resetModules();
  audit = (await import("../../lambdas/handlers/audit.js")).handler;
  // The report names the organization: s3rver 3.7 lists no common prefix below nested folders (its walk
  // prunes them), so discovery from `findings/` is tested against a mocked S3 (test/lambdas/adapters).
  vi.stubEnv("JC_ORG_IDS", ORG);
  report = (await import("../../lambdas/handlers/report.js")).handler;
  bucket = s3.client;
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await sim?.close();
  await s3?.stop();
});

/** The status each control's latest finding in the bucket says, the stale one as the report must show it. */
async function expectedControls(): Promise<ControlFinding[]> {
  const findings: ControlFinding[] = [];
  for (const c of CONTROLS) findings.push(await json<ControlFinding>(layout.latest(ORG, c.id)));
  return findings;
}

describe("report handler after the audits, on a real S3 (s3rver)", () => {
  let findings: ControlFinding[];
  let result: DailyReportResult;

  it("audits every control of the demo organization with the real audit handler", async () => {
    for (const [i, c] of CONTROLS.entries()) {
      const time = new Date(NOW.getTime() - (CONTROLS.length - i) * 60_000).toISOString();
      expect(await audit({ controlId: c.id, eventId: `audit-${c.id}`, time })).toEqual([
        expect.objectContaining({ orgId: ORG }),
      ]);
    }
    findings = await expectedControls();
    expect(findings.map((f) => f.controlId)).toEqual(CONTROLS.map((c) => c.id));
    // The demo organization is not compliant: the report has something to show.
    expect(findings.some((f) => f.status === "FAIL")).toBe(true);
  }, 120_000);

  it("writes the HTML, CSV, OCSF and summary under reports/, with the stale control as ERROR", async () => {
    // 5.2's finding, three days old: the report must not show its status.
    const stale = findings.find((f) => f.controlId === STALE) as ControlFinding;
    const old = { ...stale, evaluatedAt: new Date(NOW.getTime() - 3 * 86_400_000).toISOString() };
    await bucket.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: layout.latest(ORG, STALE), Body: JSON.stringify(old) }),
    );
    result = await report({ eventId: "report-1", time: NOW.toISOString() });

    const folder = `reports/${ORG}/${DATE}/`;
    expect(await keys("reports/")).toEqual([
      `${folder}actions.csv`,
      `${folder}digest-sent.json`,
      `${folder}findings.ocsf.json`,
      `${folder}report.html`,
      `${folder}summary.json`,
      `reports/${ORG}/latest.html`,
    ]);
    const head = async (key: string) =>
      (await bucket.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentType;
    expect(await head(`${folder}report.html`)).toBe("text/html; charset=utf-8");
    expect(await head(`${folder}actions.csv`)).toBe("text/csv; charset=utf-8");
    expect(await head(`${folder}findings.ocsf.json`)).toBe("application/json");

    const summary = await json<OrgReportSummary>(`${folder}summary.json`);
    const expected: Record<ControlStatus, number> = {
      FAIL: 0,
      ERROR: 0,
      MANUAL: 0,
      MUTED: 0,
      PASS: 0,
      NOT_APPLICABLE: 0,
    };
    for (const f of findings) expected[f.controlId === STALE ? "ERROR" : f.status] += 1;
    expect(summary.counts).toEqual(expected);
    expect(summary.problems).toEqual({ stale: 1, missing: 0, invalid: 0 });
    expect(summary.controls.find((c) => c.controlId === STALE)).toEqual({
      controlId: STALE,
      status: "ERROR",
      problem: "FINDING_STALE",
    });
    expect(result.organizations).toEqual([{ ...summary, digest: "published" }]);

    // One OCSF finding per result of the findings not stale; the CSV has a row per result too.
    const kept = findings.filter((f) => f.controlId !== STALE);
    const ocsf = await json<unknown[]>(`${folder}findings.ocsf.json`);
    expect(ocsf.length).toBeGreaterThanOrEqual(kept.reduce((n, f) => n + f.results.length, 0));
    expect((await text(`${folder}actions.csv`)).split("\r\n")[0]).toMatch(
      /^Control,Title,Level,Severity,Status,/,
    );
    expect(await text(`reports/${ORG}/latest.html`)).toBe(await text(`${folder}report.html`));
  });

  it("publishes one digest for the day; a second run rewrites the report and publishes none", async () => {
    expect(digests()).toHaveLength(1);
    const [digest] = digests() as [PublishCommandInput];
    expect(digest.Subject).toMatch(
      new RegExp(`^\\[JumpCloud daily\\] ${ORG} ${DATE}: \\d+ FAIL, \\d+ ERROR of 10$`),
    );
    const { email } = JSON.parse(String(digest.Message)) as { email: string };
    expect(email).toContain(
      `${STALE} Key Events to Monitor: stale, last ${findings.find((f) => f.controlId === STALE)?.status} at `,
    );
    expect(email).toContain(`No report for `);
    expect(email).toContain(`Report: s3://${BUCKET}/reports/${ORG}/${DATE}/report.html`);
    expect(email).not.toContain(sim.apiKey);

    const again = await report({ eventId: "report-1", time: NOW.toISOString() });
    expect(again.organizations[0]?.digest).toBe("already-published");
    expect(digests()).toHaveLength(1);
  });

  describe("in headless Chromium", () => {
    let browser: Browser;
    let folder: string;
    let page: Page;
    const errors: string[] = [];
    const requests: string[] = [];
    let url: string;

    beforeAll(async () => {
      browser = await launchChromium();
      folder = await mkdtemp(join(tmpdir(), "jc-daily-report-"));
      const file = join(folder, "report.html");
      await writeFile(file, await text(`reports/${ORG}/${DATE}/report.html`));
      url = pathToFileURL(file).href;
      page = await browser.context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(url, { waitUntil: "load" });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    const inPage = async <T>(expression: string) => (await page.evaluate(expression)) as T;

    it("loads with no console error and no request but the page itself", () => {
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
    });

    it("shows the counts of the findings in the bucket, the stale control as ERROR", async () => {
      const counts = await inPage<Record<string, string>>(
        `Object.fromEntries([...document.querySelectorAll("[data-count]")].map((e) => [e.dataset.count, e.textContent]))`,
      );
      const shown = findings.map((f) => (f.controlId === STALE ? { ...f, status: "ERROR" as const } : f));
      const statuses: ControlStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS", "NOT_APPLICABLE"];
      for (const s of statuses)
        expect(counts[`controls:${s}`], s).toBe(String(shown.filter((f) => f.status === s).length));
      // Results: the stale control's are not shown (its status is unknown).
      const results: ResultStatus[] = ["FAIL", "ERROR", "MANUAL", "MUTED", "PASS"];
      for (const s of results)
        expect(counts[`results:${s}`], s).toBe(
          String(findings.filter((f) => f.controlId !== STALE).reduce((n, f) => n + f.counts[s], 0)),
        );
      expect(
        await inPage<string>(`document.querySelector('article[data-control="${STALE}"]').dataset.status`),
      ).toBe("ERROR");
      expect(
        await inPage<string>(
          `document.querySelector('article[data-control="${STALE}"] .problem').textContent`,
        ),
      ).toMatch(
        /^Could not be evaluated \(FINDING_STALE\): Stale: last evaluated 3 days before this report, longer than 48 hours/,
      );

      await mkdir(ARTIFACTS, { recursive: true });
      await writeFile(join(ARTIFACTS, "report.html"), await text(`reports/${ORG}/${DATE}/report.html`));
      await page.screenshot({
        path: join(ARTIFACTS, "report.png"),
        clip: { x: 0, y: 0, width: 1280, height: 2000 },
        fullPage: true,
      });
    });
  });
});
