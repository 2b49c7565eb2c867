/** Paged list answers for v1 (`{totalCount, results}`) and v2 (array + `X-Total-Count`). */
import type { SimContext, SimResponse } from "../http.js";
import { HttpError } from "../http.js";
import {
  type Doc,
  parseFields,
  parsePaging,
  project,
  QueryError,
  sortDocs,
  v1Filter,
  v2Filter,
} from "../query.js";

/** Answers a v1 list query over `docs`. */
export function v1List(ctx: SimContext, docs: Doc[]): SimResponse {
  return withQueryErrors(() => {
    const filtered = hasFilter(ctx) ? docs.filter(v1Filter(ctx.query)) : docs;
    const page = pageOf(ctx, sortDocs(filtered, ctx.query.get("sort"), " "), "v1", "_id");
    return { status: 200, body: { totalCount: filtered.length, results: page } };
  });
}

/** Answers a v2 list query over `docs`. */
export function v2List(ctx: SimContext, docs: Doc[], idField = "id"): SimResponse {
  return withQueryErrors(() => {
    const filtered = hasFilter(ctx) ? docs.filter(v2Filter(ctx.query)) : docs;
    const page = pageOf(ctx, sortDocs(filtered, ctx.query.getAll("sort").join(","), ","), "v2", idField);
    const headers: Record<string, string> = { "X-Total-Count": String(filtered.length) };
    if (ctx.headers["x-unfiltered-total-count"] !== undefined)
      headers["X-Unfiltered-Total-Count"] = String(docs.length);
    return { status: 200, body: page, headers };
  });
}

/** Projects one document by the `fields` parameter. */
export function projectOne(ctx: SimContext, doc: Doc, family: "v1" | "v2", idField: string): Doc {
  return project(doc, parseFields(ctx.query, family), idField);
}

function pageOf(ctx: SimContext, docs: Doc[], family: "v1" | "v2", idField: string): Doc[] {
  const { limit, skip } = parsePaging(ctx.query);
  const fields = parseFields(ctx.query, family);
  return docs.slice(skip, skip + limit).map((doc) => project(doc, fields, idField));
}

// Skipping the filter pass when there is none keeps 100k-item pages cheap.
function hasFilter(ctx: SimContext): boolean {
  for (const key of ctx.query.keys()) if (key.startsWith("filter")) return true;
  return false;
}

function withQueryErrors(answer: () => SimResponse): SimResponse {
  try {
    return answer();
  } catch (error) {
    if (error instanceof QueryError) throw new HttpError(400, error.message);
    throw error;
  }
}
