import { afterEach, describe, expect, it } from "vitest";
import type { Doc } from "../../../sim/query.js";
import { collect, recordingLogger, rejection, simClient, useSimulator } from "../../helpers/simulator.js";

const sim = useSimulator({ scenario: "compliant" });
const ADMIN_ID = "5f0000010000000000000002";
const to = (path: string) => sim().requests.filter((r) => r.path === path);

afterEach(() => {
  sim().faults.clear();
  sim().requests.length = 0;
});

describe("retries of reads", () => {
  it("retries a 429 with Retry-After after the server's delay", async () => {
    sim().faults.add({ kind: "rate-limit", retryAfterSeconds: 1, path: "/api/systemusers", times: 1 });
    const logger = recordingLogger();
    const users = await collect(simClient(sim(), { logger }).v1List<Doc>("/api/systemusers"));
    expect(users).toHaveLength(24);
    expect(to("/api/systemusers").map((r) => r.status)).toEqual([429, 200]);
    const retry = logger.lines.find((l) => l.message === "Retrying JumpCloud request");
    expect(retry?.attributes).toMatchObject({ status: 429, attempt: 2, delayMs: 1000 });
  });

  it("caps a long Retry-After", async () => {
    sim().faults.add({ kind: "rate-limit", retryAfterSeconds: 3600, path: "/api/systemusers", times: 1 });
    const logger = recordingLogger();
    const client = simClient(sim(), { logger, retry: { retryAfterCapMs: 50 } });
    await collect(client.v1List<Doc>("/api/systemusers"));
    expect(logger.lines.find((l) => l.message === "Retrying JumpCloud request")?.attributes?.delayMs).toBe(
      50,
    );
  });

  it("backs off exponentially with jitter when a 429 has no Retry-After", async () => {
    sim().faults.add({ kind: "rate-limit", path: "/api/systemusers", times: 3 });
    const logger = recordingLogger();
    const client = simClient(sim(), { logger, retry: { baseDelayMs: 8, maxDelayMs: 1000 } });
    await collect(client.v1List<Doc>("/api/systemusers"));
    const delays = logger.lines
      .filter((l) => l.message === "Retrying JumpCloud request")
      .map((l) => l.attributes?.delayMs as number);
    expect(delays).toHaveLength(3);
    // Step n waits between half and all of base·2^(n-1).
    delays.forEach((delay, n) => {
      expect(delay).toBeGreaterThanOrEqual(4 * 2 ** n);
      expect(delay).toBeLessThanOrEqual(8 * 2 ** n);
    });
    expect(client.stats()).toMatchObject({ requests: 4, retries: 3 });
  });

  it("recovers from 5xx then success", async () => {
    sim().faults.add({ kind: "status", status: 503, path: "/api/v2/iplists", times: 2 });
    const lists = await collect(simClient(sim()).v2List<Doc>("/api/v2/iplists"));
    expect(lists).toHaveLength(1);
    expect(to("/api/v2/iplists").map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("gives a typed SERVER_ERROR after bounded attempts on persistent 5xx", async () => {
    sim().faults.add({ kind: "status", status: 500, path: "/api/systems" });
    const error = await rejection(
      collect(simClient(sim(), { retry: { maxAttempts: 3 } }).v1List("/api/systems")),
    );
    expect(error).toMatchObject({ code: "SERVER_ERROR", method: "GET", path: "/api/systems", status: 500 });
    expect(to("/api/systems")).toHaveLength(3);
  });

  it("gives RATE_LIMITED after bounded attempts on persistent 429", async () => {
    sim().faults.add({ kind: "rate-limit", path: "/api/systems" });
    const error = await rejection(
      collect(simClient(sim(), { retry: { maxAttempts: 2 } }).v1List("/api/systems")),
    );
    expect(error).toMatchObject({ code: "RATE_LIMITED", status: 429 });
    expect(to("/api/systems")).toHaveLength(2);
  });

  it("retries a dropped connection on a read", async () => {
    sim().faults.add({ kind: "drop", path: "/api/organizations/*", times: 1 });
    const org = await simClient(sim()).get<Doc>("/api/organizations/5f0000000000000000000001");
    expect(org.displayName).toBe("Acme Secure");
    expect(to("/api/organizations/5f0000000000000000000001").map((r) => r.status)).toEqual([0, 200]);
  });

  it("retries Directory Insights queries, which are reads sent as POST", async () => {
    sim().faults.add({ kind: "status", status: 502, path: "/insights/directory/v1/events/count", times: 1 });
    const count = await simClient(sim()).insightsCount({
      service: ["all"],
      start_time: new Date(Date.now() - 86_400_000 * 2).toISOString(),
    });
    expect(count).toBeGreaterThan(0);
    expect(to("/insights/directory/v1/events/count").map((r) => r.status)).toEqual([502, 200]);
  });

  it("reports malformed JSON as MALFORMED_RESPONSE without retrying", async () => {
    sim().faults.add({ kind: "malformed", path: "/api/systemusers", times: 1 });
    const error = await rejection(collect(simClient(sim()).v1List("/api/systemusers")));
    expect(error).toMatchObject({ code: "MALFORMED_RESPONSE", path: "/api/systemusers" });
    expect(to("/api/systemusers")).toHaveLength(1);
  });
});

describe("errors that are not retried", () => {
  it("401: API key rejected; rotate the secret", async () => {
    const error = await rejection(
      collect(simClient(sim(), { apiKey: "wrong-key-000000" }).v1List("/api/users")),
    );
    expect(error).toMatchObject({ code: "AUTH_REJECTED", status: 401, method: "GET", path: "/api/users" });
    expect(error.message).toMatch(/API key rejected; rotate the secret/);
    expect(to("/api/users")).toHaveLength(1);
  });

  it("401 mid-paging when the key is revoked after N requests", async () => {
    sim().scenario.organizations[0]?.systemUsers.push(
      ...Array.from({ length: 300 }, (_, i) => ({
        _id: (0x5fd00000 + i).toString(16).padEnd(24, "0"),
        username: `u${i}`,
      })),
    );
    sim().faults.revokeKeyAfter(2);
    const error = await rejection(
      collect(simClient(sim(), { maxConcurrency: 1 }).v1List("/api/systemusers")),
    );
    expect(error).toMatchObject({ code: "AUTH_REJECTED" });
    sim().scenario.organizations[0]?.systemUsers.splice(24);
  });

  it.each([
    ["free", "/api/v2/authn/policies", "FORBIDDEN", 403],
    ["core", "/api/v2/iplists", "FORBIDDEN", 403],
  ])("plan %s: %s → %s", async (_plan, path, code, status) => {
    sim().scenario.plan = _plan as "free";
    try {
      const error = await rejection(collect(simClient(sim()).v2List(path)));
      expect(error).toMatchObject({ code, status });
      expect(to(path)).toHaveLength(1);
    } finally {
      sim().scenario.plan = "platform";
    }
  });

  it("402 on Directory Insights is NOT_ON_PLAN", async () => {
    // Directory Insights answers on every plan (notes §12.4), so the 402 is injected.
    sim().faults.add({ kind: "status", status: 402, path: "/insights/directory/v1/events/count" });
    const error = await rejection(
      simClient(sim()).insightsCount({ service: ["all"], start_time: new Date().toISOString() }),
    );
    expect(error).toMatchObject({ code: "NOT_ON_PLAN", status: 402 });
  });

  it("404 is NOT_FOUND", async () => {
    const error = await rejection(simClient(sim()).get("/api/v2/iplists/5f0000060000000000000fff"));
    expect(error).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  it("400 carries the server's reason", async () => {
    const error = await rejection(simClient(sim()).post("/api/v2/iplists", { name: 7 }));
    expect(error).toMatchObject({ code: "BAD_REQUEST", status: 400 });
    expect(error.message).toMatch(/name/);
  });
});

describe("writes are never retried blindly", () => {
  it("a write that times out is not retried: its outcome is unknown (and here it did happen)", async () => {
    sim().faults.add({ kind: "delay", ms: 400, method: "PUT", path: "/api/users/*" });
    const client = simClient(sim(), { timeoutMs: 100 });
    const error = await rejection(client.put(`/api/users/${ADMIN_ID}`, { enableMultiFactor: false }));
    expect(error).toMatchObject({ code: "WRITE_OUTCOME_UNKNOWN", method: "PUT" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sim().writes()).toHaveLength(1);
    // The server applied it after all: why callers must re-read rather than resend.
    expect(sim().scenario.organizations[0]?.admins.find((a) => a._id === ADMIN_ID)?.enableMultiFactor).toBe(
      false,
    );
    sim().faults.clear();
    await client.put(`/api/users/${ADMIN_ID}`, { enableMultiFactor: true });
  });

  it("a write whose connection drops after it took effect is not retried", async () => {
    sim().faults.add({ kind: "drop", afterWrite: true, method: "POST", path: "/api/v2/iplists", times: 1 });
    const org = sim().scenario.organizations[0];
    const before = org?.ipLists.length ?? 0;
    const error = await rejection(
      simClient(sim()).post("/api/v2/iplists", { name: "Office", ips: ["192.0.2.1"] }),
    );
    expect(error).toMatchObject({ code: "WRITE_OUTCOME_UNKNOWN" });
    expect(sim().writes()).toHaveLength(1);
    expect(org?.ipLists.length).toBe(before + 1);
    org?.ipLists.splice(before);
  });

  it("a 5xx on a write is not retried and says the write may have been applied", async () => {
    sim().faults.add({ kind: "status", status: 500, method: "PATCH", path: "/api/v2/authn/policies/*" });
    const id = sim().scenario.organizations[0]?.authnPolicies[0]?.id as string;
    const error = await rejection(
      simClient(sim()).patch(`/api/v2/authn/policies/${id}`, { disabled: false }),
    );
    expect(error).toMatchObject({ code: "SERVER_ERROR", status: 500 });
    expect(error.message).toMatch(/may have been applied/);
    expect(sim().writes()).toHaveLength(1);
  });

  it("a 429 on a write is retried, since the server refused it before processing", async () => {
    sim().faults.add({ kind: "rate-limit", method: "PUT", path: "/api/users/*", times: 1 });
    await simClient(sim()).put(`/api/users/${ADMIN_ID}`, { enableMultiFactor: true });
    expect(
      sim()
        .writes()
        .map((w) => w.status),
    ).toEqual([429, 200]);
  });
});

describe("x-org-id", () => {
  it("is sent on org-scoped routes and left off org-independent ones", async () => {
    const orgId = "5f0000000000000000000001";
    const client = simClient(sim(), { orgId });
    await collect(client.v1List("/api/systemusers"));
    await client.get(`/api/organizations/${orgId}`);
    await collect(client.v1List("/api/organizations"));
    expect(sim().requests.map((r) => [r.path, r.orgId])).toEqual([
      ["/api/systemusers", orgId],
      [`/api/organizations/${orgId}`, undefined],
      ["/api/organizations", undefined],
    ]);
  });
});
