import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createJumpCloudClient, type JumpCloudClient } from "../../../lambdas/jumpcloud/client.js";
import { JumpCloudError } from "../../../lambdas/jumpcloud/errors.js";
import { collect, FAST_RETRY, recordingLogger, rejection } from "../../helpers/simulator.js";

// A distinctive key, so a leak anywhere is unmistakable.
const API_KEY = "jc-REDIRECT-KEY-9b1e7c3a5d2f4068";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A loopback HTTP server that records every request and answers with `answer`. */
async function listener(
  answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string> },
) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const { status, headers } = answer(req);
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(status === 204 || (status >= 300 && status < 400) ? "" : "[]");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    seen,
    url,
    host: new URL(url).host,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Listener = Awaited<ReturnType<typeof listener>>;

describe("the client never follows a redirect, so the key never reaches another origin", () => {
  // The second listener is "another origin" (same host, other port); it must never be contacted.
  let elsewhere: Listener;
  // The configured API origin; `redirect` decides where (and with which status) it points.
  let api: Listener;
  let redirect = { status: 302, to: "" };

  beforeAll(async () => {
    elsewhere = await listener(() => ({ status: 200 }));
    api = await listener((req) => ({
      status: redirect.status,
      headers: { location: redirect.to + (req.url ?? "") },
    }));
  });
  afterEach(() => {
    api.seen.length = 0;
    elsewhere.seen.length = 0;
  });
  afterAll(async () => {
    await api.close();
    await elsewhere.close();
  });

  const client = (logger = recordingLogger()): JumpCloudClient =>
    createJumpCloudClient({
      apiKey: API_KEY,
      baseUrl: api.url,
      insightsUrl: `${api.url}/insights/directory/v1`,
      retry: FAST_RETRY,
      logger,
    });

  const calls: [string, (c: JumpCloudClient) => Promise<unknown>, boolean][] = [
    ["a v1 list", (c) => collect(c.v1List("/api/systemusers")), false],
    ["a v2 list", (c) => collect(c.v2List("/api/v2/policies")), false],
    ["a single read", (c) => c.get("/api/settings"), false],
    [
      "a PUT",
      (c) => c.put("/api/systemusers/5f0000010000000000000001", { enable_user_portal_multifactor: true }),
      true,
    ],
    ["a POST", (c) => c.post("/api/v2/iplists", { name: "x", ips: ["10.0.0.0/8"] }), true],
    ["a PATCH", (c) => c.patch("/api/v2/authn/policies/5f0000010000000000000001", { disabled: false }), true],
    ["a DELETE", (c) => c.delete("/api/v2/iplists/5f0000010000000000000001"), true],
    [
      "a Directory Insights query",
      (c) => collect(c.insightsEvents({ service: ["all"], start_time: "2024-01-01T00:00:00Z" })),
      false,
    ],
    [
      "a Directory Insights count",
      (c) => c.insightsCount({ service: ["all"], start_time: "2024-01-01T00:00:00Z" }),
      false,
    ],
  ];

  for (const status of [301, 302, 303, 307, 308]) {
    for (const [what, call, write] of calls) {
      it(`${status} to another origin on ${what}: REDIRECT_REFUSED naming the host, nothing sent there`, async () => {
        redirect = { status, to: elsewhere.url };
        const logger = recordingLogger();
        const error = await rejection(call(client(logger)));

        expect(error).toBeInstanceOf(JumpCloudError);
        expect(error.code).toBe("REDIRECT_REFUSED");
        expect(error.status).toBe(status);
        expect(error.message).toContain(`to ${elsewhere.host} refused`);
        expect(error.message).not.toContain("same origin");
        expect(error.message.includes("the write may have been applied")).toBe(write);
        // The key reached the configured origin only, once: a redirect is not retried.
        expect(api.seen).toHaveLength(1);
        expect(api.seen[0]?.headers["x-api-key"]).toBe(API_KEY);
        expect(elsewhere.seen).toEqual([]);
        expect(`${String(error)} ${JSON.stringify(error)} ${logger.text()}`).not.toContain(API_KEY);
      });
    }
  }

  it("a same-origin redirect is refused too (no JumpCloud route is known to redirect)", async () => {
    redirect = { status: 302, to: `${api.url}/elsewhere` };
    const error = await rejection(collect(client().v1List("/api/systemusers")));
    expect(error.code).toBe("REDIRECT_REFUSED");
    expect(error.message).toContain(`to ${api.host} (same origin) refused`);
    expect(api.seen.map((r) => r.url.split("?")[0])).toEqual(["/api/systemusers"]);
    expect(elsewhere.seen).toEqual([]);
  });

  it("a redirect without a usable Location is refused with that said", async () => {
    redirect = { status: 302, to: "http://[not-a-host" };
    const error = await rejection(client().get("/api/settings"));
    expect(error.code).toBe("REDIRECT_REFUSED");
    expect(error.message).toContain("Redirect without a valid Location refused");
    expect(elsewhere.seen).toEqual([]);
  });

  it("only the host is named: a Location's path, query and credentials stay out of the error", async () => {
    redirect = { status: 302, to: `http://user:pw-XYZ@${elsewhere.host}/steal?token=abc123` };
    const error = await rejection(client().get("/api/settings"));
    expect(error.message).toContain(`to ${elsewhere.host} refused`);
    for (const part of ["pw-XYZ", "steal", "abc123", "user:"]) expect(error.message).not.toContain(part);
    expect(elsewhere.seen).toEqual([]);
  });
});
