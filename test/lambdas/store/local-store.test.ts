import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
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
