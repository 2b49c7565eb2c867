import { afterEach, describe, expect, it } from "vitest";
import { createJumpCloudClient } from "../../../lambdas/jumpcloud/client.js";
import { JumpCloudError } from "../../../lambdas/jumpcloud/errors.js";
import type { EventQuery } from "../../../lambdas/jumpcloud/types.js";
import { systemUser } from "../../../sim/presets/builders.js";
import { insightsEvent } from "../../../sim/presets/catalog.js";
import type { Doc } from "../../../sim/query.js";
import { collect, rejection, simClient, useSimulator } from "../../helpers/simulator.js";

const sim = useSimulator({ scenario: "compliant" });
const org = () =>
  sim().scenario.organizations[0] as NonNullable<ReturnType<typeof sim>["scenario"]["organizations"][0]>;
const hex = (n: number, prefix: string) => prefix + n.toString(16).padStart(24 - prefix.length, "0");
const now = new Date();

function seedUsers(count: number): void {
  org().systemUsers = Array.from({ length: count }, (_, i) =>
    systemUser(hex(i + 1, "5fa0"), "5f0000000000000000000001", now, { username: `user${i}` }),
  );
}
function seedIpLists(count: number): void {
  org().ipLists = Array.from({ length: count }, (_, i) => ({
    id: hex(i + 1, "5fb0"),
    name: `list ${i}`,
    description: "",
    ips: [`192.0.2.${i % 250}`],
  }));
}
function seedEvents(count: number): void {
  const start = now.getTime() - 3_600_000;
  // Several events share a timestamp, so the cursor's id tiebreak matters.
  org().events = Array.from({ length: count }, (_, i) =>
    insightsEvent(hex(i + 1, "5fc0"), "5f0000000000000000000001", {
      type: "user_login_attempt",
      at: new Date(start + Math.floor(i / 3) * 10),
      success: true,
    }),
  );
}
const since = () => new Date(now.getTime() - 7_200_000).toISOString();
const lists = (path: string) => sim().requests.filter((r) => r.path === path);

afterEach(() => {
  sim().faults.clear();
});

describe("v1 paging ({totalCount, results}, limit=100, skip, sort=_id)", () => {
  it.each([
    [0, 1],
    [99, 1],
    [100, 1],
    [250, 3],
    [10_001, 101],
  ])("reads all %i users in %i requests", async (count, requests) => {
    seedUsers(count);
    sim().requests.length = 0;
    const users = await collect(simClient(sim()).v1List<Doc>("/api/systemusers"));
    expect(users).toHaveLength(count);
    expect(new Set(users.map((u) => u._id)).size).toBe(count);
    expect(lists("/api/systemusers")).toHaveLength(requests);
    for (const request of lists("/api/systemusers")) {
      const query = new URLSearchParams(request.query);
      expect(query.get("limit")).toBe("100");
      expect(query.get("sort")).toBe("_id");
      expect(Number(query.get("skip")) % 100).toBe(0);
    }
  });

  it("projects fields: only the named fields and _id (asked for explicitly) travel", async () => {
    seedUsers(3);
    sim().requests.length = 0;
    const users = await collect(
      simClient(sim()).v1List<Doc>("/api/systemusers", { fields: ["email", "mfaEnrollment.overallStatus"] }),
    );
    expect(users[0]).toEqual({
      _id: users[0]?._id,
      email: "user0@example.com",
      mfaEnrollment: { overallStatus: "ENROLLED" },
    });
    expect(new URLSearchParams(lists("/api/systemusers")[0]?.query).get("fields")).toBe(
      "email mfaEnrollment.overallStatus _id",
    );
  });

  it("passes filters in the v1 grammar", async () => {
    seedUsers(30);
    const users = await collect(
      simClient(sim()).v1List<Doc>("/api/systemusers", { filter: ["username:$eq:user7"] }),
    );
    expect(users.map((u) => u.username)).toEqual(["user7"]);
  });

  it("a user added while paging changes the total: INCOMPLETE_COLLECTION; a fresh read has them all", async () => {
    seedUsers(150);
    const client = simClient(sim(), { maxConcurrency: 1 });
    const seen: Doc[] = [];
    const error = await rejection(
      (async () => {
        for await (const user of client.v1List<Doc>("/api/systemusers")) {
          if (seen.length === 0)
            org().systemUsers.push(
              systemUser(hex(9999, "5fa0"), "5f0000000000000000000001", now, { username: "late" }),
            );
          seen.push(user);
        }
      })(),
    );
    expect(error).toMatchObject({ code: "INCOMPLETE_COLLECTION", path: "/api/systemusers" });
    expect(error.message).toContain("the reported total changed from 150 to 151 (the page at skip 100)");
    expect(seen).toHaveLength(100); // the inconsistent page's items are never handed out
    expect(await collect(client.v1List<Doc>("/api/systemusers"))).toHaveLength(151);
  });

  it("stops requesting when the caller stops reading", async () => {
    seedUsers(1000);
    sim().requests.length = 0;
    const client = simClient(sim(), { maxConcurrency: 1 });
    for await (const _user of client.v1List<Doc>("/api/systemusers")) break;
    expect(lists("/api/systemusers").length).toBeLessThanOrEqual(2);
  });

  it("fetches pages ahead in parallel but never exceeds the shared in-flight limit", async () => {
    seedUsers(2000);
    sim().faults.add({ kind: "delay", ms: 20, path: "/api/systemusers" });
    const client = simClient(sim(), { maxConcurrency: 3 });
    const [a, b] = await Promise.all([
      collect(client.v1List<Doc>("/api/systemusers")),
      collect(client.v1List<Doc>("/api/systemusers")),
    ]);
    sim().faults.clear();
    expect(a).toHaveLength(2000);
    expect(b.map((u) => u._id)).toEqual(a.map((u) => u._id));
    expect(sim().peakInFlight()).toBeLessThanOrEqual(3);
    expect(sim().peakInFlight()).toBeGreaterThan(1);
  });
});

describe("v2 paging (arrays + X-Total-Count)", () => {
  it.each([
    [0, 1],
    [99, 1],
    [100, 1],
    [250, 3],
    [10_001, 101],
  ])("reads all %i IP lists in %i requests", async (count, requests) => {
    seedIpLists(count);
    sim().requests.length = 0;
    const items = await collect(simClient(sim()).v2List<Doc>("/api/v2/iplists", { fields: ["name"] }));
    expect(items).toHaveLength(count);
    expect(new Set(items.map((i) => i.id)).size).toBe(count);
    if (count > 0) expect(items[0]).toEqual({ id: items[0]?.id, name: "list 0" });
    expect(lists("/api/v2/iplists")).toHaveLength(requests);
    expect(new URLSearchParams(lists("/api/v2/iplists")[0]?.query).get("fields")).toBe("name,id");
  });

  it("passes v2 filters", async () => {
    seedIpLists(20);
    const items = await collect(
      simClient(sim()).v2List<Doc>("/api/v2/iplists", { filter: ["name:eq:list 3"] }),
    );
    expect(items.map((i) => i.name)).toEqual(["list 3"]);
  });
});

describe("Directory Insights paging (search_after, X-Result-Count / X-Limit)", () => {
  it.each([
    [250, 1000, 1],
    [10_001, 1000, 11],
    [10_001, 10_000, 2],
    [250, 100, 3],
  ])("reads %i events with page size %i in %i requests", async (count, pageSize, requests) => {
    seedEvents(count);
    sim().requests.length = 0;
    const client = simClient(sim(), { insightsPageSize: pageSize });
    const events = await collect(client.insightsEvents({ service: ["all"], start_time: since() }));
    expect(events).toHaveLength(count);
    expect(new Set(events.map((e) => e.id)).size).toBe(count);
    expect(lists("/insights/directory/v1/events")).toHaveLength(requests);
  });

  it("sends fields, sort and search_term, and counts", async () => {
    seedEvents(30);
    org().events[4] = { ...org().events[4], event_type: "admin_login_attempt", success: false } as Doc;
    const client = simClient(sim());
    const query: EventQuery = {
      service: ["all"],
      start_time: since(),
      sort: "DESC",
      fields: ["id", "event_type"],
      search_term: { and: [{ event_type: ["admin_login_attempt", "admin_update"] }, { success: "false" }] },
    };
    const events = await collect(client.insightsEvents(query));
    expect(events).toEqual([{ id: org().events[4]?.id, event_type: "admin_login_attempt" }]);
    expect(await client.insightsCount(query)).toBe(1);
  });
});

/** Reads the collection to its end and returns the error it fails with. */
const failure = (items: AsyncIterable<unknown>) => rejection(collect(items));

describe("complete collections or INCOMPLETE_COLLECTION (v1)", () => {
  const users = () => simClient(sim()).v1List<Doc>("/api/systemusers");

  it.each([
    [
      "an empty page before the total",
      { kind: "empty-page", atSkip: 100 },
      "the page at skip 100 came back empty before the reported total of 250 (100 of 250 read)",
    ],
    [
      "a short page before the total",
      { kind: "short-page", drop: 1, atSkip: 100 },
      "the page at skip 100 came back short (99 of 100 items) before the reported total of 250 (199 of 250 read)",
    ],
    [
      "a page repeating the first one",
      { kind: "repeat-page", of: 0, atSkip: 100 },
      "the page at skip 100 repeats 100 id(s) already read, e.g. 5fa000000000000000000001 (100 distinct of 250 read)",
    ],
    [
      "a total above what the pages hold",
      { kind: "total", total: 300 },
      "the page at skip 200 came back short (50 of 100 items) before the reported total of 300 (250 of 300 read)",
    ],
    [
      "more items than the reported total",
      { kind: "total", total: 180 },
      "200 distinct ids read, more than the reported total of 180 (the page at skip 100)",
    ],
    [
      "a total that changes between pages",
      { kind: "total", total: 251, atSkip: 200 },
      "the reported total changed from 250 to 251 (the page at skip 200)",
    ],
    [
      "no total at all",
      { kind: "total", total: null },
      "the page at skip 0 reported no total (totalCount), so completeness cannot be proven",
    ],
  ] as const)("%s → a typed error naming it and the path", async (_name, fault, message) => {
    seedUsers(250);
    sim().faults.add({ ...fault, path: "/api/systemusers" });
    const error = await failure(users());
    expect(error).toBeInstanceOf(JumpCloudError);
    expect(error).toMatchObject({ code: "INCOMPLETE_COLLECTION", method: "GET", path: "/api/systemusers" });
    expect(error.message).toBe(`Incomplete collection: ${message} (GET /api/systemusers)`);
  });

  it("items without an id", async () => {
    seedUsers(30);
    delete org().systemUsers[7]?._id;
    const error = await failure(users());
    expect(error).toMatchObject({ code: "INCOMPLETE_COLLECTION" });
    expect(error.message).toContain("1 item(s) without an _id (the page at skip 0)");
  });

  it("an id repeated within one page", async () => {
    seedUsers(30);
    (org().systemUsers[8] as Doc)._id = org().systemUsers[7]?._id;
    const error = await failure(users());
    expect(error.message).toContain("the page at skip 0 repeats 1 id(s) already read");
  });

  it("an inconsistency that does not recur is gone on the next read", async () => {
    seedUsers(250);
    sim().faults.add({ kind: "empty-page", path: "/api/systemusers", atSkip: 100, times: 1 });
    expect(await failure(users())).toMatchObject({ code: "INCOMPLETE_COLLECTION" });
    expect(await collect(users())).toHaveLength(250);
  });

  it("a consumer that stops early is never blamed for pages it did not read", async () => {
    seedUsers(250);
    sim().faults.add({ kind: "empty-page", path: "/api/systemusers", atSkip: 100 });
    const client = simClient(sim(), { maxConcurrency: 1 });
    let read = 0;
    for await (const _user of client.v1List<Doc>("/api/systemusers")) {
      read += 1;
      if (read === 100) break; // the last item of the consistent first page
    }
    expect(read).toBe(100);
  });
});

describe("complete collections or INCOMPLETE_COLLECTION (v2)", () => {
  const ipLists = () => simClient(sim()).v2List<Doc>("/api/v2/iplists");

  it.each([
    [
      { kind: "empty-page", atSkip: 100 },
      "the page at skip 100 came back empty before the reported total of 250",
    ],
    [{ kind: "repeat-page", of: 100, atSkip: 200 }, "the page at skip 200 repeats 100 id(s) already read"],
    [{ kind: "total", total: 249, atSkip: 100 }, "the reported total changed from 250 to 249"],
    [{ kind: "total", total: null }, "reported no total (X-Total-Count), so completeness cannot be proven"],
  ] as const)("%o → INCOMPLETE_COLLECTION", async (fault, message) => {
    seedIpLists(250);
    sim().faults.add({ ...fault, path: "/api/v2/iplists" });
    const error = await failure(ipLists());
    expect(error).toMatchObject({ code: "INCOMPLETE_COLLECTION", path: "/api/v2/iplists" });
    expect(error.message).toContain(message);
  });

  it("items without an id", async () => {
    seedIpLists(5);
    delete org().ipLists[2]?.id;
    expect((await failure(ipLists())).message).toContain("1 item(s) without an id (the page at skip 0)");
  });
});

describe("Directory Insights pages must match X-Result-Count", () => {
  const events = (pageSize = 100) =>
    simClient(sim(), { insightsPageSize: pageSize }).insightsEvents({
      service: ["all"],
      start_time: since(),
    });

  it("a page shorter than its X-Result-Count → INCOMPLETE_COLLECTION", async () => {
    seedEvents(250);
    sim().faults.add({
      kind: "short-page",
      drop: 3,
      path: "/insights/directory/v1/events",
      skip: 1,
      times: 1,
    });
    const error = await failure(events());
    expect(error).toMatchObject({
      code: "INCOMPLETE_COLLECTION",
      method: "POST",
      path: "/insights/directory/v1/events",
    });
    expect(error.message).toContain(
      "a page of 97 events came with X-Result-Count 100 (100 events read before it)",
    );
  });

  it("an X-Result-Count that lies about the last page → INCOMPLETE_COLLECTION, not an early end", async () => {
    seedEvents(250);
    sim().faults.add({ kind: "result-count", count: 100, path: "/insights/directory/v1/events", skip: 2 });
    const error = await failure(events());
    expect(error.message).toContain(
      "a page of 50 events came with X-Result-Count 100 (200 events read before it)",
    );
  });

  it("an empty page that claims results → INCOMPLETE_COLLECTION", async () => {
    seedEvents(250);
    sim().faults.add({ kind: "empty-page", path: "/insights/directory/v1/events", times: 1 });
    expect((await failure(events())).message).toContain("a page of 0 events came with X-Result-Count 100");
  });

  it("without X-Result-Count the array length decides, and every event is read", async () => {
    seedEvents(250);
    sim().faults.add({ kind: "result-count", count: null, path: "/insights/directory/v1/events" });
    sim().requests.length = 0;
    expect(await collect(events())).toHaveLength(250);
    expect(lists("/insights/directory/v1/events")).toHaveLength(3);
  });
});

describe("configuration", () => {
  it("refuses page sizes above the API's cap of 100, so paging can't stop early", () => {
    expect(() => createJumpCloudClient({ apiKey: "k".repeat(40), pageSize: 150 })).toThrow(/1 to 100/);
  });
});
