/**
 * How fast, and with how many requests, the client reads every user of a 100k-user organization.
 * Run: `npm run bench` (options `-- --users 20000 --latency 20`). Prints numbers; asserts nothing.
 * The latency rows add a delay to every simulator response, like a round trip to JumpCloud.
 */
import { parseArgs } from "node:util";
import { createJumpCloudClient } from "../lambdas/jumpcloud/client.js";
import { type SimProcess, spawnSimulator } from "./sim-process.js";

const { values } = parseArgs({
  options: { users: { type: "string", default: "100000" }, latency: { type: "string", default: "20" } },
});
const users = Number(values.users);
const latency = Number(values.latency);
const args = ["--scenario", "large", "--users", String(users), "--systems", "0"];
const sim = await spawnSimulator(args);
const slowSim = await spawnSimulator([...args, "--latency", String(latency)]);
const AUDIT_FIELDS = [
  "email",
  "state",
  "totp_enabled",
  "mfaEnrollment.overallStatus",
  "mfa.exclusion",
  "mfa.exclusionUntil",
];

interface Row {
  variant: string;
  items: number;
  requests: number;
  lowerBound: number;
  seconds: number;
  itemsPerSecond: number;
  receivedMiB: number;
  heapMiB: number;
}

async function run(
  variant: string,
  fields: string[] | undefined,
  maxConcurrency: number,
  target: SimProcess = sim,
): Promise<Row> {
  const client = createJumpCloudClient({
    apiKey: target.apiKey,
    baseUrl: target.url,
    insightsUrl: target.insightsUrl,
    maxConcurrency,
  });
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  let items = 0;
  let notEnrolled = 0;
  const started = performance.now();
  for await (const user of client.v1List<{ totp_enabled?: boolean }>("/api/systemusers", { fields })) {
    items += 1;
    if (!user.totp_enabled) notEnrolled += 1;
    if (items % 5000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - started) / 1000;
  if (notEnrolled === 0 && items > 1000) throw new Error("large preset should contain unenrolled users");
  return {
    variant,
    items,
    requests: client.stats().requests,
    lowerBound: Math.ceil(items / 100),
    seconds: Number(seconds.toFixed(2)),
    itemsPerSecond: Math.round(items / seconds),
    receivedMiB: Number((client.stats().bytesReceived / 2 ** 20).toFixed(1)),
    heapMiB: Number(((peakHeap - heapBefore) / 2 ** 20).toFixed(1)),
  };
}

try {
  await run("warm-up", AUDIT_FIELDS, 4);
  const rows = [
    await run("fields projection, 4 in flight (default)", AUDIT_FIELDS, 4),
    await run("fields projection, 1 in flight", AUDIT_FIELDS, 1),
    await run("full records, 4 in flight", undefined, 4),
    await run(`+${latency} ms per request, 4 in flight`, AUDIT_FIELDS, 4, slowSim),
    await run(`+${latency} ms per request, 1 in flight`, AUDIT_FIELDS, 1, slowSim),
  ];
  console.log(`Reading ${users} users from the simulator's large preset (simulator in a separate process)\n`);
  console.table(rows);
  const worst = Math.max(...rows.map((r) => r.requests - r.lowerBound));
  console.log(`\nRequests above the lower bound ceil(N/100): ${worst} (retries included)`);
} finally {
  sim.stop();
  slowSim.stop();
}
