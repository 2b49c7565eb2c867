/** Request context, responses and errors shared by the simulator's route handlers. */
import type { OrgData, Plan, Scenario } from "./scenario.js";

/** An answer from a route handler. */
export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a route handler sees. */
export interface SimContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  scenario: Scenario;
  /** The organization the request acts on (single tenant, or chosen by `x-org-id`). */
  org: OrgData;
  plan: Plan;
  now: Date;
  /** Validates a request body against the contract; throws a 400 when it does not fit. */
  validateBody(): void;
}

/** A route: method, path template with `:param` segments, handler. */
export interface Route {
  method: string;
  path: string;
  handler: (ctx: SimContext) => SimResponse | Promise<SimResponse>;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** An error answer. Body shape `Error` = {code, message, status}; 400 adds `details` (`ErrorDetails`, BT-V2). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** The JSON error body. */
  body(): Record<string, unknown> {
    const base = { code: this.status, message: this.message, status: STATUS_TEXT[this.status] ?? "Error" };
    return this.status === 400 ? { ...base, details: [] } : base;
  }
}

/** 404 for a missing resource. */
export function notFound(what: string): HttpError {
  return new HttpError(404, `${what} not found`);
}

/** Finds a document by its id field or throws 404. */
export function findById<T extends Record<string, unknown>>(
  docs: T[],
  idField: string,
  id: string,
  what: string,
): T {
  const doc = docs.find((d) => d[idField] === id);
  if (!doc) throw notFound(what);
  return doc;
}

/** A JSON answer. */
export function ok(body: unknown, status = 200, headers?: Record<string, string>): SimResponse {
  return { status, body, headers };
}

/** Compiles route templates to matchers. */
export function compileRoutes(
  routes: Route[],
): (method: string, path: string) => { route: Route; params: Record<string, string> } | undefined {
  const compiled = routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/:([a-zA-Z_]+)/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    return { route, names, regex: new RegExp(`^${source}$`) };
  });
  return (method, path) => {
    for (const { route, names, regex } of compiled) {
      if (route.method !== method) continue;
      const match = regex.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decodeParam(match[i + 1] ?? "");
      });
      return { route, params };
    }
    return undefined;
  };
}

// Why: decodeURIComponent throws URIError on a bad escape such as `%E0`; that escaped the handler as a
// 500 "Simulator bug" and the request was never logged. A malformed path is the client's error: 400.
function decodeParam(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `Malformed path segment "${segment}"`);
  }
}
