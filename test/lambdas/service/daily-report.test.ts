/**
 * The daily report service over in-memory fakes (a Map bucket, a recording notifier): every deployed
 * control starts with a fresh PASS finding, and each test changes one thing. Keys, content types, what a
 * missing, foreign, malformed or stale latest.json becomes, the comparison with the previous day, the
 * digest published once per day, and one organization's failure not stopping the others.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CONTROLS } from "../../../lambdas/controls/registry.js";
import type { ControlFinding } from "../../../lambdas/engine/findings.js";
import { CSV_COLUMNS } from "../../../lambdas/reports/csv.js";
import { HTML_REPORT_CSP } from "../../../lambdas/reports/html.js";
import type { ReportConfig } from "../../../lambdas/service/config.js";
import {
  type DailyReportDependencies,
  DailyReportError,
  type DailyReportSettings,
  reportKeys,
  reportSettings,
  runDailyReport,
} from "../../../lambdas/service/daily-report.js";
import type { LatestObject } from "../../../lambdas/service/daily-report-findings.js";
import type { OrgReportSummary } from "../../../lambdas/service/daily-report-summary.js";
import type { AlertMessage } from "../../../lambdas/service/notifier.js";
import { InvalidEventError } from "../../../lambdas/service/parse-event.js";
import { silentLogger } from "../../../lambdas/shared/logger.js";
import { layout } from "../../../lambdas/store/findings-store.js";
import { finding, row } from "../../helpers/findings.js";

const ORG = "5f00000000000000000000a1";
const OTHER = "5f00000000000000000000b2";
/** The report runs at 06:57 UTC, an hour after the audits. */
const NOW = new Date("2026-11-30T06:57:00.000Z");
const DATE = "2026-11-30";
const AUDITED = "2026-11-30T06:00:00.000Z";
const TWO_DAYS = 172_800;

/** A Map-backed bucket: latest findings and report objects, with their content types. */
function memoryBucket() {
  const objects = new Map<string, { body: string; type?: string }>();
  const failingOrgs = new Set<string>();
  const read = async (key: string, limit: number): Promise<LatestObject> => {
    const object = objects.get(key);
    if (!object) return { kind: "absent" };
    const bytes = Buffer.byteLength(object.body);
    return bytes > limit ? { kind: "too-large", bytes, limit } : { kind: "text", text: object.body };
  };
  return {
    objects,
    failingOrgs,
    async organizations() {
      return [...new Set([...objects.keys()].map((k) => /^findings\/([^/]+)\//.exec(k)?.[1] ?? ""))].filter(
        Boolean,
      );
    },
    async latest(orgId: string, controlId: string) {
      if (failingOrgs.has(orgId)) throw Object.assign(new Error("Slow Down"), { name: "SlowDown" });
      return read(layout.latest(orgId, controlId), 16 * 1_048_576);
    },
    read,
    async write(key: string, body: string, type: string) {
      objects.set(key, { body, type });
    },
  };
}

/** A notifier that records messages; `fail` makes publishes throw. */
function recordingNotifier() {
  const messages: AlertMessage[] = [];
  return {
    messages,
    fail: false,
    async publish(message: AlertMessage) {
      if (this.fail) throw new Error("SNS unavailable");
      messages.push(message);
    },
  };
}

let bucket: ReturnType<typeof memoryBucket>;
let notifier: ReturnType<typeof recordingNotifier>;

/** A compliant (PASS) finding of a control, evaluated at `evaluatedAt`. */
function passing(controlId: string, orgId = ORG, evaluatedAt = AUDITED): ControlFinding {
  const control = CONTROLS.find((c) => c.id === controlId);
  if (!control) throw new Error(`no control ${controlId}`);
  return finding([row("PASS", "a1")], {
    orgId,
    controlId,
    title: control.title,
    severity: control.severity,
    level: control.level,
    evaluatedAt,
  });
}

function putLatest(value: unknown, controlId = "1.1", orgId = ORG) {
  bucket.objects.set(layout.latest(orgId, controlId), {
    body: typeof value === "string" ? value : JSON.stringify(value),
  });
}

function deps(settings: Partial<DailyReportSettings> = {}): DailyReportDependencies {
  return {
    findings: bucket,
    objects: bucket,
    notifier,
    logger: silentLogger,
    clock: () => NOW,
    locate: (key) => ({ uri: `s3://findings/${key}`, consoleUrl: `https://console.example/${key}` }),
    settings: {
      orgIds: [ORG],
      controlIds: CONTROLS.map((c) => c.id),
      staleAfterSeconds: Object.fromEntries(CONTROLS.map((c) => [c.id, TWO_DAYS])),
      dailyDigest: false,
      version: "0.1.0-test",
      ...settings,
    },
  };
}

const text = (key: string) => bucket.objects.get(key)?.body ?? "";
const summaryOf = (orgId = ORG, date = DATE) =>
  JSON.parse(text(reportKeys.of(orgId, date).summary)) as OrgReportSummary;
const shown = (controlId: string, orgId = ORG) =>
  summaryOf(orgId).controls.find((c) => c.controlId === controlId);
/** The message of the ERROR a control is shown with, from the day's HTML (in its problem box). */
const htmlOf = (orgId = ORG) => text(reportKeys.of(orgId, DATE).html);

beforeEach(() => {
  bucket = memoryBucket();
  notifier = recordingNotifier();
  for (const c of CONTROLS) putLatest(passing(c.id), c.id);
});

describe("runDailyReport: objects written", () => {
  it("writes the dated HTML, CSV, OCSF and summary, then latest.html, each with its content type", async () => {
    const result = await runDailyReport(deps(), { eventId: "e1", time: NOW.toISOString() });
    const keys = reportKeys.of(ORG, DATE);
    expect(keys).toEqual({
      html: `reports/${ORG}/${DATE}/report.html`,
      csv: `reports/${ORG}/${DATE}/actions.csv`,
      ocsf: `reports/${ORG}/${DATE}/findings.ocsf.json`,
      summary: `reports/${ORG}/${DATE}/summary.json`,
      latest: `reports/${ORG}/latest.html`,
    });
    const written = [...bucket.objects.keys()].filter((k) => k.startsWith("reports/")).sort();
    expect(written).toEqual(Object.values(keys).sort());
    expect(bucket.objects.get(keys.html)?.type).toBe("text/html; charset=utf-8");
    expect(bucket.objects.get(keys.latest)?.type).toBe("text/html; charset=utf-8");
    expect(bucket.objects.get(keys.csv)?.type).toBe("text/csv; charset=utf-8");
    expect(bucket.objects.get(keys.ocsf)?.type).toBe("application/json");
    expect(bucket.objects.get(keys.summary)?.type).toBe("application/json");
    // The renderer's page, CSP included; latest.html is the same page.
    expect(text(keys.html)).toContain(`content="${HTML_REPORT_CSP}"`);
    expect(text(keys.latest)).toBe(text(keys.html));
    expect(text(keys.csv).split("\r\n")[0]).toBe(CSV_COLUMNS.join(","));
    expect(JSON.parse(text(keys.ocsf))).toHaveLength(CONTROLS.length);

    expect(result).toEqual({
      date: DATE,
      time: NOW.toISOString(),
      organizations: [{ ...summaryOf(), digest: "off" }],
    });
    expect(summaryOf()).toMatchObject({
      orgId: ORG,
      date: DATE,
      counts: { PASS: CONTROLS.length, FAIL: 0, ERROR: 0, MANUAL: 0, MUTED: 0, NOT_APPLICABLE: 0 },
      problems: { stale: 0, missing: 0, invalid: 0 },
      worst: [],
      keys,
    });
    expect(notifier.messages).toEqual([]);
  });

  it("dates the folder by the event's UTC day and re-running the same day overwrites the same keys", async () => {
    await runDailyReport(deps(), { time: "2026-11-29T23:59:30Z" });
    expect(bucket.objects.has(reportKeys.of(ORG, "2026-11-29").html)).toBe(true);
    const before = [...bucket.objects.keys()].sort();
    await runDailyReport(deps(), { time: "2026-11-29T23:59:59Z" });
    expect([...bucket.objects.keys()].sort()).toEqual(before);
  });

  it("without a time (an on-demand '{}'), reports as of the clock", async () => {
    const result = await runDailyReport(deps(), {});
    expect(result.time).toBe(NOW.toISOString());
    expect(summaryOf().time).toBe(NOW.toISOString());
  });

  it("lists worst failing controls by severity, then failing results", async () => {
    const fail = (controlId: string, n: number) => {
      const f = passing(controlId);
      const results = Array.from({ length: n }, (_, i) => row("FAIL", `f${i}`));
      putLatest(
        finding(results, { ...f, results, counts: { ...f.counts, PASS: 0, FAIL: n }, status: "FAIL" }),
        controlId,
      );
    };
    fail("4.2", 9); // medium
    fail("1.2", 1); // high
    fail("2.2", 3); // high
    fail("1.1", 1); // critical
    await runDailyReport(deps(), {});
    expect(summaryOf().worst.map((w) => [w.controlId, w.severity, w.failing])).toEqual([
      ["1.1", "critical", 1],
      ["2.2", "high", 3],
      ["1.2", "high", 1],
      ["4.2", "medium", 9],
    ]);
    expect(summaryOf().counts.FAIL).toBe(4);
  });
});

describe("runDailyReport: a latest.json is trusted only when it is today's finding of that control", () => {
  it("a deployed control without latest.json is ERROR FINDING_MISSING (never evaluated), not skipped", async () => {
    bucket.objects.delete(layout.latest(ORG, "3.2"));
    await runDailyReport(deps(), {});
    expect(shown("3.2")).toEqual({ controlId: "3.2", status: "ERROR", problem: "FINDING_MISSING" });
    expect(summaryOf().counts).toMatchObject({ ERROR: 1, PASS: CONTROLS.length - 1 });
    expect(summaryOf().problems).toEqual({ stale: 0, missing: 1, invalid: 0 });
    expect(htmlOf()).toContain("Never evaluated: no finding of this control is in the bucket.");
  });

  it("reports only the deployed controls", async () => {
    await runDailyReport(deps({ controlIds: ["2.1", "1.1"] }), {});
    expect(summaryOf().controls.map((c) => c.controlId)).toEqual(["1.1", "2.1"]);
  });

  const pass = () => passing("1.1");
  it.each([
    ["not JSON", "{ not json", "it is not JSON"],
    ["another organization's", { ...pass(), orgId: OTHER }, `it is a finding of organization ${OTHER}`],
    ["another control's", { ...pass(), controlId: "2.1" }, "it is a finding of control 2.1"],
    ["without a status", { ...pass(), status: undefined }, "status: Invalid option"],
    ["with an unknown status", { ...pass(), status: "GREAT" }, "status: Invalid option"],
    ["with counts of the wrong type", { ...pass(), counts: { ...pass().counts, FAIL: "0" } }, "counts.FAIL"],
    ["without an evaluation time", { ...pass(), evaluatedAt: "yesterday" }, "evaluatedAt"],
    [
      "PASS with a failing result",
      { ...pass(), results: [row("FAIL", "x")], counts: { ...pass().counts, PASS: 0, FAIL: 1 } },
      "its status is PASS but it lists FAIL results",
    ],
    [
      "PASS whose counts hide a failing result",
      { ...pass(), counts: { ...pass().counts, FAIL: 1 } },
      "counts.FAIL is 1 but 0 FAIL results are listed",
    ],
    ["of another schema version", { ...pass(), schemaVersion: "2.0" }, "schemaVersion"],
    ["not an object", [pass()], "(root)"],
  ])(
    "a latest.json %s is ERROR FINDING_INVALID with its reason, never its claimed status",
    async (_, value, reason) => {
      putLatest(value);
      await runDailyReport(deps(), {});
      expect(shown("1.1")).toEqual({ controlId: "1.1", status: "ERROR", problem: "FINDING_INVALID" });
      expect(summaryOf().problems.invalid).toBe(1);
      const html = htmlOf();
      expect(html).toContain("Not trusted: the stored latest finding cannot be used (");
      expect(html).toContain(reason.replace(/"/g, "&quot;"));
    },
  );

  it("a latest.json larger than the limit is not trusted", async () => {
    bucket.latest = async (orgId, controlId) =>
      controlId === "1.1" && orgId === ORG
        ? { kind: "too-large", bytes: 20_000_000, limit: 16_777_216 }
        : bucket.read(layout.latest(orgId, controlId), 16_777_216);
    await runDailyReport(deps(), {});
    expect(shown("1.1")).toMatchObject({ status: "ERROR", problem: "FINDING_INVALID" });
    expect(htmlOf()).toContain("it is 20000000 bytes, more than the 16777216 a finding may have");
  });

  it("takes title, severity and level from the catalog, not from the stored finding", async () => {
    putLatest({ ...passing("1.1"), title: "Harmless", severity: "low", level: "L3" });
    await runDailyReport(deps(), {});
    const html = htmlOf();
    expect(html).toContain("Secure Admin Portal Access");
    expect(html).not.toContain("Harmless");
  });
});

describe("runDailyReport: stale findings", () => {
  const failingAt = (evaluatedAt: string) => {
    const results = [row("FAIL", "bob")];
    return finding(results, {
      ...passing("2.1", ORG, evaluatedAt),
      results,
      counts: { PASS: 0, FAIL: 1, MANUAL: 0, MUTED: 0, ERROR: 0 },
      status: "FAIL",
    });
  };

  it("older than two schedule periods: ERROR FINDING_STALE naming its old status and time, not FAIL", async () => {
    putLatest(failingAt("2026-11-28T06:56:59.000Z"), "2.1");
    await runDailyReport(deps(), {});
    expect(shown("2.1")).toEqual({ controlId: "2.1", status: "ERROR", problem: "FINDING_STALE" });
    expect(summaryOf().counts).toMatchObject({ FAIL: 0, ERROR: 1 });
    expect(summaryOf().problems.stale).toBe(1);
    expect(htmlOf()).toContain(
      "Stale: last evaluated 48 hours before this report, longer than 48 hours (two periods of its schedule)",
    );
    expect(htmlOf()).toContain("It was FAIL at 2026-11-28T06:56:59.000Z");
  });

  it("exactly two periods old is still current", async () => {
    putLatest(failingAt("2026-11-28T06:57:00.000Z"), "2.1");
    await runDailyReport(deps(), {});
    expect(shown("2.1")).toEqual({ controlId: "2.1", status: "FAIL" });
  });

  it("uses each control's own limit", async () => {
    putLatest(failingAt("2026-11-30T00:00:00.000Z"), "2.1");
    await runDailyReport(
      deps({ staleAfterSeconds: { ...deps().settings.staleAfterSeconds, "2.1": 6 * 3600 } }),
      {},
    );
    expect(shown("2.1")).toMatchObject({ status: "ERROR", problem: "FINDING_STALE" });
  });

  it("dated more than five minutes after the report: not trusted as today's status", async () => {
    putLatest(passing("1.1", ORG, "2026-11-30T07:02:01.000Z"), "1.1");
    await runDailyReport(deps(), {});
    expect(shown("1.1")).toMatchObject({ status: "ERROR", problem: "FINDING_STALE" });
    expect(htmlOf()).toContain("the finding is dated 5 minutes after this report");
    putLatest(passing("1.1", ORG, "2026-11-30T07:01:59.000Z"), "1.1");
    await runDailyReport(deps(), {});
    expect(shown("1.1")).toEqual({ controlId: "1.1", status: "PASS" });
  });
});

describe("runDailyReport: what changed since the previous day", () => {
  const yesterday = (summary: Partial<OrgReportSummary> | string) =>
    bucket.objects.set(reportKeys.of(ORG, "2026-11-29").summary, {
      body: typeof summary === "string" ? summary : JSON.stringify(summary),
    });

  it("compares with yesterday's summary: per-control changes and count deltas, in the digest and the HTML", async () => {
    for (const c of CONTROLS) putLatest(passing(c.id, ORG, "2026-11-29T06:00:00.000Z"), c.id);
    await runDailyReport(deps(), { time: "2026-11-29T06:57:00Z" });
    for (const c of CONTROLS) putLatest(passing(c.id), c.id);
    const results = [row("FAIL", "bob")];
    putLatest(
      finding(results, {
        ...passing("1.1"),
        results,
        counts: { PASS: 0, FAIL: 1, MANUAL: 0, MUTED: 0, ERROR: 0 },
        status: "FAIL",
      }),
    );
    await runDailyReport(deps({ dailyDigest: true }), {});
    const [digest] = notifier.messages as [AlertMessage];
    expect(digest.email).toContain(
      "Since the report of 2026-11-29:\n  - 1.1 Secure Admin Portal Access: PASS → FAIL\n  Counts: FAIL +1, PASS −1",
    );
    // The page lists it as a regression of the control.
    expect(htmlOf()).toContain('Regressions (<span data-count="regressions">1</span>)');
    expect(htmlOf()).toContain("Control 1.1 went from PASS to FAIL since the report of 2026-11-29");
  });

  it("says so when there was no report yesterday", async () => {
    await runDailyReport(deps({ dailyDigest: true }), {});
    expect(notifier.messages[0]?.email).toContain("No report for 2026-11-29: nothing to compare with.");
  });

  it.each([
    ["not JSON", "<html>", "it is not JSON"],
    ["without counts", { schemaVersion: 1, orgId: ORG, date: "2026-11-29" }, "counts"],
    ["of another organization", "ORG", `it is the summary of organization ${OTHER}`],
    ["of another day", "DAY", "it is dated 2026-11-27"],
  ])("a previous summary %s is reported as unusable, not trusted", async (_, value, reason) => {
    await runDailyReport(deps(), { time: "2026-11-29T06:57:00Z" });
    const good = JSON.parse(text(reportKeys.of(ORG, "2026-11-29").summary)) as OrgReportSummary;
    if (value === "ORG") yesterday({ ...good, orgId: OTHER });
    else if (value === "DAY") yesterday({ ...good, date: "2026-11-27" });
    else yesterday(value as string);
    await runDailyReport(deps({ dailyDigest: true }), {});
    const email = notifier.messages[0]?.email ?? "";
    expect(email).toContain("The summary of 2026-11-29 is not usable (");
    expect(email).toContain(reason);
    expect(email).toContain("so changes since then are not shown.");
    expect(htmlOf()).toContain('Regressions (<span data-count="regressions">0</span>)');
  });
});

describe("runDailyReport: the digest", () => {
  it("publishes one message per organization, once per day: a re-run finds the marker", async () => {
    putLatest(passing("1.1", OTHER), "1.1", OTHER);
    const settings = { dailyDigest: true, orgIds: [ORG, OTHER] };
    const first = await runDailyReport(deps(settings), {});
    expect(first.organizations.map((o) => [o.orgId, o.digest])).toEqual([
      [ORG, "published"],
      [OTHER, "published"],
    ]);
    expect(notifier.messages.map((m) => [m.attributes.orgId, m.attributes.kind])).toEqual([
      [ORG, "digest"],
      [OTHER, "digest"],
    ]);
    expect(JSON.parse(text(reportKeys.digestSent(ORG, DATE)))).toEqual({
      orgId: ORG,
      date: DATE,
      publishedAt: NOW.toISOString(),
    });
    const again = await runDailyReport(deps(settings), {});
    expect(again.organizations.map((o) => o.digest)).toEqual(["already-published", "already-published"]);
    expect(notifier.messages).toHaveLength(2);
  });

  it("a failed publish writes no marker and fails the run; the retry publishes it", async () => {
    notifier.fail = true;
    await expect(runDailyReport(deps({ dailyDigest: true }), {})).rejects.toMatchObject({
      code: "REPORT_FAILED",
    });
    expect(bucket.objects.has(reportKeys.digestSent(ORG, DATE))).toBe(false);
    // The report itself was written before the publish.
    expect(bucket.objects.has(reportKeys.of(ORG, DATE).latest)).toBe(true);
    notifier.fail = false;
    const retried = await runDailyReport(deps({ dailyDigest: true }), {});
    expect(retried.organizations[0]?.digest).toBe("published");
    expect(notifier.messages).toHaveLength(1);
  });

  it("links the day's report and counts what the report shows", async () => {
    bucket.objects.delete(layout.latest(ORG, "5.2"));
    await runDailyReport(deps({ dailyDigest: true }), {});
    const [digest] = notifier.messages as [AlertMessage];
    expect(digest.subject).toBe(`[JumpCloud daily] ${ORG} ${DATE}: 0 FAIL, 1 ERROR of 10`);
    expect(digest.email).toContain("Controls (10): 0 FAIL · 1 ERROR · 0 MANUAL · 0 MUTED · 9 PASS · 0 N/A");
    expect(digest.email).toContain("  - 5.2 Key Events to Monitor: never evaluated");
    expect(digest.email).toContain(`Report: s3://findings/reports/${ORG}/${DATE}/report.html`);
  });
});

describe("runDailyReport: organizations", () => {
  it("with none configured, reports every organization with findings (ids of 24 hex characters only)", async () => {
    putLatest(passing("1.1", OTHER), "1.1", OTHER);
    bucket.objects.set("findings/not-an-org/1.1/latest.json", { body: "{}" });
    const result = await runDailyReport(deps({ orgIds: [] }), {});
    expect(result.organizations.map((o) => o.orgId)).toEqual([ORG, OTHER]);
    // OTHER has only 1.1: every other deployed control is never evaluated.
    expect(summaryOf(OTHER).problems.missing).toBe(CONTROLS.length - 1);
    expect([...bucket.objects.keys()].some((k) => k.startsWith("reports/not-an-org"))).toBe(false);
  });

  it("an event naming organizations reports those; one not configured is refused before anything is written", async () => {
    putLatest(passing("1.1", OTHER), "1.1", OTHER);
    const result = await runDailyReport(deps({ orgIds: [ORG, OTHER] }), { orgIds: [OTHER, OTHER] });
    expect(result.organizations.map((o) => o.orgId)).toEqual([OTHER]);
    bucket.objects.clear();
    const refused = runDailyReport(deps({ orgIds: [ORG] }), { orgIds: [OTHER] });
    await expect(refused).rejects.toBeInstanceOf(DailyReportError);
    await expect(refused).rejects.toMatchObject({ code: "ORG_NOT_CONFIGURED" });
    expect(bucket.objects.size).toBe(0);
  });

  it("one organization's failure does not stop the others; the run then throws naming it", async () => {
    putLatest(passing("1.1", OTHER), "1.1", OTHER);
    bucket.failingOrgs.add(ORG);
    const run = runDailyReport(deps({ orgIds: [ORG, OTHER] }), {});
    await expect(run).rejects.toThrow(
      `1 of 2 organizations could not be reported (the others were): ${ORG}: Slow Down`,
    );
    expect(bucket.objects.has(reportKeys.of(OTHER, DATE).html)).toBe(true);
    expect(bucket.objects.has(reportKeys.of(ORG, DATE).html)).toBe(false);
  });

  it("an event more than a day from the clock is refused before anything is read", async () => {
    bucket.failingOrgs.add(ORG);
    await expect(runDailyReport(deps(), { time: "2026-11-28T06:56:00Z" })).rejects.toBeInstanceOf(
      InvalidEventError,
    );
  });
});

describe("reportSettings", () => {
  const config: ReportConfig = {
    FINDINGS_BUCKET: "b",
    ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:t",
    JC_ORG_IDS: [],
    CONTROL_IDS: ["1.1", "2.1"],
    STALE_AFTER_JSON: { "1.1": TWO_DAYS, "2.1": TWO_DAYS },
    DAILY_DIGEST: true,
  };
  it("carries the configuration", () => {
    expect(reportSettings(config, "1.2.3")).toEqual({
      orgIds: [],
      controlIds: ["1.1", "2.1"],
      staleAfterSeconds: { "1.1": TWO_DAYS, "2.1": TWO_DAYS },
      dailyDigest: true,
      version: "1.2.3",
    });
  });
  it("refuses a deployed control without a stale limit", () => {
    expect(() => reportSettings({ ...config, STALE_AFTER_JSON: { "1.1": TWO_DAYS } }, "1")).toThrow(
      "Invalid configuration: STALE_AFTER_JSON: no entry for control 2.1",
    );
  });
});
