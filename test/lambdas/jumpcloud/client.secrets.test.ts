import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { JumpCloudConfigError } from "../../../lambdas/jumpcloud/errors.js";
import { listRadiusServers, updateRadiusServer } from "../../../lambdas/jumpcloud/resources.js";
import { buildPreset, type RunningSimulator, startSimulator } from "../../../sim/index.js";
import { collect, recordingLogger, simClient } from "../../helpers/simulator.js";

// A distinctive key, so any leak is unmistakable.
const API_KEY = "jc-SECRET-KEY-4f9c2a7e1b3d5f60";
const RADIUS_SECRET = "k7#Qv9!mZ2pL8xR4wT6yB1nC3sD5fG0h";

describe("the API key and RADIUS secrets never leave the client", () => {
  let sim: RunningSimulator;
  const output: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ scenario: { ...buildPreset("compliant", new Date()), apiKey: API_KEY } });
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
        output.push(String(chunk));
        return true;
      });
    }
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await sim.close();
  });

  it("in logs, errors and output across retries, failures and a RADIUS round trip", async () => {
    const logger = recordingLogger();
    const client = simClient(sim, { apiKey: API_KEY, logger, timeoutMs: 200 });
    const errors: unknown[] = [];
    const attempt = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        errors.push(error);
      }
    };

    sim.faults.add({ kind: "rate-limit", retryAfterSeconds: 0, path: "/api/systemusers", times: 2 });
    sim.faults.add({ kind: "status", status: 503, path: "/api/systems" });
    sim.faults.add({ kind: "drop", path: "/api/v2/iplists", times: 1 });
    sim.faults.add({ kind: "malformed", path: "/api/v2/policies" });
    sim.faults.add({ kind: "delay", ms: 400, method: "PUT", path: "/api/users/*" });
    await attempt(() => collect(client.v1List("/api/systemusers")));
    await attempt(() => collect(client.v1List("/api/systems")));
    await attempt(() => collect(client.v2List("/api/v2/iplists")));
    await attempt(() => collect(client.v2List("/api/v2/policies")));
    await attempt(() => client.put("/api/users/5f0000010000000000000001", { enableMultiFactor: true }));
    await attempt(() =>
      client.post("/api/v2/authn/policies", {
        effect: { action: "allow", obligations: { mfaFactors: ["TOTP"] } },
      }),
    );
    const [radius] = await collect(listRadiusServers(client));
    expect(radius?.sharedSecret).toBe(RADIUS_SECRET); // the API returns it; the client must not spread it
    await attempt(() =>
      updateRadiusServer(client, radius?._id as string, {
        name: radius?.name as string,
        networkSourceIp: radius?.networkSourceIp as string,
        sharedSecret: RADIUS_SECRET,
        mfa: "REQUIRED",
      }),
    );
    await attempt(() =>
      collect(simClient(sim, { apiKey: `${API_KEY}-revoked`, logger }).v1List("/api/users")),
    );
    await new Promise((resolve) => setTimeout(resolve, 450));
    sim.faults.clear();

    expect(errors.length).toBeGreaterThanOrEqual(5);
    expect(logger.lines.length).toBeGreaterThan(10);
    const everything = [
      logger.text(),
      output.join(""),
      ...errors.flatMap((e) => [
        String(e),
        (e as Error).stack ?? "",
        JSON.stringify(e),
        inspect(e, { depth: 20, showHidden: true }),
      ]),
    ].join("\n");
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(RADIUS_SECRET);
    // The simulator's own request log masks the secret too.
    expect(JSON.stringify(sim.requests)).not.toContain(RADIUS_SECRET);
  });

  it("in configuration errors", () => {
    const bad = `${API_KEY} with spaces`;
    try {
      simClient(sim, { apiKey: bad });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(JumpCloudConfigError);
      expect(inspect(error, { depth: 20 })).not.toContain(API_KEY);
    }
  });
});
