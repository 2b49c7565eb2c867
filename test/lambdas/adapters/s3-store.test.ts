/**
 * The S3 findings/state store against a mocked S3Client: keys, bodies, tags, NoSuchKey, the last evaluated
 * copy, and the one-time history scan (with paging) of buckets written before that copy existed.
 */
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { s3Store } from "../../../lambdas/adapters/s3-store.js";
import type { ControlFinding } from "../../../lambdas/engine/findings.js";
import { fakeBucket } from "../../helpers/aws.js";
import { finding, row } from "../../helpers/findings.js";

const BUCKET = "findings-bucket";
const ORG = "5f0000000000000000000001";
const s3 = mockClient(S3Client);

beforeEach(() => {
  s3.reset();
});

/** A GetObject answer whose body is the JSON of `value`. */
function body(value: unknown): GetObjectCommandOutput {
  const text = JSON.stringify(value);
  return {
    $metadata: {},
    Body: { transformToString: async () => text },
  } as unknown as GetObjectCommandOutput;
}

function noSuchKey(): NoSuchKey {
  return new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
}

const at = (iso: string, status: "PASS" | "FAIL" | "ERROR"): ControlFinding =>
  finding(status === "ERROR" ? [] : [row(status, "a")], {
    evaluatedAt: iso,
    ...(status === "ERROR" ? { status } : {}),
  });

const historyKey = (iso: string) => `findings/${ORG}/1.1/history/${iso.replace(/:/g, "-")}.json`;

describe("s3Store", () => {
  it("putFinding writes the history entry, the last evaluated copy, then latest, as JSON", async () => {
    s3.on(PutObjectCommand).resolves({});
    const f = at("2026-11-28T12:00:00.000Z", "FAIL");
    await s3Store(new S3Client({}), BUCKET).putFinding(f);

    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual([
      `findings/${ORG}/1.1/history/2026-11-28T12-00-00.000Z.json`,
      `findings/${ORG}/1.1/last-evaluated.json`,
      `findings/${ORG}/1.1/latest.json`,
    ]);
    for (const put of puts) {
      expect(put.Bucket).toBe(BUCKET);
      expect(put.ContentType).toBe("application/json");
      expect(JSON.parse(String(put.Body))).toEqual(f);
    }
    // History carries the tag the bucket's lifecycle expires by; latest and the copy never expire.
    expect(puts.map((p) => p.Tagging)).toEqual(["retention=history", undefined, undefined]);
  });

  it("putFinding of an ERROR leaves the last evaluated copy alone", async () => {
    s3.on(PutObjectCommand).resolves({});
    await s3Store(new S3Client({}), BUCKET).putFinding(at("2026-11-28T12:00:00.000Z", "ERROR"));
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      `findings/${ORG}/1.1/history/2026-11-28T12-00-00.000Z.json`,
      `findings/${ORG}/1.1/latest.json`,
    ]);
  });

  it("putRun writes runs/{orgId}/{runId}.json", async () => {
    s3.on(PutObjectCommand).resolves({});
    const report = {
      schemaVersion: "1.0" as const,
      runId: "20261128T120000Z-abc123",
      orgId: ORG,
      startedAt: "2026-11-28T12:00:00.000Z",
      finishedAt: "2026-11-28T12:00:01.000Z",
      controls: [],
      regressions: [],
      recoveries: [],
      compliance: [],
      exceptions: { applied: 0, expired: [] },
      api: { requests: 2, retries: 0 },
    };
    await s3Store(new S3Client({}), BUCKET).putRun(report);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input?.Key).toBe(`runs/${ORG}/20261128T120000Z-abc123.json`);
    expect(JSON.parse(String(input?.Body))).toEqual(report);
  });

  it("getLatest reads latest.json, and is undefined on NoSuchKey", async () => {
    const f = at("2026-11-28T12:00:00.000Z", "PASS");
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: `findings/${ORG}/1.1/latest.json` }).resolves(body(f));
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: `findings/${ORG}/2.1/latest.json` }).rejects(noSuchKey());
    const store = s3Store(new S3Client({}), BUCKET);
    expect(await store.getLatest(ORG, "1.1")).toEqual(f);
    expect(await store.getLatest(ORG, "2.1")).toBeUndefined();
  });

  it("getLatest also treats a plain NoSuchKey-named service error as missing", async () => {
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({ name: "NoSuchKey", $fault: "client", $metadata: { httpStatusCode: 404 } }),
    );
    expect(await s3Store(new S3Client({}), BUCKET).getLatest(ORG, "1.1")).toBeUndefined();
  });

  const accessDenied = () =>
    new S3ServiceException({
      name: "AccessDenied",
      message: "Access Denied",
      $fault: "client",
      $metadata: { httpStatusCode: 403 },
    });
  const latestKey = `findings/${ORG}/1.1/latest.json`;

  it("getLatest rethrows AccessDenied on a key a listing shows (a refused read is not 'never run')", async () => {
    s3.on(GetObjectCommand).rejects(accessDenied());
    s3.on(ListObjectsV2Command, { Prefix: latestKey }).resolves({ Contents: [{ Key: latestKey }] });
    await expect(s3Store(new S3Client({}), BUCKET).getLatest(ORG, "1.1")).rejects.toThrow("Access Denied");
  });

  it("getLatest rethrows AccessDenied when the listing is refused too", async () => {
    s3.on(GetObjectCommand).rejects(accessDenied());
    s3.on(ListObjectsV2Command).rejects(accessDenied());
    await expect(s3Store(new S3Client({}), BUCKET).getLatest(ORG, "1.1")).rejects.toThrow("Access Denied");
  });

  it("getLatest treats AccessDenied as missing when a listing of exactly that key is empty", async () => {
    // S3 hides a missing key behind AccessDenied from a role it does not count as able to list.
    s3.on(GetObjectCommand).rejects(accessDenied());
    s3.on(ListObjectsV2Command, { Prefix: latestKey }).resolves({ Contents: [{ Key: `${latestKey}.bak` }] });
    expect(await s3Store(new S3Client({}), BUCKET).getLatest(ORG, "1.1")).toBeUndefined();
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: latestKey,
      MaxKeys: 1,
    });
  });

  it("getLatestEvaluated returns latest when it is not ERROR, without listing history", async () => {
    const f = at("2026-11-28T12:00:00.000Z", "FAIL");
    s3.on(GetObjectCommand).resolves(body(f));
    expect(await s3Store(new S3Client({}), BUCKET).getLatestEvaluated(ORG, "1.1")).toEqual(f);
    expect(s3).not.toHaveReceivedCommand(ListObjectsV2Command);
  });

  it("getLatestEvaluated is undefined for a control never run", async () => {
    s3.on(GetObjectCommand).rejects(noSuchKey());
    expect(await s3Store(new S3Client({}), BUCKET).getLatestEvaluated(ORG, "1.1")).toBeUndefined();
    expect(s3).not.toHaveReceivedCommand(ListObjectsV2Command);
  });

  it("getLatestEvaluated after 62 ERROR runs reads the copy, lists nothing, and survives history expiry", async () => {
    const objects = fakeBucket(s3);
    const store = s3Store(new S3Client({}), BUCKET);
    const start = Date.parse("2026-09-01T00:00:00.000Z");
    const iso = (n: number) => new Date(start + n * 3_600_000).toISOString();
    await store.putFinding(at(iso(0), "PASS"));
    for (let n = 1; n <= 62; n++) await store.putFinding(at(iso(n), "ERROR"));
    // The lifecycle rule expires tagged history; here, all of it.
    const tagged = s3
      .commandCalls(PutObjectCommand)
      .filter((c) => c.args[0].input.Tagging === "retention=history")
      .map((c) => c.args[0].input.Key ?? "");
    expect(tagged).toHaveLength(63);
    for (const key of tagged) objects.delete(key);
    s3.resetHistory();

    expect(await store.getLatestEvaluated(ORG, "1.1")).toMatchObject({ evaluatedAt: iso(0), status: "PASS" });
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      `findings/${ORG}/1.1/latest.json`,
      `findings/${ORG}/1.1/last-evaluated.json`,
    ]);
    expect(s3).not.toHaveReceivedCommand(ListObjectsV2Command);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it("a bucket without the copy: history is walked across pages, newest first, and the find is copied", async () => {
    const times = [
      "2026-11-24T12:00:00.000Z", // PASS (older: must not be read)
      "2026-11-25T12:00:00.000Z", // FAIL: the answer
      "2026-11-26T12:00:00.000Z", // ERROR
      "2026-11-27T12:00:00.000Z", // ERROR
    ];
    const [t24, t25, t26, t27] = times as [string, string, string, string];
    const history: Record<string, ControlFinding> = {
      [historyKey(t24)]: at(t24, "PASS"),
      [historyKey(t25)]: at(t25, "FAIL"),
      [historyKey(t26)]: at(t26, "ERROR"),
      [historyKey(t27)]: at(t27, "ERROR"),
    };
    s3.on(GetObjectCommand).rejects(noSuchKey());
    s3.on(GetObjectCommand, { Key: `findings/${ORG}/1.1/latest.json` }).resolves(body(at(t27, "ERROR")));
    for (const [key, value] of Object.entries(history))
      s3.on(GetObjectCommand, { Key: key }).resolves(body(value));
    s3.on(PutObjectCommand).resolves({});
    // Two pages, deliberately not in time order across pages (S3 orders keys, but the store must sort).
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [{ Key: historyKey(t24) }, { Key: historyKey(t27) }],
      IsTruncated: true,
      NextContinuationToken: "page-2",
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: "page-2" }).resolves({
      Contents: [{ Key: historyKey(t25) }, { Key: historyKey(t26) }],
      IsTruncated: false,
    });

    const found = await s3Store(new S3Client({}), BUCKET).getLatestEvaluated(ORG, "1.1");
    expect(found?.evaluatedAt).toBe(t25);
    expect(found?.status).toBe("FAIL");

    const lists = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(lists).toEqual([
      { Bucket: BUCKET, Prefix: `findings/${ORG}/1.1/history/`, ContinuationToken: undefined },
      { Bucket: BUCKET, Prefix: `findings/${ORG}/1.1/history/`, ContinuationToken: "page-2" },
    ]);
    const reads = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key);
    expect(reads).toEqual([
      `findings/${ORG}/1.1/latest.json`,
      `findings/${ORG}/1.1/last-evaluated.json`,
      `findings/${ORG}/1.1/history-scanned.json`,
      historyKey(t27),
      historyKey(t26),
      historyKey(t25),
    ]);
    // Copied, untagged, so the next lookup needs no history (which may expire).
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Key, p.Tagging])).toEqual([
      [`findings/${ORG}/1.1/last-evaluated.json`, undefined],
    ]);
    expect(JSON.parse(String(puts[0]?.Body))).toEqual(at(t25, "FAIL"));
  });

  it("a bucket without the copy and no evaluated history: scanned once, the absence recorded", async () => {
    const objects = fakeBucket(s3);
    const t = (h: number) => `2026-11-27T${String(h).padStart(2, "0")}:00:00.000Z`;
    for (const h of [10, 11]) {
      objects.set(historyKey(t(h)), JSON.stringify(at(t(h), "ERROR")));
      objects.set(`findings/${ORG}/1.1/latest.json`, JSON.stringify(at(t(h), "ERROR")));
    }
    const store = s3Store(new S3Client({}), BUCKET);
    expect(await store.getLatestEvaluated(ORG, "1.1")).toBeUndefined();
    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 1);
    expect(JSON.parse(objects.get(`findings/${ORG}/1.1/history-scanned.json`) ?? "")).toEqual({
      entries: 2,
      evaluated: 0,
    });

    s3.resetHistory();
    expect(await store.getLatestEvaluated(ORG, "1.1")).toBeUndefined();
    expect(s3).not.toHaveReceivedCommand(ListObjectsV2Command);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(3);
  });

  it("getJson/putJson round-trip state documents under their key", async () => {
    s3.on(PutObjectCommand).resolves({});
    const store = s3Store(new S3Client({}), BUCKET);
    const key = `state/${ORG}/1.1/health.json`;
    await store.putJson(key, { consecutiveErrors: 2, alerted: false });
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Bucket: BUCKET, Key: key, ContentType: "application/json" });
    expect(JSON.parse(String(put?.Body))).toEqual({ consecutiveErrors: 2, alerted: false });

    s3.on(GetObjectCommand, { Key: key }).resolves(body({ consecutiveErrors: 2, alerted: false }));
    s3.on(GetObjectCommand, { Key: "events/x.json" }).rejects(noSuchKey());
    expect(await store.getJson(key)).toEqual({ consecutiveErrors: 2, alerted: false });
    expect(await store.getJson("events/x.json")).toBeUndefined();
  });
});
