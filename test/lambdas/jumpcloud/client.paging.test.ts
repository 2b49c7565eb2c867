import { describe, expect, it } from "vitest";
import { createJumpCloudClient } from "../../../lambdas/jumpcloud/client.js";
import type { EventQuery } from "../../../lambdas/jumpcloud/types.js";
import { systemUser } from "../../../sim/presets/builders.js";
import { insightsEvent } from "../../../sim/presets/catalog.js";
import type { Doc } from "../../../sim/query.js";
import { collect, simClient, useSimulator } from "../../helpers/simulator.js";

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

  it("projects fields: only the named fields (and _id) travel", async () => {
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
      "email mfaEnrollment.overallStatus",
    );
  });

  it("passes filters in the v1 grammar", async () => {
    seedUsers(30);
    const users = await collect(
      simClient(sim()).v1List<Doc>("/api/systemusers", { filter: ["username:$eq:user7"] }),
    );
    expect(users.map((u) => u.username)).toEqual(["user7"]);
  });

  it("keeps paging when the total grows beyond the first page's count, and stops on a short page", async () => {
    seedUsers(150);
    const client = simClient(sim(), { maxConcurrency: 1 });
    const seen: Doc[] = [];
    for await (const user of client.v1List<Doc>("/api/systemusers")) {
      if (seen.length === 0)
        org().systemUsers.push(
          systemUser(hex(9999, "5fa0"), "5f0000000000000000000001", now, { username: "late" }),
        );
      seen.push(user);
    }
    expect(seen).toHaveLength(151);
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
    [250, 3],
    [10_001, 101],
  ])("reads all %i IP lists in %i requests", async (count, requests) => {
    seedIpLists(count);
    sim().requests.length = 0;
    const items = await collect(simClient(sim()).v2List<Doc>("/api/v2/iplists", { fields: ["name"] }));
    expect(items).toHaveLength(count);
    expect(new Set(items.map((i) => i.id)).size).toBe(count);
    expect(items[0]).toEqual({ id: items[0]?.id, name: "list 0" });
    expect(lists("/api/v2/iplists")).toHaveLength(requests);
    expect(new URLSearchParams(lists("/api/v2/iplists")[0]?.query).get("fields")).toBe("name");
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

describe("configuration", () => {
  it("refuses page sizes above the API's cap of 100, so paging can't stop early", () => {
    expect(() => createJumpCloudClient({ apiKey: "k".repeat(40), pageSize: 150 })).toThrow(/1 to 100/);
  });
});
