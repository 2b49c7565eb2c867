/**
 * Child process of `bench/msp-fanout.ts`: a simulator holding many compliant organizations for one
 * multi-tenant key, every answer delayed by `--latency` ms. It prints one JSON line `{url, insightsUrl,
 * apiKey, orgIds}` when listening and answers the IPC message "stats" with the server's own counts (and its CPU since listening), so
 * the benchmark's process measures the client alone.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { hardenedOrg } from "../sim/presets/compliant.js";
import { DEFAULT_SIM_API_KEY } from "../sim/scenario.js";
import { startSimulator } from "../sim/server.js";

const { values } = parseArgs({
  options: {
    orgs: { type: "string", default: "200" },
    latency: { type: "string", default: "25" },
    users: { type: "string", default: "24" },
    systems: { type: "string", default: "9" },
  },
});
const now = new Date();
const orgIds = Array.from({ length: Number(values.orgs) }, (_, i) =>
  (0x6a00000000 + i).toString(16).padStart(24, "0"),
);
const latency = Number(values.latency);
const sim = await startSimulator({
  scenario: {
    name: "msp",
    description: `${orgIds.length} compliant organizations under one MSP key`,
    plan: "platform_plus",
    apiKey: DEFAULT_SIM_API_KEY,
    organizations: orgIds.map((orgId, i) =>
      hardenedOrg(now, {
        name: `Tenant ${i + 1}`,
        orgId,
        users: Number(values.users),
        systems: Number(values.systems),
      }),
    ),
  },
  faults: latency > 0 ? [{ kind: "delay", ms: latency, path: "/**" }] : [],
});
const cpuAtListen = process.cpuUsage();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
process.on("message", (message) => {
  if (message !== "stats") return;
  const cpu = process.cpuUsage(cpuAtListen);
  process.send?.({
    peakInFlight: sim.peakInFlight(),
    requests: sim.requests.length,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loopP99Ms: loop.percentile(99) / 1e6,
  });
});
process.once("SIGTERM", () => void sim.close().then(() => process.exit(0)));
console.log(JSON.stringify({ url: sim.url, insightsUrl: sim.insightsUrl, apiKey: sim.apiKey, orgIds }));
