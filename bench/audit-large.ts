/**
 * A full audit (all ten controls) of the simulator's large organization: time, requests, memory and
 * the size of what is stored. Run: `npm run bench:audit` (`-- --users 20000 --systems 4000`).
 * Prints numbers; asserts nothing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runAudit } from "../lambdas/engine/run.js";
import { createJumpCloudClient } from "../lambdas/jumpcloud/client.js";
import { localFindingsStore } from "../lambdas/store/local-store.js";
import { spawnSimulator } from "./sim-process.js";

const { values } = parseArgs({
  options: { users: { type: "string", default: "100000" }, systems: { type: "string", default: "20000" } },
});
const sim = await spawnSimulator([
  "--scenario",
  "large",
  "--users",
  values.users,
  "--systems",
  values.systems,
]);
const out = await mkdtemp(join(tmpdir(), "jc-bench-"));
try {
  const client = createJumpCloudClient({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    insightsUrl: sim.insightsUrl,
  });
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  const report = await runAudit({ client, store: localFindingsStore(out) });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  const datasetRequests = client.stats().requests;
  console.log(
    `Full audit of ${values.users} users and ${values.systems} systems (simulator in a separate process)\n`,
  );
  console.table(
    report.controls.map((f) => ({
      control: f.controlId,
      status: f.status,
      results: f.results.length,
      failing: f.counts.FAIL,
      findingMiB: Number((Buffer.byteLength(JSON.stringify(f)) / 2 ** 20).toFixed(2)),
      auditMs: f.durationMs,
    })),
  );
  console.log(
    `\nseconds ${seconds.toFixed(1)} · requests ${datasetRequests} (retries ${client.stats().retries}) · received ${(client.stats().bytesReceived / 2 ** 20).toFixed(1)} MiB · peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(`run report ${(Buffer.byteLength(JSON.stringify(report)) / 2 ** 20).toFixed(1)} MiB`);
} finally {
  sim.stop();
  await rm(out, { recursive: true, force: true });
}
