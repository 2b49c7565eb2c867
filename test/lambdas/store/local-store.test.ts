import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { layout } from "../../../lambdas/store/findings-store.js";
import { localFindingsStore } from "../../../lambdas/store/local-store.js";
import { finding, row } from "../../helpers/findings.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "findings-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ORG = "5f0000000000000000000001";
const at = (iso: string, status: "PASS" | "ERROR" | "FAIL") =>
  finding(status === "ERROR" ? [] : [row(status, "a")], {
    evaluatedAt: iso,
    ...(status === "ERROR" ? { status } : {}),
  });

describe("localFindingsStore", () => {
  it("writes history and latest with the S3 layout", async () => {
    const store = localFindingsStore(root);
    await store.putFinding(at("2026-11-27T12:00:00.000Z", "PASS"));
    await store.putFinding(at("2026-11-28T12:00:00.000Z", "FAIL"));
    expect(await readdir(join(root, `findings/${ORG}/1.1/history`))).toEqual([
      "2026-11-27T12-00-00.000Z.json",
      "2026-11-28T12-00-00.000Z.json",
    ]);
    expect(JSON.parse(await readFile(join(root, layout.latest(ORG, "1.1")), "utf8")).status).toBe("FAIL");
    expect((await store.getLatest(ORG, "1.1"))?.evaluatedAt).toBe("2026-11-28T12:00:00.000Z");
  });

  it("compares against the latest evaluated finding, skipping ERRORs", async () => {
    const store = localFindingsStore(root);
    await store.putFinding(at("2026-11-26T12:00:00.000Z", "FAIL"));
    await store.putFinding(at("2026-11-27T12:00:00.000Z", "ERROR"));
    await store.putFinding(at("2026-11-28T12:00:00.000Z", "ERROR"));
    expect((await store.getLatest(ORG, "1.1"))?.status).toBe("ERROR");
    expect((await store.getLatestEvaluated(ORG, "1.1"))?.evaluatedAt).toBe("2026-11-26T12:00:00.000Z");
  });

  it("keeps a copy of the last evaluated finding beside latest, untouched by ERRORs", async () => {
    const store = localFindingsStore(root);
    await store.putFinding(at("2026-11-26T12:00:00.000Z", "PASS"));
    await store.putFinding(at("2026-11-27T12:00:00.000Z", "ERROR"));
    expect(await readdir(join(root, `findings/${ORG}/1.1`))).toEqual([
      "history",
      "last-evaluated.json",
      "latest.json",
    ]);
    const copy = JSON.parse(await readFile(join(root, layout.lastEvaluated(ORG, "1.1")), "utf8"));
    expect(copy).toEqual(at("2026-11-26T12:00:00.000Z", "PASS"));
  });

  it("finds the baseline after 62 ERROR runs, even once their history has expired", async () => {
    const store = localFindingsStore(root);
    const start = Date.parse("2026-09-01T00:00:00.000Z");
    const iso = (n: number) => new Date(start + n * 3_600_000).toISOString();
    await store.putFinding(at(iso(0), "PASS"));
    for (let n = 1; n <= 62; n++) await store.putFinding(at(iso(n), "ERROR"));
    expect(await readdir(join(root, layout.historyPrefix(ORG, "1.1")))).toHaveLength(63);
    expect((await store.getLatestEvaluated(ORG, "1.1"))?.evaluatedAt).toBe(iso(0));

    // The bucket's lifecycle expires history; the untagged copy stays.
    await rm(join(root, layout.historyPrefix(ORG, "1.1")), { recursive: true });
    expect(await store.getLatestEvaluated(ORG, "1.1")).toMatchObject({ evaluatedAt: iso(0), status: "PASS" });
  });

  describe("a folder written before last-evaluated.json existed", () => {
    /** Writes history entries and latest.json as the older store did (no copy). */
    const legacy = async (entries: [string, "PASS" | "FAIL" | "ERROR"][]) => {
      await mkdir(join(root, layout.historyPrefix(ORG, "1.1")), { recursive: true });
      for (const [iso, status] of entries) {
        const text = JSON.stringify(at(iso, status));
        await writeFile(join(root, layout.history(ORG, "1.1", iso)), text);
        await writeFile(join(root, layout.latest(ORG, "1.1")), text);
      }
    };
    const iso = (n: number) => new Date(Date.parse("2026-06-01T00:00:00.000Z") + n * 3_600_000).toISOString();

    it("scans the whole history once, beyond 60 entries, and keeps what it found as the copy", async () => {
      await legacy([
        [iso(0), "PASS"],
        [iso(1), "FAIL"],
        ...Array.from({ length: 70 }, (_, i): [string, "ERROR"] => [iso(i + 2), "ERROR"]),
      ]);
      const store = localFindingsStore(root);
      expect(await store.getLatestEvaluated(ORG, "1.1")).toMatchObject({
        evaluatedAt: iso(1),
        status: "FAIL",
      });
      expect(
        JSON.parse(await readFile(join(root, layout.lastEvaluated(ORG, "1.1")), "utf8")).evaluatedAt,
      ).toBe(iso(1));
      // Found without history from now on.
      await rm(join(root, layout.historyPrefix(ORG, "1.1")), { recursive: true });
      expect((await store.getLatestEvaluated(ORG, "1.1"))?.evaluatedAt).toBe(iso(1));
    });

    it("records a history with no evaluated finding, so ERROR streaks do not rescan it", async () => {
      await legacy([
        [iso(0), "ERROR"],
        [iso(1), "ERROR"],
      ]);
      const store = localFindingsStore(root);
      expect(await store.getLatestEvaluated(ORG, "1.1")).toBeUndefined();
      expect(JSON.parse(await readFile(join(root, layout.historyScanned(ORG, "1.1")), "utf8"))).toEqual({
        entries: 2,
        evaluated: 0,
      });
      // An entry slipped into history now is not read: the scan happened once.
      await writeFile(join(root, layout.history(ORG, "1.1", iso(-1))), JSON.stringify(at(iso(-1), "PASS")));
      expect(await store.getLatestEvaluated(ORG, "1.1")).toBeUndefined();
      // The next evaluated finding is the baseline, through ERRORs after it.
      await store.putFinding(at(iso(2), "FAIL"));
      await store.putFinding(at(iso(3), "ERROR"));
      expect((await store.getLatestEvaluated(ORG, "1.1"))?.evaluatedAt).toBe(iso(2));
    });
  });

  it("has nothing for a control never run", async () => {
    const store = localFindingsStore(root);
    expect(await store.getLatest(ORG, "2.1")).toBeUndefined();
    expect(await store.getLatestEvaluated(ORG, "2.1")).toBeUndefined();
  });

  it("writes run reports under runs/{orgId}/{runId}.json", async () => {
    const store = localFindingsStore(root);
    await store.putRun({
      schemaVersion: "1.0",
      runId: "r1",
      orgId: ORG,
      startedAt: "",
      finishedAt: "",
      controls: [],
      regressions: [],
      recoveries: [],
      compliance: [],
      exceptions: { applied: 0, expired: [] },
      api: { requests: 0, retries: 0 },
    });
    expect(JSON.parse(await readFile(join(root, `runs/${ORG}/r1.json`), "utf8")).runId).toBe("r1");
  });
});
