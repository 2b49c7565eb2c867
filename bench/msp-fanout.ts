/**
 * The MSP fan-out on the simulator: N organizations (default 200) under one multi-tenant key, every
 * answer delayed by `--latency` ms (default 25), each organization's controls audited one after the
 * other as the state machine's Map item does (one `runAudit` per organization × control, a fresh
 * client each, like one Lambda invocation), organizations in parallel up to each `--concurrency`
 * (p-limit). Prints wall time, requests, requests/s, the simulator's peak in-flight requests, p50/p95
 * per item, CPU and memory, then a model for `--model-orgs` (default 1,000). Run: `npm run bench:msp`
 * (`-- --orgs 50 --concurrency 1,10`). Prints numbers; asserts nothing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pLimit from "p-limit";
import type { ControlFinding, RunReport } from "../lambdas/engine/findings.js";
import { runAudit, selectControls } from "../lambdas/engine/run.js";
import { createJumpCloudClient } from "../lambdas/jumpcloud/client.js";
import { listOrganizations } from "../lambdas/jumpcloud/resources.js";
import {
  type FindingsDocuments,
  type FindingsStore,
  layout,
  readLatestEvaluated,
  writeFinding,
} from "../lambdas/store/findings-store.js";
import { type Measured, modelRows, type PerControl } from "./msp-model.js";

const { values } = parseArgs({
  options: {
    orgs: { type: "string", default: "200" },
    latency: { type: "string", default: "25" },
    concurrency: { type: "string", default: "1,5,10,25" },
    "model-orgs": { type: "string", default: "1000" },
  },
});
const latencyMs = Number(values.latency);
const settings = values.concurrency.split(",").map(Number);
const controlIds = selectControls({}).map((c) => c.id);

interface Sim {
  url: string;
  insightsUrl: string;
  apiKey: string;
  orgIds: string[];
  child: ChildProcess;
}

/** Starts `bench/msp-sim.ts` in its own process (a fresh one per setting, so its peak is that setting's). */
function startSim(): Promise<Sim> {
  const entry = fileURLToPath(new URL("./msp-sim.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", entry, "--orgs", values.orgs, "--latency", values.latency],
    { stdio: ["ignore", "pipe", "inherit", "ipc"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line || !out.includes("\n")) return;
      child.removeAllListeners("exit");
      resolve({ ...(JSON.parse(line) as Omit<Sim, "child">), child });
    });
  });
}

interface SimStats {
  peakInFlight: number;
  requests: number;
  cpuMs: number;
  loopP99Ms: number;
}

function simStats(sim: Sim): Promise<SimStats> {
  return new Promise((resolve) => {
    sim.child.once("message", (m) => resolve(m as SimStats));
    sim.child.send("stats");
  });
}

/** The findings store of a run, in memory, keeping documents as the S3 and local stores do. */
function memoryStore(): FindingsStore {
  const objects = new Map<string, string>();
  const docs: FindingsDocuments = {
    read: async <T>(key: string) => {
      const text = objects.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    write: async (key, value) => void objects.set(key, JSON.stringify(value)),
    list: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)),
  };
  return {
    putFinding: (finding: ControlFinding) => writeFinding(docs, finding),
    getLatest: (orgId, controlId) => docs.read<ControlFinding>(layout.latest(orgId, controlId)),
    getLatestEvaluated: (orgId, controlId) => readLatestEvaluated(docs, orgId, controlId),
    putRun: (report: RunReport) => docs.write(layout.run(report.orgId, report.runId), report),
  };
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/**
 * One setting: discovery, then every organization × control at this concurrency ("control": one
 * `runAudit` per control, as the state machine invokes; "org": one `runAudit` of all controls per
 * organization, as `jc-audit run` does, reading each dataset once).
 */
async function runSetting(concurrency: number, shape: "control" | "org"): Promise<Measured> {
  const sim = await startSim();
  try {
    const key = { apiKey: sim.apiKey, baseUrl: sim.url, insightsUrl: sim.insightsUrl };
    const discoveryClient = createJumpCloudClient(key);
    const discoveryStarted = performance.now();
    let seen = 0;
    for await (const _ of listOrganizations(discoveryClient, ["displayName"])) seen += 1;
    const discoveryMs = performance.now() - discoveryStarted;
    if (seen !== sim.orgIds.length)
      throw new Error(`discovery saw ${seen} of ${sim.orgIds.length} organizations`);

    const store = memoryStore();
    const items: { controlId: string; ms: number; requests: number; status: string }[] = [];
    const durations: number[] = [];
    const limit = pLimit(concurrency);
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      sim.orgIds.map((orgId) =>
        limit(async () => {
          for (const controls of shape === "control" ? controlIds.map((id) => [id]) : [controlIds]) {
            const client = createJumpCloudClient({ ...key, orgId });
            const t0 = performance.now();
            const report = await runAudit({ client, store }, { orgId, controls });
            const ms = performance.now() - t0;
            durations.push(ms);
            for (const finding of report.controls) {
              items.push({
                controlId: finding.controlId,
                ms: ms / controls.length,
                requests: client.stats().requests / controls.length,
                status: finding.status,
              });
            }
          }
        }),
      ),
    );
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const server = await simStats(sim);
    const times = durations.sort((a, b) => a - b);
    const requests = Math.round(items.reduce((sum, i) => sum + i.requests, 0));
    const perControl: PerControl[] = controlIds.map((id) => {
      const mine = items.filter((i) => i.controlId === id);
      return {
        controlId: id,
        requests: mine.reduce((s, i) => s + i.requests, 0) / mine.length,
        ms: mine.reduce((s, i) => s + i.ms, 0) / mine.length,
      };
    });
    const statuses: Record<string, number> = {};
    for (const i of items) statuses[i.status] = (statuses[i.status] ?? 0) + 1;
    return {
      shape,
      simCpuMs: server.cpuMs,
      loopP99Ms: loop.percentile(99) / 1e6,
      simLoopP99Ms: server.loopP99Ms,
      concurrency,
      orgs: sim.orgIds.length,
      items: items.length,
      wallMs,
      requests,
      discoveryRequests: discoveryClient.stats().requests,
      discoveryMs,
      serverRequests: server.requests,
      peakInFlight: server.peakInFlight,
      p50: quantile(times, 0.5),
      p95: quantile(times, 0.95),
      cpuMsPerItem: (cpu.user + cpu.system) / 1000 / items.length,
      peakRssMiB: peakRss / 2 ** 20,
      heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
      perControl,
      statuses,
    };
  } finally {
    sim.child.kill("SIGTERM");
  }
}

console.log(
  `MSP fan-out: ${values.orgs} organizations × ${controlIds.length} controls, ${latencyMs} ms per request (simulator in its own process), Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} CPUs (other work on the machine slows the concurrent settings)\n`,
);
const measured: Measured[] = [];
for (const shape of ["control", "org"] as const) {
  console.log(
    shape === "control"
      ? "One item per organization × control (the state machine's shape):"
      : "\nOne run of all controls per organization (jc-audit run's shape, for comparison):",
  );
  for (const concurrency of settings) {
    const m = await runSetting(concurrency, shape);
    if (shape === "control") measured.push(m);
    report(m);
  }
}

function report(m: Measured): void {
  console.log(
    `concurrency ${String(m.concurrency).padStart(2)}: ${(m.wallMs / 1000).toFixed(1)} s · ${m.requests} requests (+${m.discoveryRequests} discovery in ${m.discoveryMs.toFixed(0)} ms; simulator saw ${m.serverRequests}) · ${(m.requests / (m.wallMs / 1000)).toFixed(0)} req/s · peak in flight ${m.peakInFlight} · item p50 ${m.p50.toFixed(0)} ms p95 ${m.p95.toFixed(0)} ms · CPU ${m.cpuMsPerItem.toFixed(1)} ms/item · peak RSS ${m.peakRssMiB.toFixed(0)} MiB, heap ${m.heapMiB.toFixed(0)} MiB · simulator CPU ${(m.simCpuMs / m.serverRequests).toFixed(1)} ms/request · event-loop delay p99 ${m.loopP99Ms.toFixed(0)} ms (simulator ${m.simLoopP99Ms.toFixed(0)} ms) · ${JSON.stringify(m.statuses)} · load average ${loadavg()[0]?.toFixed(1)}`,
  );
}
const [first] = measured;
if (first) {
  console.log("\nPer control (first setting): mean requests and ms per item");
  console.table(
    first.perControl.map((c) => ({ control: c.controlId, requests: c.requests, ms: Math.round(c.ms) })),
  );
  const model = modelRows(first, { latencyMs, orgs: Number(values["model-orgs"]), settings, measured });
  console.log(
    `\nModel for ${values["model-orgs"]} organizations (from the first setting's per-item figures)`,
  );
  console.log(model.notes.join("\n"));
  console.table(model.rows);
}
