/** Fault injection (sim/faults.ts), alone and through the running server. */
import { describe, expect, it } from "vitest";
import { FaultInjector } from "../../sim/faults.js";
import type { Doc } from "../../sim/query.js";
import { startSimulator } from "../../sim/server.js";
import { call, freshSimulator, NOW, orgOf } from "./support.js";

describe("FaultInjector", () => {
  it("matches method (any case) and exact paths", () => {
    const faults = new FaultInjector().add({
      kind: "status",
      status: 503,
      method: "put",
      path: "/api/systems",
    });
    expect(faults.take("GET", "/api/systems")).toBeUndefined();
    expect(faults.take("PUT", "/api/systems/1")).toBeUndefined();
    expect(faults.take("PUT", "/api/systems")).toMatchObject({ kind: "status", status: 503 });
  });

  it("* matches exactly one segment, ** the rest", () => {
    const one = new FaultInjector().add({ kind: "malformed", path: "/api/v2/iplists/*" });
    expect(one.take("GET", "/api/v2/iplists/abc")).toBeDefined();
    expect(one.take("GET", "/api/v2/iplists")).toBeUndefined();
    expect(one.take("GET", "/api/v2/iplists/abc/more")).toBeUndefined();
    const rest = new FaultInjector().add({ kind: "malformed", path: "/api/**" });
    expect(rest.take("GET", "/api/v2/iplists/abc/more")).toBeDefined();
    expect(rest.take("GET", "/insights/directory/v1/events")).toBeUndefined();
  });

  it("does not treat other regex characters in the path as patterns", () => {
    const faults = new FaultInjector().add({ kind: "malformed", path: "/api/v2.x" });
    expect(faults.take("GET", "/api/v2Ax")).toBeUndefined();
    expect(faults.take("GET", "/api/v2.x")).toBeDefined();
  });

  it("skip lets requests through first, times bounds how often it applies", () => {
    const faults = new FaultInjector().add({ kind: "rate-limit", path: "/a", skip: 2, times: 2 });
    expect([1, 2, 3, 4, 5, 6].map(() => faults.take("GET", "/a")?.kind)).toEqual([
      undefined,
      undefined,
      "rate-limit",
      "rate-limit",
      undefined,
      undefined,
    ]);
  });

  it("the first due rule wins; an exhausted rule gives way to the next", () => {
    const faults = new FaultInjector()
      .add({ kind: "status", status: 500, path: "/a", times: 1 })
      .add({ kind: "status", status: 502, path: "/a" });
    expect([1, 2, 3].map(() => (faults.take("GET", "/a") as { status: number } | undefined)?.status)).toEqual(
      [500, 502, 502],
    );
  });

  it("atSkip matches only the page at that offset (absent skip = 0), and unmatched pages do not count", () => {
    const faults = new FaultInjector().add({ kind: "empty-page", path: "/a", atSkip: 100, times: 1 });
    const at = (skip?: string) => faults.take("GET", "/a", new URLSearchParams(skip ? { skip } : {}))?.kind;
    expect([at(), at("0"), at("200"), at("100"), at("100")]).toEqual([
      undefined,
      undefined,
      undefined,
      "empty-page",
      undefined,
    ]);
    const first = new FaultInjector().add({ kind: "empty-page", path: "/a", atSkip: 0 });
    expect(first.take("GET", "/a", new URLSearchParams())?.kind).toBe("empty-page");
  });

  it("revokeKeyAfter(n): the (n+1)th request is refused; clear() restores the key and drops rules", () => {
    const faults = new FaultInjector().add({ kind: "malformed", path: "/a" });
    faults.keyRevoked();
    faults.revokeKeyAfter(2);
    expect([1, 2, 3, 4].map(() => faults.keyRevoked())).toEqual([false, false, true, true]);
    faults.clear();
    expect(faults.keyRevoked()).toBe(false);
    expect(faults.take("GET", "/a")).toBeUndefined();
  });
});

describe("faults through the server", () => {
  const sim = freshSimulator();

  it("rate-limit answers 429 without Retry-After by default", async () => {
    sim().faults.add({ kind: "rate-limit", path: "/api/systemusers" });
    const res = await call(sim(), "GET", "/api/systemusers");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    expect(res.body).toEqual({ code: 429, message: "Injected fault", status: "Too Many Requests" });
  });

  it("rate-limit sends Retry-After when given", async () => {
    sim().faults.add({ kind: "rate-limit", path: "/api/systemusers", retryAfterSeconds: 7 });
    const res = await call(sim(), "GET", "/api/systemusers");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
  });

  it("status answers that status with an error body", async () => {
    sim().faults.add({ kind: "status", status: 503, path: "/api/v2/policies" });
    const res = await call(sim(), "GET", "/api/v2/policies");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ code: 503, message: "Injected fault", status: "Service Unavailable" });
  });

  it("skip and times shape the sequence of answers; other paths are unaffected", async () => {
    sim().faults.add({ kind: "status", status: 503, path: "/api/systems", skip: 1, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(sim(), "GET", "/api/systems")).status);
    expect(statuses).toEqual([200, 503, 503, 200]);
    expect((await call(sim(), "GET", "/api/systemusers")).status).toBe(200);
  });

  it("a method-specific rule leaves other methods alone", async () => {
    sim().faults.add({ kind: "status", status: 500, method: "PATCH", path: "/api/v2/authn/policies/*" });
    const id = orgOf(sim()).authnPolicies[0]?.id;
    expect((await call(sim(), "GET", `/api/v2/authn/policies/${id}`)).status).toBe(200);
    const patch = await call(sim(), "PATCH", `/api/v2/authn/policies/${id}`, { body: { disabled: true } });
    expect(patch.status).toBe(500);
    expect(orgOf(sim()).authnPolicies[0]?.disabled).toBe(false);
  });

  it("** covers a whole API family", async () => {
    sim().faults.add({ kind: "status", status: 502, path: "/api/v2/**" });
    expect((await call(sim(), "GET", "/api/v2/ldapservers")).status).toBe(502);
    expect((await call(sim(), "GET", "/api/v2/policies/abc/policystatuses")).status).toBe(502);
    expect((await call(sim(), "GET", "/api/systems")).status).toBe(200);
  });

  it("delay answers normally and is logged", async () => {
    sim().faults.add({ kind: "delay", ms: 20, path: "/api/systems" });
    const res = await call(sim(), "GET", "/api/systems");
    expect(res.status).toBe(200);
    expect(res.body.totalCount).toBe(9);
    expect(sim().requests.map((r) => [r.status, r.fault])).toEqual([[200, "delay"]]);
  });

  it("drop closes the connection without answering, and the write does not happen", async () => {
    const admin = orgOf(sim()).admins[1] as Doc;
    admin.enableMultiFactor = false;
    sim().faults.add({ kind: "drop", path: "/api/users/*" });
    await expect(
      call(sim(), "PUT", `/api/users/${admin._id}`, { body: { enableMultiFactor: true } }),
    ).rejects.toThrow();
    expect(admin.enableMultiFactor).toBe(false);
    expect(sim().requests.map((r) => [r.status, r.fault, r.write])).toEqual([[0, "drop", true]]);
  });

  it("drop with afterWrite: the write happens, then the connection is dropped", async () => {
    const admin = orgOf(sim()).admins[1] as Doc;
    admin.enableMultiFactor = false;
    sim().faults.add({ kind: "drop", afterWrite: true, path: "/api/users/*", times: 1 });
    await expect(
      call(sim(), "PUT", `/api/users/${admin._id}`, { body: { enableMultiFactor: true } }),
    ).rejects.toThrow();
    expect(admin.enableMultiFactor).toBe(true);
    expect(sim().requests.map((r) => [r.status, r.fault])).toEqual([[0, "drop"]]);
    expect(sim().writes()).toHaveLength(1);
    // The next request is answered normally.
    expect((await call(sim(), "GET", "/api/users")).status).toBe(200);
  });

  it("malformed answers 200 with a body that is not JSON", async () => {
    sim().faults.add({ kind: "malformed", path: "/api/systemusers" });
    const res = await fetch(`${sim().url}/api/systemusers`, { headers: { "x-api-key": sim().apiKey } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it("revokeKeyAfter(2): the third request answers 401; clear() restores the key", async () => {
    sim().faults.revokeKeyAfter(2);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(sim(), "GET", "/api/systems")).status);
    expect(statuses).toEqual([200, 200, 401, 401]);
    sim().faults.clear();
    expect((await call(sim(), "GET", "/api/systems")).status).toBe(200);
  });

  it("clear() removes the rules", async () => {
    sim().faults.add({ kind: "status", status: 503, path: "/api/systems" });
    expect((await call(sim(), "GET", "/api/systems")).status).toBe(503);
    sim().faults.clear();
    expect((await call(sim(), "GET", "/api/systems")).status).toBe(200);
  });
});

describe("inconsistent list pages through the server", () => {
  const sim = freshSimulator();
  const users = (query: string) => call(sim(), "GET", `/api/systemusers?sort=_id&limit=10&${query}`);
  const templates = (query: string) => call(sim(), "GET", `/api/v2/policytemplates?sort=id&limit=5&${query}`);
  const ids = (docs: { _id?: string; id?: string }[]) => docs.map((d) => d._id ?? d.id);

  it("empty-page: no items, the real total still reported (v1 and v2)", async () => {
    sim().faults.add({ kind: "empty-page", path: "/api/systemusers", atSkip: 10 });
    sim().faults.add({ kind: "empty-page", path: "/api/v2/policytemplates", atSkip: 5 });
    expect((await users("skip=0")).body.results).toHaveLength(10);
    expect((await users("skip=10")).body).toEqual({ totalCount: 24, results: [] });
    const v2 = await templates("skip=5");
    expect([v2.body, v2.headers.get("x-total-count")]).toEqual([[], "12"]);
    expect(sim().requests.map((r) => r.fault)).toEqual([undefined, "empty-page", "empty-page"]);
  });

  it("short-page drops the last items (1 by default)", async () => {
    sim().faults.add({ kind: "short-page", path: "/api/systemusers", atSkip: 0, times: 1 });
    sim().faults.add({ kind: "short-page", drop: 3, path: "/api/systemusers", atSkip: 0 });
    const full = ids(orgOf(sim()).systemUsers.slice(0, 10) as { _id: string }[]);
    expect(ids((await users("skip=0")).body.results)).toEqual(full.slice(0, 9));
    const short = await users("skip=0");
    expect([ids(short.body.results), short.body.totalCount]).toEqual([full.slice(0, 7), 24]);
  });

  it("repeat-page answers another offset's page; the log keeps the skip that was asked", async () => {
    sim().faults.add({ kind: "repeat-page", path: "/api/systemusers", atSkip: 10 });
    sim().faults.add({ kind: "repeat-page", of: 5, path: "/api/v2/policytemplates", atSkip: 10 });
    expect(ids((await users("skip=10")).body.results)).toEqual(ids((await users("skip=0")).body.results));
    expect(ids((await templates("skip=10")).body)).toEqual(ids((await templates("skip=5")).body));
    expect(new URLSearchParams(sim().requests[0]?.query).get("skip")).toBe("10");
  });

  it("total: a lying totalCount / X-Total-Count, or none at all", async () => {
    sim().faults.add({ kind: "total", total: 99, path: "/api/systemusers", times: 1 });
    sim().faults.add({ kind: "total", total: null, path: "/api/systemusers" });
    sim().faults.add({ kind: "total", total: 7, path: "/api/v2/policytemplates", times: 1 });
    sim().faults.add({ kind: "total", total: null, path: "/api/v2/policytemplates" });
    expect((await users("skip=0")).body.totalCount).toBe(99);
    const none = await users("skip=0");
    expect(Object.keys(none.body)).toEqual(["results"]);
    expect(none.body.results).toHaveLength(10);
    expect((await templates("skip=0")).headers.get("x-total-count")).toBe("7");
    const noHeader = await templates("skip=0");
    expect([noHeader.headers.get("x-total-count"), noHeader.body.length]).toEqual([null, 5]);
  });

  it("result-count: a lying X-Result-Count on a Directory Insights page, or none", async () => {
    const query = { service: ["all"], start_time: "2026-11-01T00:00:00Z", limit: 10 };
    sim().faults.add({ kind: "result-count", count: 3, path: "/insights/directory/v1/events", times: 1 });
    sim().faults.add({ kind: "result-count", count: null, path: "/insights/directory/v1/events" });
    const lying = await call(sim(), "POST", "/insights/directory/v1/events", { body: query });
    expect([lying.status, lying.body.length, lying.headers.get("x-result-count")]).toEqual([200, 10, "3"]);
    const none = await call(sim(), "POST", "/insights/directory/v1/events", { body: query });
    expect([none.body.length, none.headers.get("x-result-count"), none.headers.get("x-limit")]).toEqual([
      10,
      null,
      "10",
    ]);
  });

  it("page faults leave errors and single resources alone", async () => {
    sim().faults.add({ kind: "empty-page", path: "/api/systemusers/*" });
    sim().faults.add({ kind: "total", total: null, path: "/api/systemusers" });
    const id = orgOf(sim()).systemUsers[0]?._id as string;
    expect((await call(sim(), "GET", `/api/systemusers/${id}`)).body._id).toBe(id);
    const refused = await call(sim(), "GET", "/api/systemusers", {
      headers: { "x-api-key": "wrong-key-000" },
    });
    expect([refused.status, refused.body.message]).toEqual([401, "Unauthorized"]);
  });
});

it("faults given at start are active from the first request", async () => {
  const sim = await startSimulator({
    scenario: "compliant",
    now: () => NOW,
    faults: [{ kind: "rate-limit", path: "/api/systems", times: 1, retryAfterSeconds: 1 }],
  });
  try {
    expect((await call(sim, "GET", "/api/systems")).status).toBe(429);
    expect((await call(sim, "GET", "/api/systems")).status).toBe(200);
  } finally {
    await sim.close();
  }
});
