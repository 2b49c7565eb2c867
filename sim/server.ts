/** The simulator's HTTP server: auth, organization selection, faults, routing, request log. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createContractValidator } from "../contract/validator.js";
import { type Fault, FaultInjector, type FaultRule, faultedAnswer, faultedQuery } from "./faults.js";
import { compileRoutes, HttpError, type SimContext, type SimResponse } from "./http.js";
import { buildPreset, isPresetName, PRESET_NAMES } from "./presets/index.js";
import type { LargeOptions } from "./presets/large.js";
import { insightsRoutes } from "./routes/insights.js";
import { v1Routes } from "./routes/v1.js";
import { v2Routes } from "./routes/v2.js";
import { loadScenarioFile, type OrgData, parseScenario, type Scenario } from "./scenario.js";

/** How to start a simulator. */
export interface SimulatorOptions {
  /** A preset name, a path to a scenario JSON file, or a scenario object. @default "demo" */
  readonly scenario?: string | Scenario;
  /** Sizes for the `large` preset. */
  readonly large?: LargeOptions;
  /** Port on loopback; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** Faults active from the start. */
  readonly faults?: readonly FaultRule[];
  /** The simulator's clock (presets' timestamps, Insights windows). @default () => new Date() */
  readonly now?: () => Date;
}

/** One request as the simulator saw it. Bodies are kept with secret-looking fields masked. */
export interface LoggedRequest {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly orgId: string | undefined;
  /** Final status; 0 when the connection was dropped. */
  readonly status: number;
  readonly write: boolean;
  readonly fault: Fault["kind"] | undefined;
  readonly body: unknown;
  readonly at: string;
}

/** A running simulator. */
export interface RunningSimulator {
  /** Console origin, e.g. `http://127.0.0.1:40123` (v1 under `/api`, v2 under `/api/v2`). */
  readonly url: string;
  /** Directory Insights base, `${url}/insights/directory/v1`. */
  readonly insightsUrl: string;
  /** The API key the simulator accepts (a fixed, non-secret test key unless the scenario names one). */
  readonly apiKey: string;
  /** Live state: tests may change one thing in it between requests. */
  readonly scenario: Scenario;
  /** Fault rules and key revocation, changeable at run time. */
  readonly faults: FaultInjector;
  /** Most requests ever handled at the same time (to check clients' concurrency limits). */
  peakInFlight(): number;
  /** Every request received, in the order they were answered (`seq` numbers them by arrival). */
  readonly requests: LoggedRequest[];
  /** Requests that changed or could change state (POST/PUT/PATCH/DELETE outside Insights queries). */
  writes(): LoggedRequest[];
  close(): Promise<void>;
}

const route = compileRoutes([...v1Routes, ...v2Routes, ...insightsRoutes]);
const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** Resolves a scenario option: preset name, JSON file path, or object. */
export function resolveScenario(
  scenario: string | Scenario | undefined,
  now: Date,
  large?: LargeOptions,
): Scenario {
  if (scenario === undefined) return buildPreset("demo", now);
  if (typeof scenario !== "string") return parseScenario(scenario);
  if (isPresetName(scenario)) return buildPreset(scenario, now, large);
  if (scenario.endsWith(".json")) return loadScenarioFile(scenario);
  throw new Error(
    `Unknown scenario "${scenario}": use one of ${PRESET_NAMES.join(", ")} or a path to a .json file`,
  );
}

/** Starts a simulator on loopback. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const clock = options.now ?? (() => new Date());
  const scenario = resolveScenario(options.scenario, clock(), options.large);
  const faults = new FaultInjector();
  for (const rule of options.faults ?? []) faults.add(rule);
  const requests: LoggedRequest[] = [];
  const validator = createContractValidator();

  let inFlight = 0;
  let peak = 0;
  let lastSeq = 0;
  const server = createServer((req, res) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    res.once("close", () => {
      inFlight -= 1;
    });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, {
          status: 500,
          body: new HttpError(500, `Simulator bug: ${(error as Error).message}`).body(),
        });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Why: seq used to be `requests.length + 1` when the request was read, so concurrent requests (all
    // read before any was logged) shared one number. Numbered on arrival; the log is in completion order.
    const seq = ++lastSeq;
    const url = new URL(req.url ?? "/", "http://sim");
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname;
    const raw = await readBody(req);
    const isInsights = path.startsWith("/insights/");
    const orgHeader = typeof req.headers["x-org-id"] === "string" ? req.headers["x-org-id"] : undefined;
    let parsed: unknown;
    const log = (status: number, fault?: Fault["kind"]) =>
      requests.push({
        seq,
        method,
        path,
        query: url.search,
        orgId: orgHeader,
        status,
        write: method !== "GET" && !isInsights,
        fault,
        // Why: `parsed` is only set once the key is checked, so faulted and 401 requests were logged
        // without their body although the log promises bodies; parse leniently for the log.
        body: maskSecrets(parsed ?? parseForLog(raw)),
        at: clock().toISOString(),
      });

    const fault = faults.take(method, path, url.searchParams);
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === "drop" && !fault.afterWrite) {
      log(0, "drop");
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "rate-limit" || fault?.kind === "status") {
      const status = fault.kind === "rate-limit" ? 429 : fault.status;
      const headers =
        fault.kind === "rate-limit" && fault.retryAfterSeconds !== undefined
          ? { "Retry-After": String(fault.retryAfterSeconds) }
          : undefined;
      log(status, fault.kind);
      send(res, { status, body: new HttpError(status, "Injected fault").body(), headers });
      return;
    }
    if (fault?.kind === "malformed") {
      log(200, "malformed");
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"totalCount": 3, "results": [{"_id": "5f00');
      return;
    }

    let answer: SimResponse;
    try {
      if (req.headers["x-api-key"] !== scenario.apiKey || faults.keyRevoked())
        throw new HttpError(401, "Unauthorized");
      if (raw.length > 0) {
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw new HttpError(400, "Request body is not valid JSON");
        }
      }
      const found = route(method, path);
      if (!found) throw new HttpError(404, `No route for ${method} ${path}`);
      const ctx: SimContext = {
        method,
        path,
        params: found.params,
        query: faultedQuery(fault, url.searchParams),
        headers: req.headers,
        body: parsed,
        scenario,
        org: selectOrg(scenario, orgHeader, path),
        plan: scenario.plan,
        now: clock(),
        validateBody() {
          const result = validator.validateRequest(method, path, parsed);
          if (!result.ok) throw new HttpError(400, `Invalid request body: ${result.errors.join("; ")}`);
        },
      };
      answer = faultedAnswer(fault, await found.route.handler(ctx));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      answer = { status: error.status, body: error.body() };
    }
    if (fault?.kind === "drop") {
      // The write took effect, but the client never hears about it.
      log(0, "drop");
      req.socket.destroy();
      return;
    }
    log(answer.status, fault?.kind);
    send(res, answer);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  return {
    url,
    insightsUrl: `${url}/insights/directory/v1`,
    apiKey: scenario.apiKey,
    scenario,
    faults,
    requests,
    writes: () => requests.filter((r) => r.write),
    peakInFlight: () => peak,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Picks the organization: single tenant → the only one (x-org-id optional, but must exist if sent);
 * multi-tenant key → x-org-id is required except on /api/organizations* (notes §0).
 */
function selectOrg(scenario: Scenario, orgHeader: string | undefined, path: string): OrgData {
  const orgIndependent = path === "/api/organizations" || path.startsWith("/api/organizations/");
  if (orgHeader !== undefined && !orgIndependent) {
    if (!OBJECT_ID.test(orgHeader)) throw new HttpError(400, "Malformed ID");
    const org = scenario.organizations.find((o) => o.organization._id === orgHeader);
    if (!org) throw new HttpError(404, "Organization ID Not Found");
    return org;
  }
  const [first] = scenario.organizations;
  if (!first) throw new HttpError(500, "Scenario has no organization");
  if (scenario.organizations.length > 1 && !orgIndependent) {
    throw new HttpError(401, "ID not included for multi-tenant admin");
  }
  return first;
}

function send(res: ServerResponse, answer: SimResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseForLog(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined; // not JSON: keep nothing rather than unmasked text
  }
}

function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      /secret|password/i.test(key) && typeof v === "string" ? "[REDACTED]" : maskSecrets(v),
    ]),
  );
}
