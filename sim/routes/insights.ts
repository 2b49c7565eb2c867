/**
 * Directory Insights routes (`/insights/directory/v1`): `POST /events` and `/events/count` with
 * `service`, time window, `search_term`, `q`, `sort`, `fields` and `search_after` paging (notes §9).
 */
import { HttpError, ok, type Route, type SimContext } from "../http.js";
import { planInsightsRetentionDays } from "../presets/plans.js";
import { type Doc, getPath, project } from "../query.js";

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;
// "changes, useragent and system_timestamp are not searchable" (PS-DI).
const UNSEARCHABLE = new Set(["changes", "useragent", "system_timestamp"]);

interface EventQueryBody {
  service: string[];
  start_time: string;
  end_time?: string;
  limit?: number;
  skip?: number;
  sort?: string;
  fields?: string[];
  search_after?: unknown[];
  search_term?: unknown;
  q?: string;
}

/** The Directory Insights routes. */
export const insightsRoutes: Route[] = [
  {
    method: "POST",
    path: "/insights/directory/v1/events",
    handler: (ctx) => {
      const query = parseQuery(ctx);
      const descending = (query.sort ?? "ASC").toUpperCase() === "DESC";
      // "nonsensical values … return the default" (PS-DI).
      const limit =
        Number.isInteger(query.limit) && (query.limit as number) > 0 && (query.limit as number) <= MAX_LIMIT
          ? (query.limit as number)
          : DEFAULT_LIMIT;
      let events = matching(ctx, query).sort(
        (a, b) => compareCursor(cursorOf(a), cursorOf(b)) * (descending ? -1 : 1),
      );
      if (query.search_after) {
        const after = query.search_after;
        events = events.filter((e) => compareCursor(cursorOf(e), after) * (descending ? -1 : 1) > 0);
      }
      // Why: `skip` ("offset into the result set", PS-DI EventQuery) was ignored, so a client paging
      // with skip got the first page forever. Applied after search_after, like any offset.
      const skip = Number.isInteger(query.skip) && (query.skip as number) > 0 ? (query.skip as number) : 0;
      const page = events.slice(skip, skip + limit);
      const last = page.at(-1);
      const fields = query.fields ?? [];
      return ok(
        page.map((e) => project(e, fields, "")),
        200,
        {
          "X-Result-Count": String(page.length),
          "X-Limit": String(limit),
          "X-Sort": descending ? "DESC" : "ASC",
          // "The header always returns X-Search_after values, even when no further pages of data exist."
          "X-Search_after": JSON.stringify(last ? cursorOf(last) : (query.search_after ?? [])),
          "X-Request-Id": `sim-${Date.now().toString(36)}`,
        },
      );
    },
  },
  {
    method: "POST",
    path: "/insights/directory/v1/events/count",
    handler: (ctx) => ok({ count: matching(ctx, parseQuery(ctx)).length }),
  },
];

function parseQuery(ctx: SimContext): EventQueryBody {
  ctx.validateBody();
  const query = ctx.body as EventQueryBody;
  for (const [name, value] of [
    ["start_time", query.start_time],
    ["end_time", query.end_time],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value)))
      throw new HttpError(400, `${name} must be an RFC3339 timestamp`);
  }
  if (
    query.fields !== undefined &&
    (query.fields.length === 0 || query.fields.some((f) => !/^[A-Za-z0-9_@.]+$/.test(f)))
  ) {
    throw new HttpError(400, "fields must be a non-empty list of field names");
  }
  if (
    query.search_after !== undefined &&
    (query.search_after.length !== 2 || typeof query.search_after[0] !== "number")
  ) {
    throw new HttpError(400, "search_after must be the X-Search_after value of the previous page");
  }
  if (query.search_term !== undefined) validateTerm(query.search_term);
  return query;
}

function matching(ctx: SimContext, query: EventQueryBody): Doc[] {
  // Directory Insights answers on every plan but keeps events for the plan's retention (notes §12.4).
  // Assumption (undocumented): a start_time before the retention gets the retained events only, 200.
  const retained = ctx.now.getTime() - planInsightsRetentionDays(ctx.plan) * 86_400_000;
  const start = Math.max(Date.parse(query.start_time), retained);
  const end = query.end_time ? Date.parse(query.end_time) : Number.POSITIVE_INFINITY;
  const all = query.service.includes("all");
  const q = query.q?.toLowerCase();
  return ctx.org.events.filter((event) => {
    const at = Date.parse(String(event.timestamp));
    // Assumption: start inclusive, end exclusive (undocumented).
    if (at < start || at >= end) return false;
    if (!all && !query.service.includes(String(event.service))) return false;
    if (q && !JSON.stringify(event).toLowerCase().includes(q)) return false;
    return query.search_term === undefined || termMatches(query.search_term, event);
  });
}

/** Cursor of an event: [timestamp in ms, id], the shape of real `X-Search_after` values. */
function cursorOf(event: Doc): [number, string] {
  return [Date.parse(String(event.timestamp)), String(event.id)];
}

function compareCursor(a: readonly unknown[], b: readonly unknown[]): number {
  const [at, aid] = a as [number, string];
  const [bt, bid] = b as [number, string];
  if (at !== bt) return at < bt ? -1 : 1;
  return aid === bid ? 0 : aid < bid ? -1 : 1;
}

function validateTerm(term: unknown): void {
  if (!term || typeof term !== "object" || Array.isArray(term))
    throw new HttpError(400, "search_term must be an object");
  const entries = Object.entries(term);
  if (entries.length !== 1) throw new HttpError(400, "search_term must have exactly one of and, or, not");
  const [op, clauses] = entries[0] as [string, unknown];
  if (!["and", "or", "not"].includes(op))
    throw new HttpError(400, `Unsupported search_term operator "${op}"`);
  if (!Array.isArray(clauses)) throw new HttpError(400, `search_term.${op} must be a list`);
  const seen = new Set<string>();
  for (const clause of clauses) {
    if (!clause || typeof clause !== "object" || Array.isArray(clause))
      throw new HttpError(400, "search_term clauses must be objects");
    const keys = Object.keys(clause);
    if (keys.length === 1 && ["and", "or", "not"].includes(keys[0] as string)) {
      validateTerm(clause);
      continue;
    }
    for (const [field, value] of Object.entries(clause)) {
      if (UNSEARCHABLE.has(field.split(".")[0] as string))
        throw new HttpError(400, `Field "${field}" is not searchable`);
      if (seen.has(field)) throw new HttpError(400, `Field "${field}" cannot repeat within one list`);
      seen.add(field);
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => v === null || typeof v === "object")) {
        // e.g. the guide's {"$in": [...]}: no operators are documented (notes §10.7).
        throw new HttpError(400, `Unsupported value for "${field}": use a value or a list of values`);
      }
    }
  }
}

function termMatches(term: unknown, event: Doc): boolean {
  const [op, clauses] = Object.entries(term as Doc)[0] as [string, Doc[]];
  const results = clauses.map((clause) => {
    const keys = Object.keys(clause);
    if (keys.length === 1 && ["and", "or", "not"].includes(keys[0] as string))
      return termMatches(clause, event);
    return Object.entries(clause).every(([field, value]) => {
      const stored = getPath(event, field);
      if (stored === undefined || stored === null) return false;
      // Values are stored lowercase ("coerced to lowercase on insert"); the comparison itself is exact.
      const text = String(stored).toLowerCase();
      return (Array.isArray(value) ? value : [value]).some((v) => String(v) === text);
    });
  });
  if (op === "and") return results.every(Boolean);
  if (op === "or") return results.some(Boolean);
  return !results.some(Boolean);
}
