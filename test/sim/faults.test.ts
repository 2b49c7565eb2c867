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
