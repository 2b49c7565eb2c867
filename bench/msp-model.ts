/**
 * The model of `bench/msp-fanout.ts`: per-item cost (requests × latency + CPU) → wall time, request
 * rate, Lambda GB-s and Step Functions cost for many organizations. Prices are us-east-1 list prices
 * (free tiers ignored); check the current ones before quoting a bill.
 */

/** Mean cost of one organization × control item. */
export interface PerControl {
  controlId: string;
  requests: number;
  ms: number;
}

/** What one concurrency setting measured. */
export interface Measured {
  shape: "control" | "org";
  simCpuMs: number;
  loopP99Ms: number;
  simLoopP99Ms: number;
  concurrency: number;
  orgs: number;
  items: number;
  wallMs: number;
  requests: number;
  discoveryRequests: number;
  discoveryMs: number;
  serverRequests: number;
  peakInFlight: number;
  p50: number;
  p95: number;
  cpuMsPerItem: number;
  peakRssMiB: number;
  heapMiB: number;
  perControl: PerControl[];
  statuses: Record<string, number>;
}

/** Assumptions of the AWS side, stated in the output. */
export const AWS = {
  /** Step Functions task → warm Lambda invoke → result, per item (not measured here). */
  invokeOverheadMs: 50,
  memoryGb: 0.5,
  /** Lambda arm64 $/GB-s and $/request. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** Standard workflows: $ per state transition. */
  transition: 0.025 / 1000,
  /** Express workflows: $ per execution and per GB-s (64 MB billed). */
  expressRequest: 1 / 1e6,
  expressGbSecond: 0.00001667,
};

/** Rows of the model: measured vs predicted for the run, then the larger portfolio per concurrency. */
export function modelRows(
  base: Measured,
  opts: { latencyMs: number; orgs: number; settings: number[]; measured: Measured[] },
) {
  const controls = base.perControl.length;
  const orgMs = base.perControl.reduce((s, c) => s + c.ms, 0);
  const orgRequests = base.perControl.reduce((s, c) => s + c.requests, 0);
  const cpuOrgMs = base.cpuMsPerItem * controls;
  const serialTrips = (orgMs - cpuOrgMs) / opts.latencyMs / controls;
  const discoveryPages = Math.ceil(opts.orgs / 100);
  const lambdaOrgMs = orgMs + controls * AWS.invokeOverheadMs;
  const invocations = opts.orgs * controls + 2;
  const gbSeconds = (opts.orgs * lambdaOrgMs * AWS.memoryGb) / 1000;
  const lambdaCost = gbSeconds * AWS.lambdaGbSecond + invocations * AWS.lambdaRequest;
  const transitions = opts.orgs * (controls + 2) + 5;
  const standardCost = transitions * AWS.transition;
  const expressCost =
    opts.orgs * AWS.expressRequest + ((opts.orgs * lambdaOrgMs) / 1000) * 0.0625 * AWS.expressGbSecond;
  const notes = [
    `per organization: ${orgRequests.toFixed(1)} requests, ${(orgMs / 1000).toFixed(2)} s for ${controls} items in a row, of which CPU ${cpuOrgMs.toFixed(0)} ms; ≈ ${serialTrips.toFixed(1)} round trips on each item's critical path (the client overlaps the rest)`,
    `discovery: ${discoveryPages} page(s) of GET /api/organizations`,
    `AWS assumptions: +${AWS.invokeOverheadMs} ms per item for the Step Functions task and a warm invoke; ${AWS.memoryGb * 1024} MB arm64; same CPU speed as here`,
    `Lambda: ${invocations} invocations, ${gbSeconds.toFixed(0)} GB-s ≈ $${lambdaCost.toFixed(3)} per run; Step Functions: ${transitions} transitions with STANDARD children ≈ $${standardCost.toFixed(3)}, or ${opts.orgs} EXPRESS children ≈ $${expressCost.toFixed(4)} + ~5 parent transitions`,
  ];
  // One local process shares one CPU: wall ≥ all items' CPU. In AWS each invocation has its own.
  const localS = (n: number, c: number) => Math.max((Math.ceil(n / c) * orgMs) / 1000, (n * cpuOrgMs) / 1000);
  const rows = [
    ...opts.measured.map((m) => ({
      orgs: m.orgs,
      concurrency: m.concurrency,
      measuredS: round(m.wallMs / 1000),
      modelLocalS: round(localS(m.orgs, m.concurrency)),
      modelAwsS: round((Math.ceil(m.orgs / m.concurrency) * lambdaOrgMs) / 1000),
      requestsPerS: Math.round(m.requests / (m.wallMs / 1000)),
    })),
    ...opts.settings.map((c) => ({
      orgs: opts.orgs,
      concurrency: c,
      measuredS: "",
      modelLocalS: round(localS(opts.orgs, c)),
      modelAwsS: round((Math.ceil(opts.orgs / c) * lambdaOrgMs) / 1000),
      requestsPerS: Math.round((Math.min(c, opts.orgs) * orgRequests) / (orgMs / 1000)),
    })),
  ];
  return {
    notes: [
      ...notes,
      "rows: modelLocalS = max(ceil(orgs/concurrency) × per-organization time, all items' CPU) in one process; modelAwsS = ceil(orgs/concurrency) × (per-organization time + the overhead per item); requestsPerS modelled = concurrency × requests per organization / its time",
      `requests for ${opts.orgs} organizations: ${Math.round(opts.orgs * orgRequests + discoveryPages)}`,
    ],
    rows,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
