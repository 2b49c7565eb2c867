/** The HTTP server (sim/server.ts): organization selection (single and multi-tenant) and the request log. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hardenedOrg } from "../../sim/presets/compliant.js";
import type { Doc } from "../../sim/query.js";
import { DEFAULT_SIM_API_KEY, type Scenario } from "../../sim/scenario.js";
import { type RunningSimulator, resolveScenario, startSimulator } from "../../sim/server.js";
import { call, freshSimulator, NOW, orgOf } from "./support.js";

const ORG_A = "5f00000000000000000000a1";
const ORG_B = "5f00000000000000000000a2";

function mspScenario(): Scenario {
  return {
    name: "msp",
    plan: "platform",
    apiKey: DEFAULT_SIM_API_KEY,
    organizations: [
      hardenedOrg(NOW, { name: "Tenant A", orgId: ORG_A, users: 3, systems: 2 }),
      hardenedOrg(NOW, { name: "Tenant B", orgId: ORG_B, users: 5, systems: 4 }),
    ],
  };
}

describe("multi-tenant key (two organizations)", () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ scenario: mspScenario(), now: () => NOW });
  });
  afterEach(async () => {
    await sim.close();
  });

  it("an org-scoped route without x-org-id answers 401", async () => {
    const res = await call(sim, "GET", "/api/systemusers");
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      code: 401,
      message: "ID not included for multi-tenant admin",
      status: "Unauthorized",
    });
  });

  it("x-org-id selects that organization's data", async () => {
    const a = await call(sim, "GET", "/api/systemusers", { headers: { "x-org-id": ORG_A } });
    const b = await call(sim, "GET", "/api/systems", { headers: { "x-org-id": ORG_B } });
    expect(a.status).toBe(200);
    expect(a.body.totalCount).toBe(3);
    expect(a.body.results.every((u: Doc) => u.organization === ORG_A)).toBe(true);
    expect(b.body.totalCount).toBe(4);
    expect(b.body.results.every((s: Doc) => s.organization === ORG_B)).toBe(true);
  });

  it("a write with x-org-id changes only that organization", async () => {
    const [a, b] = [orgOf(sim, 0), orgOf(sim, 1)];
    const id = b.admins[1]?._id;
    (b.admins[1] as Doc).enableMultiFactor = false;
    (a.admins[1] as Doc).enableMultiFactor = false;
    const res = await call(sim, "PUT", `/api/users/${id}`, {
      headers: { "x-org-id": ORG_B },
      body: { enableMultiFactor: true },
    });
    expect(res.status).toBe(200);
    expect(b.admins[1]?.enableMultiFactor).toBe(true);
    expect(a.admins[1]?.enableMultiFactor).toBe(false);
  });

  it("x-org-id also selects the organization for Directory Insights", async () => {
    orgOf(sim, 1).events = [];
    const body = { service: ["all"], start_time: new Date(NOW.getTime() - 86_400_000).toISOString() };
    const a = await call(sim, "POST", "/insights/directory/v1/events/count", {
      headers: { "x-org-id": ORG_A },
      body,
    });
    const b = await call(sim, "POST", "/insights/directory/v1/events/count", {
      headers: { "x-org-id": ORG_B },
      body,
    });
    expect(a.body).toEqual({ count: 46 });
    expect(b.body).toEqual({ count: 0 });
  });

  it("a malformed x-org-id answers 400", async () => {
    const res = await call(sim, "GET", "/api/systemusers", { headers: { "x-org-id": "tenant-a" } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 400, message: "Malformed ID", status: "Bad Request", details: [] });
  });

  it("an unknown x-org-id answers 404", async () => {
    const res = await call(sim, "GET", "/api/systemusers", {
      headers: { "x-org-id": "5f00000000000000000000a9" },
    });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, message: "Organization ID Not Found", status: "Not Found" });
  });

  it("/api/organizations lists both organizations without x-org-id", async () => {
    const res = await call(sim, "GET", "/api/organizations");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      totalCount: 2,
      results: [
        { _id: ORG_A, displayName: "Tenant A" },
        { _id: ORG_B, displayName: "Tenant B" },
      ],
    });
  });

  it("/api/organizations/{id} works without x-org-id", async () => {
    const res = await call(sim, "GET", `/api/organizations/${ORG_B}?fields=displayName`);
    expect(res.body).toEqual({ _id: ORG_B, displayName: "Tenant B" });
  });
});

describe("single-tenant key and x-org-id", () => {
  const sim = freshSimulator();

  it("x-org-id is optional, and accepted when it names the organization", async () => {
    const res = await call(sim(), "GET", "/api/systemusers?limit=1", {
      headers: { "x-org-id": "5f0000000000000000000001" },
    });
    expect(res.status).toBe(200);
    expect(res.body.totalCount).toBe(24);
  });

  it("x-org-id naming another organization answers 404", async () => {
    const res = await call(sim(), "GET", "/api/systemusers", { headers: { "x-org-id": ORG_A } });
    expect(res.status).toBe(404);
  });
});

describe("request log", () => {
  const sim = freshSimulator();

  it("records seq, method, path, query, status, orgId and time", async () => {
    await call(sim(), "GET", "/api/systemusers?limit=2");
    await call(sim(), "GET", "/api/systems", { headers: { "x-org-id": "5f0000000000000000000001" } });
    await call(sim(), "GET", "/api/systems", { headers: { "x-api-key": "wrong" } });
    expect(sim().requests).toEqual([
      {
        seq: 1,
        method: "GET",
        path: "/api/systemusers",
        query: "?limit=2",
        orgId: undefined,
        status: 200,
        write: false,
        fault: undefined,
        body: undefined,
        at: NOW.toISOString(),
      },
      expect.objectContaining({
        seq: 2,
        path: "/api/systems",
        orgId: "5f0000000000000000000001",
        status: 200,
      }),
      expect.objectContaining({ seq: 3, path: "/api/systems", status: 401 }),
    ]);
  });

  it("write is true only for non-GET requests outside Insights; writes() returns them", async () => {
    const admin = orgOf(sim()).admins[0]?._id;
    const policy = orgOf(sim()).authnPolicies[0]?.id;
    await call(sim(), "GET", "/api/users");
    await call(sim(), "PUT", `/api/users/${admin}`, { body: { enableMultiFactor: true } });
    await call(sim(), "POST", "/insights/directory/v1/events", {
      body: { service: ["all"], start_time: NOW.toISOString() },
    });
    await call(sim(), "PATCH", `/api/v2/authn/policies/${policy}`, { body: { disabled: false } });
    await call(sim(), "DELETE", "/api/v2/iplists/5f0000060000000000000999");
    expect(sim().requests.map((r) => [r.method, r.write])).toEqual([
      ["GET", false],
      ["PUT", true],
      ["POST", false],
      ["PATCH", true],
      ["DELETE", true],
    ]);
    expect(
      sim()
        .writes()
        .map((r) => [r.seq, r.method, r.status]),
    ).toEqual([
      [2, "PUT", 200],
      [4, "PATCH", 200],
      [5, "DELETE", 404],
    ]);
  });

  it("masks secrets in logged bodies (the stored value is untouched)", async () => {
    const radius = orgOf(sim()).radiusServers[0] as Doc;
    await call(sim(), "PUT", `/api/radiusservers/${radius._id}`, {
      body: { name: "Office Wi-Fi", networkSourceIp: "203.0.113.1", sharedSecret: "s3cret-value-xyz" },
    });
    const [logged] = sim().requests;
    expect(logged?.status).toBe(200);
    expect(logged?.body).toEqual({
      name: "Office Wi-Fi",
      networkSourceIp: "203.0.113.1",
      sharedSecret: "[REDACTED]",
    });
    expect(JSON.stringify(sim().requests)).not.toContain("s3cret-value-xyz");
    expect(radius.sharedSecret).toBe("s3cret-value-xyz");
  });

  it("logs the (masked) body of a request that a fault or a bad key stopped", async () => {
    const radius = orgOf(sim()).radiusServers[0] as Doc;
    sim().faults.add({ kind: "rate-limit", path: "/api/radiusservers/*", times: 1 });
    const body = { name: "Office Wi-Fi", networkSourceIp: "203.0.113.1", sharedSecret: "s3cret-value-xyz" };
    await call(sim(), "PUT", `/api/radiusservers/${radius._id}`, { body });
    await call(sim(), "PUT", `/api/radiusservers/${radius._id}`, { body, headers: { "x-api-key": "wrong" } });
    const masked = { ...body, sharedSecret: "[REDACTED]" };
    expect(sim().requests.map((r) => [r.status, r.fault, r.body])).toEqual([
      [429, "rate-limit", masked],
      [401, undefined, masked],
    ]);
  });

  it("a malformed percent-escape in the path answers 400 and is logged", async () => {
    const res = await call(sim(), "GET", "/api/systemusers/%E0%A4%A");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 400,
      message: 'Malformed path segment "%E0%A4%A"',
      status: "Bad Request",
      details: [],
    });
    expect(sim().requests.map((r) => r.status)).toEqual([400]);
  });

  it("masks password-like fields at any depth", async () => {
    const admin = orgOf(sim()).admins[0]?._id;
    await call(sim(), "PUT", `/api/users/${admin}`, {
      body: { growthData: { nested: [{ password: "hunter2", keep: "yes" }] } },
    });
    expect(sim().requests[0]?.body).toEqual({
      growthData: { nested: [{ password: "[REDACTED]", keep: "yes" }] },
    });
  });

  it("peakInFlight is 1 for sequential requests", async () => {
    for (let i = 0; i < 3; i++) await call(sim(), "GET", "/api/systems");
    expect(sim().peakInFlight()).toBe(1);
  });

  it("concurrent requests get distinct sequence numbers and raise peakInFlight", async () => {
    sim().faults.add({ kind: "delay", ms: 150, path: "/api/systems" });
    const answers = await Promise.all(Array.from({ length: 4 }, () => call(sim(), "GET", "/api/systems")));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(sim().peakInFlight()).toBe(4);
    expect(
      sim()
        .requests.map((r) => r.seq)
        .sort(),
    ).toEqual([1, 2, 3, 4]);
    expect(sim().requests.map((r) => r.fault)).toEqual(["delay", "delay", "delay", "delay"]);
  });
});

describe("resolveScenario", () => {
  it("builds presets, validates objects and rejects unknown names", () => {
    expect(resolveScenario("compliant", NOW).name).toBe("compliant");
    expect(resolveScenario(undefined, NOW).name).toBe("demo");
    expect(resolveScenario(mspScenario(), NOW).organizations).toHaveLength(2);
    expect(() => resolveScenario("nope", NOW)).toThrow(
      'Unknown scenario "nope": use one of compliant, demo, large, free, core, legacy or a path to a .json file',
    );
  });

  it("validates scenario objects", () => {
    const bad = { ...mspScenario(), organizations: [] };
    expect(() => resolveScenario(bad, NOW)).toThrow(
      "Invalid scenario: organizations: a scenario needs at least one organization",
    );
  });
});
