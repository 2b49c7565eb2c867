/**
 * The Security Hub exporter through the real SDK adapter, the SDK mocked (aws-sdk-client-mock) and the
 * state in a Map: what each run imports, archives, retries and remembers.
 */
import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  type BatchImportFindingsCommandOutput,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { securityHubSink } from "../../../lambdas/adapters/securityhub.js";
import { checkError, type ResourceResult } from "../../../lambdas/controls/types.js";
import type { ControlFinding } from "../../../lambdas/engine/findings.js";
import { productTarget, resultFindingId } from "../../../lambdas/securityhub/asff.js";
import {
  type ExportSummary,
  type FindingsExporter,
  MAX_FINDINGS,
  MAX_TRACKED,
  securityHubExporter,
} from "../../../lambdas/securityhub/importer.js";
import { type StateStore, stateKeys } from "../../../lambdas/service/state-store.js";
import type { Logger } from "../../../lambdas/shared/logger.js";
import { finding, row } from "../../helpers/findings.js";
import { expectValidAsff } from "./asff-schema.js";

const ARN = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";
const ORG = "5f0000000000000000000001";
const KEY = stateKeys.securityHub(ORG, "1.1");
const hub = mockClient(SecurityHubClient);

let docs: Map<string, unknown>;
let state: StateStore;
let logs: { level: string; message: string; attributes?: Record<string, unknown> }[];
let sleeps: number[];
let recorded: ExportSummary[];

const logger: Logger = {
  debug: () => {},
  info: (message, attributes) => logs.push({ level: "info", message, attributes }),
  warn: (message, attributes) => logs.push({ level: "warn", message, attributes }),
  error: (message, attributes) => logs.push({ level: "error", message, attributes }),
};

function exporter(overrides: Partial<StateStore> = {}): FindingsExporter {
  return securityHubExporter({
    sink: securityHubSink(new SecurityHubClient({ region: "us-east-1" })),
    state: { ...state, ...overrides },
    target: productTarget(ARN),
    logger,
    metrics: { record: (_controlId, summary) => recorded.push(summary) },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

/** The findings of every BatchImportFindings call, in order. */
const calls = (): AwsSecurityFinding[][] =>
  hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings ?? []);
const imported = () => calls().flat();
const byId = (id: string) => imported().filter((f) => f.Id === id);
const idOf = (r: ResourceResult) => resultFindingId(ORG, "1.1", r);
const activeIds = () => (docs.get(KEY) as { active: string[] } | undefined)?.active;
/** A run of control 1.1 over the given results, an hour after the previous one. */
let hour = 0;
const run = (results: ResourceResult[], overrides: Partial<ControlFinding> = {}) =>
  finding(results, {
    evaluatedAt: new Date(Date.UTC(2026, 10, 28, 12 + hour++)).toISOString(),
    ...overrides,
  });

beforeEach(() => {
  hub.reset();
  hub.on(BatchImportFindingsCommand).callsFake(accepting);
  docs = new Map();
  state = {
    async getJson<T>(key: string) {
      return structuredClone(docs.get(key)) as T | undefined;
    },
    async putJson(key: string, value: unknown) {
      docs.set(key, structuredClone(value));
    },
  };
  logs = [];
  sleeps = [];
  recorded = [];
  hour = 0;
});

describe("securityHubExporter: a resource that fails, then passes", () => {
  it("imports a FAIL as FAILED/ACTIVE/NEW, then the next run's PASS as PASSED/ARCHIVED/RESOLVED", async () => {
    const bob = row("FAIL", "bob.admin");
    const first = await exporter().export(run([bob, row("PASS", "alice.admin")]));
    expect(first).toEqual({ imported: 2, archived: 0, failed: [], skipped: 0 });
    expect(byId(idOf(bob))).toEqual([
      expect.objectContaining({
        Compliance: expect.objectContaining({ Status: "FAILED" }),
        RecordState: "ACTIVE",
        Workflow: { Status: "NEW" },
      }),
    ]);
    expect(activeIds()).toEqual([idOf(bob)]);

    hub.resetHistory();
    const second = await exporter().export(run([row("PASS", "bob.admin"), row("PASS", "alice.admin")]));
    expect(second).toEqual({ imported: 2, archived: 0, failed: [], skipped: 0 });
    expect(byId(idOf(bob))).toEqual([
      expect.objectContaining({
        Compliance: expect.objectContaining({ Status: "PASSED" }),
        RecordState: "ARCHIVED",
        Workflow: { Status: "RESOLVED" },
        UpdatedAt: "2026-11-28T13:00:00.000Z",
      }),
    ]);
    expect(activeIds()).toEqual([]);
    expectValidAsff(imported());
    expect(logs.at(-1)).toMatchObject({ level: "info", message: "Security Hub import finished" });
    expect(recorded).toEqual([first, second]);
  });

  it("archives and resolves a resource that vanished, as NOT_AVAILABLE", async () => {
    const gone = row("FAIL", "gone.admin");
    await exporter().export(run([row("FAIL", "bob.admin"), gone]));
    hub.resetHistory();
    const summary = await exporter().export(run([row("FAIL", "bob.admin")]));
    expect(summary).toEqual({ imported: 2, archived: 1, failed: [], skipped: 0 });
    expect(byId(idOf(gone))).toEqual([
      expect.objectContaining({
        Compliance: expect.objectContaining({ Status: "NOT_AVAILABLE" }),
        RecordState: "ARCHIVED",
        Workflow: { Status: "RESOLVED" },
      }),
    ]);
    expect(activeIds()).toEqual([idOf(row("FAIL", "bob.admin"))]);

    // Archived once: not again on the next run.
    hub.resetHistory();
    await exporter().export(run([row("FAIL", "bob.admin")]));
    expect(byId(idOf(gone))).toEqual([]);
  });

  it("archives a FAIL left out of a trimmed finding without calling it FAILED or PASSED", async () => {
    const carol = row("FAIL", "carol.admin");
    await exporter().export(run([carol]));
    hub.resetHistory();
    await exporter().export(run([row("PASS", "a")], { omitted: { PASS: 1000 } }));
    const [archived] = byId(idOf(carol));
    expect(archived?.Compliance?.Status).toBe("NOT_AVAILABLE");
    expect(archived?.RecordState).toBe("ARCHIVED");
    expect(archived?.Description).toContain("passing results left out");
  });
});

describe("securityHubExporter: what could not be judged is kept, not archived", () => {
  it("an ERROR control imports its control-level finding and keeps every earlier ACTIVE id", async () => {
    const bob = row("FAIL", "bob.admin");
    await exporter().export(run([bob]));
    hub.resetHistory();
    const errored = run([], {
      status: "ERROR",
      summary: "Could not evaluate: users: HTTP 500",
      error: { code: "SERVER_ERROR", message: "HTTP 500", datasets: [] },
    });
    expect(await exporter().export(errored)).toEqual({ imported: 1, archived: 0, failed: [], skipped: 0 });
    expect(imported().map((f) => [f.Id, f.Compliance?.Status, f.RecordState])).toEqual([
      [`jc-audit/${ORG}/1.1/control`, "NOT_AVAILABLE", "ACTIVE"],
    ]);
    expect(activeIds()).toEqual([`jc-audit/${ORG}/1.1/control`, idOf(bob)]);

    // Evaluated again: bob passes, the control-level finding is archived.
    hub.resetHistory();
    expect(await exporter().export(run([row("PASS", "bob.admin")]))).toMatchObject({ archived: 1 });
    expect(imported().map((f) => [f.Id, f.RecordState])).toEqual([
      [`jc-audit/${ORG}/1.1/control`, "ARCHIVED"],
      [idOf(bob), "ARCHIVED"],
    ]);
    expect(activeIds()).toEqual([]);
  });

  it("a check that could not be evaluated keeps its earlier failures; the other checks' are archived", async () => {
    const totp = row("FAIL", "bob.admin", { check: "totp" });
    const mfa = row("FAIL", "erin.admin");
    await exporter().export(run([totp, mfa]));
    hub.resetHistory();
    await exporter().export(run([checkError("totp", "the TOTP list could not be read"), row("PASS", "x")]));
    expect(byId(idOf(totp))).toEqual([]);
    expect(byId(idOf(mfa))[0]?.RecordState).toBe("ARCHIVED");
    expect(activeIds()).toEqual([idOf(checkError("totp", "")), idOf(totp)]);
  });
});

describe("securityHubExporter: batches and failures", () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => row("FAIL", `user-${i}`));

  it("sends 250 results in 3 calls of at most 100, every finding valid ASFF", async () => {
    const summary = await exporter().export(run(many(250)));
    expect(hub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 3);
    expect(calls().map((c) => c.length)).toEqual([100, 100, 50]);
    expect(new Set(imported().map((f) => f.Id)).size).toBe(250);
    expectValidAsff(imported());
    expect(summary).toEqual({ imported: 250, archived: 0, failed: [], skipped: 0 });
    for (const batch of calls())
      expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThan(6 * 1024 * 1024);
  });

  it("retries refused findings with backoff, then reports the ones still refused", async () => {
    const results = many(3);
    const [a, b] = results.map(idOf) as [string, string];
    hub
      .on(BatchImportFindingsCommand)
      .resolvesOnce(refusing([a, b], 3))
      .resolvesOnce(refusing([a], 2))
      .resolvesOnce(refusing([a], 1));
    const summary = await exporter().export(run(results));
    expect(calls().map((c) => c.map((f) => f.Id))).toEqual([results.map(idOf), [a, b], [a]]);
    expect(sleeps).toEqual([500, 1000]);
    expect(summary).toEqual({
      imported: 2,
      archived: 0,
      failed: [{ id: a, code: "InvalidInput", message: "refused" }],
      skipped: 0,
    });
    expect(logs.at(-1)).toMatchObject({
      level: "error",
      message: "Security Hub import failed",
      attributes: {
        code: "SECURITY_HUB_IMPORT_FAILED",
        controlId: "1.1",
        failed: 1,
        errorCodes: ["InvalidInput"],
      },
    });
    // Remembered as ACTIVE all the same, so it is archived if it vanishes.
    expect(activeIds()).toEqual(results.map(idOf));
  });

  it("retries the whole batch when Security Hub counts failures it does not name", async () => {
    hub
      .on(BatchImportFindingsCommand)
      .resolvesOnce({ SuccessCount: 1, FailedCount: 1, FailedFindings: [] })
      .callsFake(accepting);
    const summary = await exporter().export(run(many(2)));
    expect(calls().map((c) => c.length)).toEqual([2, 2]);
    expect(summary.failed).toEqual([]);
  });

  it("stops at a failed call, reports every finding not sent and never throws", async () => {
    const previous = idOf(row("FAIL", "gone"));
    docs.set(KEY, { version: 1, active: [previous] });
    hub
      .on(BatchImportFindingsCommand)
      .resolvesOnce({ SuccessCount: 100, FailedCount: 0 })
      .rejectsOnce(
        Object.assign(new Error("not authorized to perform securityhub:BatchImportFindings"), {
          name: "AccessDeniedException",
        }),
      );
    const summary = await exporter().export(run(many(250)));
    expect(hub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 2);
    expect(summary).toMatchObject({
      imported: 100,
      archived: 0,
      skipped: 0,
      error: {
        code: "IMPORT_CALL_FAILED",
        message: "AccessDeniedException: not authorized to perform securityhub:BatchImportFindings",
      },
    });
    expect(summary.failed).toHaveLength(151);
    expect(summary.failed[0]).toEqual({
      id: idOf(many(250)[100] as ResourceResult),
      code: "NOT_SENT",
      message: "not imported: AccessDeniedException",
    });
    expect(logs.at(-1)?.level).toBe("error");
    // The archive that did not go through is tried again next run.
    expect(activeIds()).toContain(previous);
  });

  it("imports at most MAX_FINDINGS per run, failing results first, and reports the rest as skipped", async () => {
    const forged = Array.from({ length: MAX_TRACKED + 5 }, (_, i) => idOf(row("FAIL", `old-${i}`)));
    docs.set(KEY, { version: 1, active: forged });
    const summary = await exporter().export(run([row("FAIL", "now-failing")]));
    expect(imported()).toHaveLength(MAX_FINDINGS);
    expect(imported()[0]?.Id).toBe(idOf(row("FAIL", "now-failing")));
    expect(summary).toMatchObject({
      imported: MAX_FINDINGS,
      archived: MAX_FINDINGS - 1,
      skipped: MAX_TRACKED + 1 - MAX_FINDINGS,
    });
    expect(logs.find((l) => l.message === "Security Hub state entries ignored")?.attributes).toMatchObject({
      beyondLimit: 5,
    });
    expect(logs.at(-1)).toMatchObject({ level: "warn", message: "Security Hub import capped" });
    expect(activeIds()).toHaveLength(1 + MAX_TRACKED - (MAX_FINDINGS - 1));
  });
});

describe("securityHubExporter: the state document comes from the bucket", () => {
  it("ignores forged ids: other organizations, controls, products, shapes; archives only its own", async () => {
    const own = idOf(row("FAIL", "gone.admin"));
    docs.set(KEY, {
      version: 1,
      active: [
        own,
        `jc-audit/5f0000000000000000000002/1.1/admin/victim/admin-mfa`,
        `jc-audit/${ORG}/2.1/user/victim/mfa`,
        "arn:aws:securityhub:us-east-1::product/aws/guardduty/finding/abc",
        `jc-audit/${ORG}/1.1/admin/../../2.1/x`,
        `jc-audit/${ORG}/1.1/admin/a b/admin-mfa`,
        42,
        { id: own },
        own,
      ],
    });
    const summary = await exporter().export(run([row("FAIL", "bob.admin")]));
    expect(summary.archived).toBe(1);
    expect(imported().map((f) => f.Id)).toEqual([idOf(row("FAIL", "bob.admin")), own]);
    expect(logs.find((l) => l.message === "Security Hub state entries ignored")?.attributes).toMatchObject({
      dropped: 8,
    });
  });

  it("cannot archive a finding this run reports: a listed id that is present is imported as it is", async () => {
    const bob = row("FAIL", "bob.admin");
    docs.set(KEY, { version: 1, active: [idOf(bob)] });
    await exporter().export(run([bob]));
    expect(byId(idOf(bob))).toEqual([expect.objectContaining({ RecordState: "ACTIVE" })]);
  });

  it.each([
    ["not JSON", () => Promise.reject(new SyntaxError("Unexpected token"))],
    ["without a list", async () => ({ active: "everything" })],
    ["null", async () => null],
  ])("starts afresh from a document %s and overwrites it", async (_name, getJson) => {
    const summary = await exporter({ getJson: getJson as StateStore["getJson"] }).export(
      run([row("FAIL", "bob.admin")]),
    );
    expect(summary).toEqual({ imported: 1, archived: 0, failed: [], skipped: 0 });
    expect(activeIds()).toEqual([idOf(row("FAIL", "bob.admin"))]);
    expect(logs.some((l) => l.level === "warn" && l.message === "Security Hub state ignored")).toBe(true);
  });

  it("when the document cannot be read, imports the run, archives nothing and leaves the document alone", async () => {
    docs.set(KEY, { version: 1, active: [idOf(row("FAIL", "gone"))] });
    const summary = await exporter({
      getJson: () => Promise.reject(Object.assign(new Error("Access Denied"), { name: "AccessDenied" })),
    }).export(run([row("FAIL", "bob.admin")]));
    expect(summary).toMatchObject({
      imported: 1,
      archived: 0,
      error: { code: "STATE_UNREADABLE", message: "AccessDenied: Access Denied" },
    });
    expect(activeIds()).toEqual([idOf(row("FAIL", "gone"))]);
    expect(logs.at(-1)).toMatchObject({ level: "error", message: "Security Hub import failed" });
  });

  it("reports a state document it could not write, without throwing", async () => {
    const summary = await exporter({ putJson: () => Promise.reject(new Error("SlowDown")) }).export(
      run([row("FAIL", "bob.admin")]),
    );
    expect(summary).toMatchObject({
      imported: 1,
      error: { code: "STATE_WRITE_FAILED", message: "Error: SlowDown" },
    });
  });
});

/** A BatchImportFindings answer accepting every finding. */
async function accepting(input: { Findings: unknown[] }) {
  return { SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] };
}

/** A BatchImportFindings answer refusing the given ids out of `total`. */
function refusing(ids: string[], total: number): BatchImportFindingsCommandOutput {
  return {
    $metadata: {},
    SuccessCount: total - ids.length,
    FailedCount: ids.length,
    FailedFindings: ids.map((Id) => ({ Id, ErrorCode: "InvalidInput", ErrorMessage: "refused" })),
  };
}
