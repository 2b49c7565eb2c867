import type { Method } from "got";
import type { Logger } from "../shared/logger.js";
import { JumpCloudConfigError, JumpCloudError } from "./errors.js";
import { paginateOffset, paginateSearchAfter } from "./pagination.js";
import { type JumpCloudEndpoints, type JumpCloudRegion, resolveEndpoints } from "./regions.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, Transport, type TransportStats } from "./transport.js";
import type { EventQuery, InsightsEvent, V1List } from "./types.js";

/** How to reach and authenticate to JumpCloud. */
export interface JumpCloudClientOptions {
  /** Admin API key; sent only in the `x-api-key` header and never logged. */
  readonly apiKey: string;
  /** Organization for multi-tenant (MSP) admins; sent as `x-org-id` except on org-independent routes. */
  readonly orgId?: string;
  /** Data-centre region. @default "us" */
  readonly region?: JumpCloudRegion;
  /** Console origin override (simulator, tests, private proxy), e.g. `http://127.0.0.1:8787`. */
  readonly baseUrl?: string;
  /** Directory Insights base override, including `/insights/directory/v1`. */
  readonly insightsUrl?: string;
  /** Per-attempt timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Requests in flight at once across every caller of this client. @default 4 */
  readonly maxConcurrency?: number;
  /** v1/v2 page size; the API caps it at 100. @default 100 */
  readonly pageSize?: number;
  /** Directory Insights page size (API default 1000, max 10000). @default 1000 */
  readonly insightsPageSize?: number;
  /** Retry policy overrides. */
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: Logger;
}

/** Options for listing a collection. */
export interface ListOptions {
  /** Projection: only these fields travel. */
  readonly fields?: readonly string[];
  /** Filters in the family's grammar (v1 `field:$eq:value`, v2 `field:eq:value`); several are ANDed. */
  readonly filter?: readonly string[];
  /** Sort fields, `-` prefix for descending. v1 defaults to `_id`, as JumpCloud advises when paging. */
  readonly sort?: readonly string[];
}

/** The JumpCloud API: typed paging per family, plain reads and writes, and Directory Insights. */
export interface JumpCloudClient {
  readonly endpoints: JumpCloudEndpoints;
  readonly orgId: string | undefined;
  /** Streams a v1 collection (`/api/...` returning `{totalCount, results}`); an unprovably complete read throws `INCOMPLETE_COLLECTION`. */
  v1List<T>(path: string, options?: ListOptions): AsyncGenerator<T>;
  /** Streams a v2 collection (`/api/v2/...` returning an array with `X-Total-Count`); likewise proven complete. */
  v2List<T>(path: string, options?: ListOptions): AsyncGenerator<T>;
  /** Reads one resource (`/api/...` or `/api/v2/...`). */
  get<T>(path: string, options?: Pick<ListOptions, "fields">): Promise<T>;
  /** Writes; never retried after an ambiguous failure (see `WRITE_OUTCOME_UNKNOWN`). */
  post<T>(path: string, body: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
  /** Streams Directory Insights events matching a query, following `search_after`. */
  insightsEvents(query: EventQuery): AsyncGenerator<InsightsEvent>;
  /** Counts Directory Insights events matching a query. */
  insightsCount(query: EventQuery): Promise<number>;
  /** What has been sent so far. */
  stats(): Readonly<TransportStats>;
}

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** Creates a client; validates the options before anything is sent. */
export function createJumpCloudClient(options: JumpCloudClientOptions): JumpCloudClient {
  validateOptions(options);
  const endpoints = resolveEndpoints(options);
  const pageSize = options.pageSize ?? 100;
  const insightsPageSize = options.insightsPageSize ?? 1000;
  const maxConcurrency = options.maxConcurrency ?? 4;
  const transport = new Transport({
    apiKey: options.apiKey,
    orgId: options.orgId,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxConcurrency,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    logger: options.logger,
  });

  const consoleRequest = async <T>(method: Method, path: string, query?: URLSearchParams, json?: unknown) =>
    transport.send<T>({ method, url: endpoints.consoleUrl + path, path, searchParams: query, json });

  const listQuery = (family: "v1" | "v2", skip: number, list: ListOptions): URLSearchParams => {
    const query = new URLSearchParams({ limit: String(pageSize), skip: String(skip) });
    const sort = list.sort ?? (family === "v1" ? ["_id"] : []);
    if (sort.length > 0) query.set("sort", sort.join(family === "v1" ? " " : ","));
    if (list.fields?.length) {
      // The id proves completeness; whether a projection keeps it unasked is not documented, so ask.
      const id = family === "v1" ? "_id" : "id";
      const fields = list.fields.includes(id) ? list.fields : [...list.fields, id];
      query.set("fields", fields.join(family === "v1" ? " " : ","));
    }
    for (const filter of list.filter ?? []) query.append("filter", filter);
    return query;
  };

  const write =
    (method: Method) =>
    async <T>(path: string, body?: unknown): Promise<T> =>
      (await consoleRequest<T>(method, assertApiPath(path), undefined, body)).body;

  return {
    endpoints,
    orgId: options.orgId,
    v1List<T>(path: string, list: ListOptions = {}) {
      assertApiPath(path);
      return paginateOffset<T>(
        async (skip) => {
          const { body } = await consoleRequest<V1List<T>>("GET", path, listQuery("v1", skip, list));
          if (!body || typeof body !== "object" || !Array.isArray(body.results)) {
            throw malformed("GET", path, "expected {totalCount, results}");
          }
          return {
            items: body.results,
            total: typeof body.totalCount === "number" ? body.totalCount : undefined,
          };
        },
        { pageSize, prefetch: maxConcurrency, path, idField: "_id", totalName: "totalCount" },
      );
    },
    v2List<T>(path: string, list: ListOptions = {}) {
      assertApiPath(path);
      return paginateOffset<T>(
        async (skip) => {
          const { body, headers } = await consoleRequest<T[]>("GET", path, listQuery("v2", skip, list));
          if (!Array.isArray(body)) throw malformed("GET", path, "expected a JSON array");
          return { items: body, total: numberHeader(headers["x-total-count"]) };
        },
        { pageSize, prefetch: maxConcurrency, path, idField: "id", totalName: "X-Total-Count" },
      );
    },
    async get<T>(path: string, read: Pick<ListOptions, "fields"> = {}) {
      const v2 = assertApiPath(path).startsWith("/api/v2/");
      const query = read.fields?.length
        ? new URLSearchParams({ fields: read.fields.join(v2 ? "," : " ") })
        : undefined;
      return (await consoleRequest<T>("GET", path, query)).body;
    },
    post: write("POST"),
    put: write("PUT"),
    patch: write("PATCH"),
    delete: write("DELETE"),
    insightsEvents(query: EventQuery) {
      const path = "/events";
      const fullPath = `/insights/directory/v1${path}`;
      return paginateSearchAfter<InsightsEvent>(async (searchAfter) => {
        const json = {
          ...query,
          limit: query.limit ?? insightsPageSize,
          ...(searchAfter ? { search_after: searchAfter } : {}),
        };
        const { body, headers } = await transport.send<InsightsEvent[]>({
          method: "POST",
          url: endpoints.insightsUrl + path,
          path: fullPath,
          json,
          idempotent: true,
        });
        if (!Array.isArray(body)) throw malformed("POST", fullPath, "expected a JSON array of events");
        return {
          items: body,
          resultCount: numberHeader(headers["x-result-count"]),
          limit: numberHeader(headers["x-limit"]) ?? json.limit,
          searchAfter: jsonArrayHeader(headers["x-search_after"]),
        };
      }, fullPath);
    },
    async insightsCount(query: EventQuery) {
      const path = "/events/count";
      const { body } = await transport.send<{ count?: unknown }>({
        method: "POST",
        url: endpoints.insightsUrl + path,
        path: `/insights/directory/v1${path}`,
        json: query,
        idempotent: true,
      });
      if (typeof body?.count !== "number") throw malformed("POST", path, "expected {count}");
      return body.count;
    },
    stats: () => ({ ...transport.stats }),
  };
}

function validateOptions(options: JumpCloudClientOptions): void {
  if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
    throw new JumpCloudConfigError("JumpCloud API key is empty");
  }
  if (!/^[\x21-\x7e]+$/.test(options.apiKey)) {
    throw new JumpCloudConfigError("JumpCloud API key must be printable ASCII without spaces");
  }
  if (options.orgId !== undefined && !OBJECT_ID.test(options.orgId)) {
    throw new JumpCloudConfigError(
      `Organization id must be 24 hexadecimal characters, got "${options.orgId}"`,
    );
  }
  for (const [name, url] of [
    ["baseUrl", options.baseUrl],
    ["insightsUrl", options.insightsUrl],
  ] as const) {
    if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) {
      throw new JumpCloudConfigError(`${name} must be an http(s) URL, got "${url}"`);
    }
  }
  if (
    options.pageSize !== undefined &&
    !(Number.isInteger(options.pageSize) && options.pageSize >= 1 && options.pageSize <= 100)
  ) {
    throw new JumpCloudConfigError("pageSize must be an integer from 1 to 100 (the API caps pages at 100)");
  }
  if (
    options.insightsPageSize !== undefined &&
    !(
      Number.isInteger(options.insightsPageSize) &&
      options.insightsPageSize >= 1 &&
      options.insightsPageSize <= 10_000
    )
  ) {
    throw new JumpCloudConfigError("insightsPageSize must be an integer from 1 to 10000");
  }
  if (
    options.maxConcurrency !== undefined &&
    !(Number.isInteger(options.maxConcurrency) && options.maxConcurrency >= 1)
  ) {
    throw new JumpCloudConfigError("maxConcurrency must be a positive integer");
  }
}

function assertApiPath(path: string): string {
  if (!path.startsWith("/api/"))
    throw new JumpCloudConfigError(`API path must start with /api/, got "${path}"`);
  return path;
}

function malformed(method: string, path: string, expected: string): JumpCloudError {
  return new JumpCloudError("MALFORMED_RESPONSE", `Unexpected response shape: ${expected}`, { method, path });
}

function numberHeader(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === "") return undefined;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function jsonArrayHeader(value: string | string[] | undefined): unknown[] | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
