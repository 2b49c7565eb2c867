/**
 * Complete collections or ERROR, through the real collectors and engine over HTTP: a collection that
 * comes back inconsistent is read once more (live data may shift while paging); inconsistent twice,
 * that dataset fails with the reason and only the controls that need it are ERROR.
 */
import { describe, expect, it } from "vitest";
import { collectSnapshot } from "../../../lambdas/collect/collectors.js";
import { CONTROLS } from "../../../lambdas/controls/registry.js";
import { runAudit } from "../../../lambdas/engine/run.js";
import type { FaultRule } from "../../../sim/faults.js";
import { systemUser } from "../../../sim/presets/builders.js";
import { hexId, NOW, useFreshSimulator } from "../../helpers/audit.js";
import { simClient } from "../../helpers/simulator.js";

const { sim, org } = useFreshSimulator();
const USERS = 250;

/** Grows the compliant organization to 250 users (3 pages), all enrolled in MFA. */
function growUsers(): void {
  const orgId = org().organization._id as string;
  const existing = org().systemUsers.length;
  for (let i = existing; i < USERS; i++) {
    org().systemUsers.push(systemUser(hexId(i + 1, "5fd0"), orgId, NOW, { username: `extra${i}` }));
  }
}

const client = () => simClient(sim(), { retry: { maxAttempts: 1 } });
const collectUsers = () =>
  collectSnapshot(client(), ["users"], {
    orgId: org().organization._id as string,
    now: NOW,
    activityWindowHours: 24,
    keyEventsWindowHours: 24,
  });
/** How many times the user list was read from its start. */
const reads = () =>
  sim().requests.filter(
    (r) => r.path === "/api/systemusers" && (new URLSearchParams(r.query).get("skip") ?? "0") === "0",
  ).length;
const emptySecondPage = (times?: number): FaultRule => ({
  kind: "empty-page",
  method: "GET",
  path: "/api/systemusers",
  atSkip: 100,
  ...(times ? { times } : {}),
});

describe("users collector", () => {
  it("one transient inconsistency is healed by the re-read", async () => {
    growUsers();
    sim().faults.add(emptySecondPage(1));
    const { users } = await collectUsers();
    expect(users?.ok).toBe(true);
    const data = users?.ok ? users.data : [];
    expect(new Set(data.map((u) => u._id)).size).toBe(USERS);
    expect(reads()).toBe(2);
  });

  it("inconsistent on both reads: the dataset fails with the reason, after exactly two reads", async () => {
    growUsers();
    sim().faults.add(emptySecondPage());
    const { users } = await collectUsers();
    expect(users).toEqual({
      ok: false,
      error: {
        dataset: "users",
        code: "INCOMPLETE_COLLECTION",
        message:
          "Incomplete collection: the page at skip 100 came back empty before the reported total of 250 (100 of 250 read); read twice, inconsistent both times (GET /api/systemusers)",
        status: undefined,
      },
    });
    expect(reads()).toBe(2);
  });

  it("a first page repeated on both reads fails the same way, naming the duplicates", async () => {
    growUsers();
    sim().faults.add({ kind: "repeat-page", of: 0, path: "/api/systemusers", atSkip: 100 });
    const { users } = await collectUsers();
    expect(users?.ok).toBe(false);
    expect(users?.ok === false && users.error.message).toMatch(
      /^Incomplete collection: the page at skip 100 repeats 100 id\(s\) already read, .*; read twice, inconsistent both times/,
    );
  });

  it("other errors are not re-read", async () => {
    sim().faults.add({ kind: "status", status: 403, path: "/api/systemusers" });
    const { users } = await collectUsers();
    expect(users).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(reads()).toBe(1);
  });
});

describe("an audit over an inconsistent user list", () => {
  const needsUsers = CONTROLS.filter((c) =>
    ([...c.needs, ...(c.optionalNeeds ?? [])] as string[]).includes("users"),
  ).map((c) => c.id);

  it("ERROR for exactly the controls that need users, naming the inconsistency; the others are judged", async () => {
    expect(needsUsers).toEqual(["2.1", "4.2"]);
    growUsers();
    sim().faults.add(emptySecondPage());
    const report = await runAudit({ client: client(), clock: () => NOW }, {});
    const errors = report.controls.filter((f) => f.status === "ERROR").map((f) => f.controlId);
    expect(errors).toEqual(needsUsers);
    for (const id of needsUsers) {
      const finding = report.controls.find((f) => f.controlId === id);
      expect(finding?.summary).toContain(
        "users: Incomplete collection: the page at skip 100 came back empty before the reported total of 250",
      );
      expect(finding?.error?.datasets).toMatchObject([{ dataset: "users", code: "INCOMPLETE_COLLECTION" }]);
      expect(finding?.results.some((r) => r.status === "PASS")).toBe(false);
    }
  });

  it("healed by the re-read, the same audit judges every user", async () => {
    growUsers();
    sim().faults.add(emptySecondPage(1));
    const report = await runAudit({ client: client(), clock: () => NOW }, { controls: ["2.1"] });
    const [finding] = report.controls;
    expect(finding?.status).toBe("PASS");
    expect(finding?.summary).toContain(String(USERS));
  });
});
