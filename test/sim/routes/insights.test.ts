/** Directory Insights over real HTTP (sim/routes/insights.ts): queries, search_term, sort, paging, headers. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insightsEvent } from "../../../sim/presets/catalog.js";
import type { Doc } from "../../../sim/query.js";
import type { RunningSimulator } from "../../../sim/server.js";
import { startSimulator } from "../../../sim/server.js";
import { type Answer, call, freshSimulator, NOW, orgOf } from "../support.js";

const sim = freshSimulator();
const ORG = "5f0000000000000000000001";
const EVENTS = "/insights/directory/v1/events";
const DAY_AGO = new Date(NOW.getTime() - 86_400_000).toISOString();
const T0 = Date.parse("2026-11-28T08:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

const query = (s: RunningSimulator, body: unknown, path = EVENTS) => call(s, "POST", path, { body });
const ids = (res: Answer): string[] => (res.body as Doc[]).map((e) => String(e.id));
/** Replaces the organization's events (the one change a test makes). */
const setEvents = (events: Doc[]) => {
  orgOf(sim()).events = events;
};
const ev = (id: string, minutes: number, spec: Partial<Parameters<typeof insightsEvent>[2]> = {}) =>
  insightsEvent(id, ORG, { type: "user_login_attempt", service: "sso", at: at(minutes), ...spec });

describe("request validation", () => {
  it.each([
    ["service", { start_time: DAY_AGO }],
    ["start_time", { service: ["all"] }],
  ])("answers 400 without %s", async (field, body) => {
    const res = await query(sim(), body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(400);
    expect(res.body.status).toBe("Bad Request");
    expect(res.body.message).toContain(`must have required property '${field}'`);
  });

  it("answers 400 for a service outside the documented list, naming the allowed values", async () => {
    const res = await query(sim(), { service: ["admin"], start_time: DAY_AGO });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("directory");
  });

  it("answers 400 for a start_time that is not RFC3339", async () => {
    const res = await query(sim(), { service: ["all"], start_time: "yesterday" });
    expect(res.status).toBe(400);
  });

  it("answers 400 for an empty fields list", async () => {
    const res = await query(sim(), { service: ["all"], start_time: DAY_AGO, fields: [] });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("fields must be a non-empty list of field names");
  });

  it("answers 400 for a search_after that is not [ms, id]", async () => {
    const res = await query(sim(), { service: ["all"], start_time: DAY_AGO, search_after: ["abc"] });
    expect(res.status).toBe(400);
  });
});

describe("the compliant preset's events", () => {
  it("returns the last 24 hours of routine events in ascending time order", async () => {
    const res = await query(sim(), { service: ["all"], start_time: DAY_AGO });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(46);
    const times = (res.body as Doc[]).map((e) => Date.parse(String(e.timestamp)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(res.headers.get("x-result-count")).toBe("46");
  });
});

describe("time window and service", () => {
  it("start_time is inclusive and end_time exclusive", async () => {
    setEvents([ev("e1", 0), ev("e2", 1), ev("e3", 2), ev("e4", 3)]);
    const res = await query(sim(), { service: ["all"], start_time: iso(1), end_time: iso(3) });
    expect(ids(res)).toEqual(["e2", "e3"]);
  });

  it("no end_time means up to now and beyond", async () => {
    setEvents([ev("e1", 0), ev("e2", 10_000)]);
    const res = await query(sim(), { service: ["all"], start_time: iso(0) });
    expect(ids(res)).toEqual(["e1", "e2"]);
  });

  it("filters by service; all means every service", async () => {
    setEvents([
      ev("e1", 0, { service: "sso" }),
      ev("e2", 1, { service: "directory", type: "admin_login_attempt" }),
      ev("e3", 2, { service: "radius", type: "radius_auth" }),
    ]);
    const start = iso(-1);
    expect(ids(await query(sim(), { service: ["directory"], start_time: start }))).toEqual(["e2"]);
    expect(ids(await query(sim(), { service: ["directory", "radius"], start_time: start }))).toEqual([
      "e2",
      "e3",
    ]);
    expect(ids(await query(sim(), { service: ["all"], start_time: start }))).toEqual(["e1", "e2", "e3"]);
  });
});

describe("search_term", () => {
  const seeded = () =>
    setEvents([
      ev("e1", 0, {
        type: "admin_login_attempt",
        service: "directory",
        success: false,
        actor: { email: "paul@example.com" },
      }),
      ev("e2", 1, {
        type: "admin_login_attempt",
        service: "directory",
        success: true,
        actor: { email: "anna@example.com" },
      }),
      ev("e3", 2, {
        type: "user_login_attempt",
        success: false,
        actor: { username: "paul", type: "systemuser" },
      }),
      ev("e4", 3, {
        type: "admin_update",
        service: "directory",
        success: true,
        actor: { email: "paul@example.com" },
      }),
      ev("e5", 4, { type: "radius_auth", service: "radius", success: false, extra: { username: "root" } }),
    ]);
  const search = async (search_term: unknown) => {
    const res = await query(sim(), { service: ["all"], start_time: iso(-1), search_term });
    expect(res.status).toBe(200);
    return ids(res);
  };

  it("and", async () => {
    seeded();
    expect(await search({ and: [{ event_type: "admin_login_attempt" }, { success: "false" }] })).toEqual([
      "e1",
    ]);
  });

  it("or", async () => {
    seeded();
    expect(await search({ or: [{ event_type: "admin_update" }, { username: "root" }] })).toEqual([
      "e4",
      "e5",
    ]);
  });

  it("not", async () => {
    seeded();
    expect(await search({ not: [{ service: "directory" }] })).toEqual(["e3", "e5"]);
  });

  it("nested terms and dotted fields (the documented example)", async () => {
    seeded();
    const term = {
      and: [{ success: "false" }, { or: [{ "initiated_by.username": "paul" }, { username: "root" }] }],
    };
    expect(await search(term)).toEqual(["e3", "e5"]);
  });

  it("an array lists any-of values", async () => {
    seeded();
    expect(await search({ and: [{ event_type: ["admin_login_attempt", "admin_update"] }] })).toEqual([
      "e1",
      "e2",
      "e4",
    ]);
  });

  it("booleans match as given or as text", async () => {
    seeded();
    expect(await search({ and: [{ success: false }, { service: "directory" }] })).toEqual(["e1"]);
  });

  it("stored values compare lowercase; query values are taken as given", async () => {
    setEvents([ev("e1", 0, { type: "Admin_Login_Attempt" })]);
    expect(await search({ and: [{ event_type: "admin_login_attempt" }] })).toEqual(["e1"]);
    expect(await search({ and: [{ event_type: "ADMIN_LOGIN_ATTEMPT" }] })).toEqual([]);
  });

  it("a field missing from an event does not match", async () => {
    seeded();
    expect(await search({ and: [{ "initiated_by.email": "paul@example.com" }] })).toEqual(["e1", "e4"]);
    expect(await search({ and: [{ nonexistent: "x" }] })).toEqual([]);
  });

  it.each([
    [
      "an operator object like $in",
      { and: [{ event_type: { $in: ["admin_update"] } }] },
      "Unsupported value",
    ],
    ["the unsearchable field changes", { and: [{ changes: "x" }] }, 'Field "changes" is not searchable'],
    [
      "an unsearchable nested field",
      { and: [{ "useragent.name": "chrome" }] },
      'Field "useragent.name" is not searchable',
    ],
    [
      "a field repeated in one list",
      { or: [{ username: "a" }, { username: "b" }] },
      'Field "username" cannot repeat',
    ],
    ["an unknown operator", { xor: [{ username: "a" }] }, 'Unsupported search_term operator "xor"'],
    ["two operators at once", { and: [], or: [] }, "exactly one of and, or, not"],
  ])("answers 400 for %s", async (_, search_term, message) => {
    const res = await query(sim(), { service: ["all"], start_time: iso(-1), search_term });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
  });

  it("the same field may appear in different (nested) lists", async () => {
    seeded();
    expect(
      await search({ and: [{ success: "false" }, { or: [{ success: "false" }, { username: "x" }] }] }),
    ).toEqual(["e1", "e3", "e5"]);
  });

  it("q is a full-text match", async () => {
    seeded();
    const res = await query(sim(), { service: ["all"], start_time: iso(-1), q: "ANNA@" });
    expect(ids(res)).toEqual(["e2"]);
  });
});

describe("sort, limit and headers", () => {
  it("sort DESC (case-insensitive) reverses the order and is echoed in X-Sort", async () => {
    setEvents([ev("e1", 0), ev("e2", 1), ev("e3", 2)]);
    const res = await query(sim(), { service: ["all"], start_time: iso(-1), sort: "desc" });
    expect(ids(res)).toEqual(["e3", "e2", "e1"]);
    expect(res.headers.get("x-sort")).toBe("DESC");
    const asc = await query(sim(), { service: ["all"], start_time: iso(-1) });
    expect(asc.headers.get("x-sort")).toBe("ASC");
  });

  it.each([0, -5, 10_001, 999_999])("limit %d is nonsensical: the default 1000 applies", async (limit) => {
    const res = await query(sim(), { service: ["all"], start_time: DAY_AGO, limit });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-limit")).toBe("1000");
    expect(res.body).toHaveLength(46);
  });

  it("a sensible limit is honoured and echoed", async () => {
    const res = await query(sim(), { service: ["all"], start_time: DAY_AGO, limit: 10_000 });
    expect(res.headers.get("x-limit")).toBe("10000");
    const small = await query(sim(), { service: ["all"], start_time: DAY_AGO, limit: 3 });
    expect(small.body).toHaveLength(3);
    expect(small.headers.get("x-limit")).toBe("3");
    expect(small.headers.get("x-result-count")).toBe("3");
  });

  it("skip is an offset into the result set", async () => {
    setEvents([ev("e1", 0), ev("e2", 1), ev("e3", 2), ev("e4", 3)]);
    const res = await query(sim(), { service: ["all"], start_time: iso(-1), skip: 1, limit: 2 });
    expect(ids(res)).toEqual(["e2", "e3"]);
  });

  it("X-Search_after is [ms, id] of the last event", async () => {
    setEvents([ev("e1", 0), ev("e2", 1)]);
    const res = await query(sim(), { service: ["all"], start_time: iso(-1) });
    expect(JSON.parse(res.headers.get("x-search_after") ?? "null")).toEqual([T0 + 60_000, "e2"]);
    expect(res.headers.get("x-request-id")).toMatch(/^sim-/);
  });

  it("every header is present on an empty result", async () => {
    setEvents([]);
    const res = await query(sim(), { service: ["all"], start_time: iso(-1) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expect(res.headers.get("x-result-count")).toBe("0");
    expect(res.headers.get("x-limit")).toBe("1000");
    expect(res.headers.get("x-sort")).toBe("ASC");
    expect(JSON.parse(res.headers.get("x-search_after") ?? "null")).toEqual([]);
  });

  it("fields projects each event", async () => {
    setEvents([ev("e1", 0, { actor: { username: "paul", type: "systemuser" } })]);
    const res = await query(sim(), {
      service: ["all"],
      start_time: iso(-1),
      fields: ["event_type", "initiated_by.username"],
    });
    expect(res.body).toEqual([{ event_type: "user_login_attempt", initiated_by: { username: "paul" } }]);
  });
});

describe("search_after paging", () => {
  /** 25 events at the same instant (ids out of order), plus one before and one after. */
  const crowd = () => {
    const same = Array.from({ length: 25 }, (_, i) => ev(`s${String((i * 7) % 25).padStart(2, "0")}`, 5));
    setEvents([ev("a-first", 0), ...same, ev("z-last", 9)]);
  };

  async function pages(sort: string): Promise<{ all: string[]; counts: string[] }> {
    const base = { service: ["all"], start_time: iso(-1), limit: 10, sort };
    const all: string[] = [];
    const counts: string[] = [];
    let searchAfter: unknown;
    for (let guard = 0; guard < 10; guard++) {
      const res = await query(sim(), searchAfter ? { ...base, search_after: searchAfter } : base);
      expect(res.status).toBe(200);
      all.push(...ids(res));
      counts.push(String(res.headers.get("x-result-count")));
      const header = res.headers.get("x-search_after");
      expect(header).not.toBeNull();
      searchAfter = JSON.parse(header as string);
      if (res.headers.get("x-result-count") !== res.headers.get("x-limit")) return { all, counts };
    }
    throw new Error("paging did not end");
  }

  it("pages ascending with no overlap and no gap when many events share a timestamp", async () => {
    crowd();
    const { all, counts } = await pages("ASC");
    const expected = [
      "a-first",
      ...Array.from({ length: 25 }, (_, i) => `s${String(i).padStart(2, "0")}`),
      "z-last",
    ];
    expect(all).toEqual(expected);
    expect(counts).toEqual(["10", "10", "7"]);
  });

  it("pages descending the same way", async () => {
    crowd();
    const { all } = await pages("DESC");
    expect(all).toEqual([
      "z-last",
      ...Array.from({ length: 25 }, (_, i) => `s${String(24 - i).padStart(2, "0")}`),
      "a-first",
    ]);
  });

  it("after the last page, an empty page still echoes X-Search_after", async () => {
    setEvents([ev("e1", 0), ev("e2", 1)]);
    const base = { service: ["all"], start_time: iso(-1), limit: 2 };
    const first = await query(sim(), base);
    expect(first.headers.get("x-result-count")).toBe("2");
    const cursor = JSON.parse(first.headers.get("x-search_after") as string);
    const next = await query(sim(), { ...base, search_after: cursor });
    expect(next.body).toEqual([]);
    expect(next.headers.get("x-result-count")).toBe("0");
    expect(JSON.parse(next.headers.get("x-search_after") as string)).toEqual(cursor);
  });
});

describe("POST /events/count", () => {
  it("counts the matching events, ignoring limit", async () => {
    const res = await query(
      sim(),
      {
        service: ["directory"],
        start_time: DAY_AGO,
        limit: 1,
        search_term: { and: [{ event_type: "admin_login_attempt" }] },
      },
      `${EVENTS}/count`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 4 });
  });

  it("validates like /events", async () => {
    const res = await query(sim(), { service: ["all"] }, `${EVENTS}/count`);
    expect(res.status).toBe(400);
  });
});

describe("retention: Directory Insights answers on every plan (notes §12.4)", () => {
  const DAY = 86_400_000;
  const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
  const since = (days: number) => daysAgo(days).toISOString();

  it.each(["free", "core"])("the %s plan answers 200 with at most 15 days of events", async (plan) => {
    const s = await startSimulator({ scenario: plan, now: () => NOW });
    try {
      const stored = orgOf(s).events.map((e) => Date.parse(String(e.timestamp)));
      const retained = stored.filter((t) => t >= NOW.getTime() - 15 * DAY).length;
      // The preset holds older events too, or this test could not fail.
      expect(stored.length).toBeGreaterThan(retained);
      const body = { service: ["all"], start_time: since(60), limit: 10_000 };
      const res = await query(s, body);
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(retained);
      const oldest = Math.min(...(res.body as Doc[]).map((e) => Date.parse(String(e.timestamp))));
      expect(oldest).toBeGreaterThanOrEqual(NOW.getTime() - 15 * DAY);
      const count = await query(s, body, `${EVENTS}/count`);
      expect(count.status).toBe(200);
      expect(count.body).toEqual({ count: retained });
    } finally {
      await s.close();
    }
  });

  it("the free plan keeps an event of 14 days ago and drops one of 16", async () => {
    const s = await startSimulator({ scenario: "free", now: () => NOW });
    try {
      orgOf(s).events = [
        insightsEvent("e14", ORG, { type: "user_login_attempt", at: daysAgo(14) }),
        insightsEvent("e16", ORG, { type: "user_login_attempt", at: daysAgo(16) }),
      ];
      expect(ids(await query(s, { service: ["all"], start_time: since(30) }))).toEqual(["e14"]);
    } finally {
      await s.close();
    }
  });

  it("paid plans keep 90 days", async () => {
    setEvents([
      insightsEvent("e89", ORG, { type: "user_login_attempt", at: daysAgo(89) }),
      insightsEvent("e91", ORG, { type: "user_login_attempt", at: daysAgo(91) }),
      insightsEvent("e16", ORG, { type: "user_login_attempt", at: daysAgo(16) }),
    ]);
    expect(ids(await query(sim(), { service: ["all"], start_time: "2000-01-01T00:00:00Z" }))).toEqual([
      "e89",
      "e16",
    ]);
  });
});

describe("recorded event shapes in the demo (notes §12.4)", () => {
  let demo: RunningSimulator;
  beforeAll(async () => {
    demo = await startSimulator({ scenario: "demo", now: () => NOW });
  });
  afterAll(async () => {
    await demo.close();
  });
  const search = async (search_term: unknown, start = DAY_AGO) => {
    const res = await query(demo, { service: ["all"], start_time: start, limit: 10_000, search_term });
    expect(res.status).toBe(200);
    return res.body as Doc[];
  };

  it("failed RADIUS logins are radius_auth_attempt with success false and the RADIUS fields", async () => {
    const failed = await search({ and: [{ event_type: "radius_auth_attempt" }, { success: "false" }] });
    expect(failed).toHaveLength(2);
    for (const e of failed) {
      expect(e.service).toBe("radius");
      expect(e).toMatchObject({ nas_mfa_state: "ENABLED", auth_type: "pap" });
      expect(typeof e.username).toBe("string");
    }
    expect(await search({ and: [{ event_type: "radius_auth" }] })).toEqual([]);
  });

  it("sso_auth has no success field: the outcome is sso_token_success, searchable as a string", async () => {
    const all = await search({ and: [{ event_type: "sso_auth" }] });
    expect(all.length).toBeGreaterThan(2);
    for (const e of all) {
      expect("success" in e).toBe(false);
      expect(typeof e.sso_token_success).toBe("boolean");
      expect(e.service).toBe("sso");
      expect((e.auth_context as Doc).policies_applied).toEqual([
        {
          id: expect.any(String),
          name: expect.any(String),
          metadata: { resource_type: "application", action: "allow" },
        },
      ]);
    }
    const failed = await search({ and: [{ sso_token_success: "false" }] });
    expect(failed.map((e) => e.event_type)).toEqual(["sso_auth", "sso_auth"]);
    const methods = await search({
      and: [{ event_type: "sso_auth" }, { "auth_context.auth_methods.totp.success": "false" }],
    });
    expect(methods).toHaveLength(2);
  });

  it("admin_login_attempt: initiated_by {id, type admin, email}, mfa, useragent; no resource, no mfa_meta", async () => {
    const logins = await search({ and: [{ event_type: "admin_login_attempt" }] });
    expect(logins).toHaveLength(10);
    for (const e of logins) {
      expect(e.service).toBe("directory");
      expect(Object.keys(e.initiated_by as Doc).sort()).toEqual(["email", "id", "type"]);
      expect((e.initiated_by as Doc).type).toBe("admin");
      expect(typeof e.mfa).toBe("boolean");
      expect(typeof e.success).toBe("boolean");
      expect(e.useragent).toBeTypeOf("object");
      expect("resource" in e).toBe(false);
      expect("mfa_meta" in e).toBe(false);
    }
  });

  it("user_login_attempt is a directory event; geoip has country_code, not country_code2", async () => {
    const logins = await search({ and: [{ event_type: "user_login_attempt" }] });
    expect(logins.length).toBeGreaterThan(0);
    for (const e of logins) expect(e.service).toBe("directory");
    const all = await search(undefined, "2000-01-01T00:00:00Z");
    for (const e of all) {
      expect((e.geoip as Doc).country_code).toBe("US");
      expect("country_code2" in (e.geoip as Doc)).toBe(false);
    }
    expect(await search({ and: [{ "geoip.country_code": "us" }] })).toHaveLength(
      (await search(undefined)).length,
    );
  });

  it("policy events carry resource.policy_template_name; changes are made with auth_method session", async () => {
    const updates = await search({ and: [{ "resource.policy_template_name": "lock_screen_darwin" }] });
    expect(updates.map((e) => e.event_type)).toEqual(["policy_update"]);
    expect(updates[0]?.changes).toEqual([{ field: "values", from: "300", to: "900" }]);
    const bySession = await search({ and: [{ auth_method: "session" }] });
    expect(bySession.map((e) => e.event_type).sort()).toEqual([
      "admin_totp_disable",
      "admin_update",
      "authpolicy_update",
      "iplist_update",
      "organization_update",
      "policy_update",
    ]);
  });

  it("event types absent from the documented list are served like any other", async () => {
    const unknown = await search({ and: [{ event_type: ["command_result", "policy_result", "ldap_srch"] }] });
    expect(new Set(unknown.map((e) => e.event_type))).toEqual(
      new Set(["command_result", "policy_result", "ldap_srch"]),
    );
  });
});
