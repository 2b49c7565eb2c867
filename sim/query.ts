/**
 * Query semantics of list endpoints: v1/v2 filter grammars, sort, `fields` projection and paging.
 * Sources: BT-V1 (v1 filter operators, `filter[0]`/`filter[or][0]`), PS-V2 `trait:filter:filter`.
 */

/** A record as stored by the simulator. */
export type Doc = Record<string, unknown>;

/** A bad query parameter: the server answers 400 with this message. */
export class QueryError extends Error {}

const V1_OPS: Record<string, Comparator> = {
  $eq: (a, b) => compare(a, b) === 0,
  $ne: (a, b) => compare(a, b) !== 0,
  $gt: (a, b) => compare(a, b) > 0,
  $gte: (a, b) => compare(a, b) >= 0,
  $lt: (a, b) => compare(a, b) < 0,
  $lte: (a, b) => compare(a, b) <= 0,
};

const V2_OPS: Record<string, Comparator> = {
  eq: V1_OPS.$eq as Comparator,
  ne: V1_OPS.$ne as Comparator,
  gt: V1_OPS.$gt as Comparator,
  ge: V1_OPS.$gte as Comparator,
  lt: V1_OPS.$lt as Comparator,
  le: V1_OPS.$lte as Comparator,
  // Semantics of `search` and `in` beyond their names are not documented: substring and `|`-separated list.
  search: (a, b) => typeof a === "string" && a.toLowerCase().includes(b.toLowerCase()),
  in: (a, b) => b.split("|").some((value) => compare(a, value) === 0),
};

type Comparator = (fieldValue: unknown, filterValue: string) => boolean;
type Predicate = (doc: Doc) => boolean;

/** Reads a dotted path from a document. */
export function getPath(doc: unknown, path: string): unknown {
  let value: unknown = doc;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Doc)[key];
  }
  return value;
}

/** Builds the predicate of the v1 filters in a query string (`filter`, `filter[0]`, `filter[or][0]`). */
export function v1Filter(params: URLSearchParams): Predicate {
  const and: Predicate[] = [];
  const or: Predicate[] = [];
  for (const [key, value] of params) {
    if (key === "filter" || /^filter\[\d+\]$/.test(key)) and.push(clause(value, V1_OPS, "v1"));
    else if (/^filter\[or\]\[\d+\]$/.test(key)) or.push(clause(value, V1_OPS, "v1"));
    else if (key.startsWith("filter")) throw new QueryError(`Unsupported filter parameter "${key}"`);
  }
  return (doc) => and.every((p) => p(doc)) && (or.length === 0 || or.some((p) => p(doc)));
}

/** Builds the predicate of v2 filters: every `filter=field:op:value` parameter, ANDed. */
export function v2Filter(params: URLSearchParams): Predicate {
  const and = params.getAll("filter").map((value) => clause(value, V2_OPS, "v2"));
  return (doc) => and.every((p) => p(doc));
}

function clause(text: string, ops: Record<string, Comparator>, family: string): Predicate {
  const first = text.indexOf(":");
  const second = text.indexOf(":", first + 1);
  if (first <= 0 || second < 0)
    throw new QueryError(`Malformed ${family} filter "${text}": expected field:op:value`);
  const field = text.slice(0, first);
  const op = text.slice(first + 1, second);
  const value = text.slice(second + 1);
  const comparator = ops[op];
  if (!comparator) throw new QueryError(`Unsupported ${family} filter operator "${op}" in "${text}"`);
  return (doc) => comparator(getPath(doc, field), value);
}

/** Compares a stored value with a filter's text, coercing the text to the stored value's type. */
function compare(fieldValue: unknown, text: string): number {
  if (typeof fieldValue === "boolean") return fieldValue === (text === "true") ? 0 : 1;
  if (typeof fieldValue === "number") {
    const n = Number(text);
    return Number.isNaN(n) ? 1 : Math.sign(fieldValue - n);
  }
  if (fieldValue === null || fieldValue === undefined) return text === "null" ? 0 : 1;
  const s = String(fieldValue);
  return s < text ? -1 : s > text ? 1 : 0;
}

/** Sorts by fields (`-` prefix for descending); `separator` is " " for v1 and "," for v2. */
export function sortDocs(docs: Doc[], sort: string | null, separator: string): Doc[] {
  const keys = (sort ?? "")
    .split(separator)
    .map((k) => k.trim())
    .filter(Boolean);
  if (keys.length === 0) return docs;
  return [...docs].sort((a, b) => {
    for (const key of keys) {
      const desc = key.startsWith("-");
      const path = desc ? key.slice(1) : key;
      const x = getPath(a, path);
      const y = getPath(b, path);
      const order = x === y ? 0 : x === undefined ? 1 : y === undefined ? -1 : String(x) < String(y) ? -1 : 1;
      if (order !== 0) return desc ? -order : order;
    }
    return 0;
  });
}

/** Keeps only the named fields (plus the id field, as Mongo-style projections do). */
export function project(doc: Doc, fields: string[], idField: string): Doc {
  if (fields.length === 0) return doc;
  const out: Doc = {};
  if (idField in doc) out[idField] = doc[idField];
  for (const field of fields) {
    const value = getPath(doc, field);
    if (value === undefined) continue;
    const parts = field.split(".");
    let target = out;
    for (const part of parts.slice(0, -1)) {
      target[part] = (target[part] as Doc | undefined) ?? {};
      target = target[part] as Doc;
    }
    target[parts.at(-1) as string] = value;
  }
  return out;
}

/** Parses `fields`: space-separated in v1, comma-separated (or repeated) in v2. */
export function parseFields(params: URLSearchParams, family: "v1" | "v2"): string[] {
  return params
    .getAll("fields")
    .flatMap((value) => value.split(family === "v1" ? /[\s,]+/ : /,/))
    .map((f) => f.trim())
    .filter(Boolean);
}

/** Parses `limit` (default 10, capped at 100: "Limited to 100") and `skip` (default 0, minimum 0). */
export function parsePaging(params: URLSearchParams): { limit: number; skip: number } {
  const limit = integerParam(params, "limit", 10);
  const skip = integerParam(params, "skip", 0);
  if (limit < 0) throw new QueryError("limit must not be negative");
  if (skip < 0) throw new QueryError("skip must not be negative");
  // Assumption: the real API's answer to limit > 100 is undocumented; the simulator caps it silently,
  // which is the behaviour that exposes clients that stop on "page shorter than I asked for".
  return { limit: Math.min(limit === 0 ? 10 : limit, 100), skip };
}

function integerParam(params: URLSearchParams, name: string, fallback: number): number {
  const text = params.get(name);
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value)) throw new QueryError(`${name} must be an integer, got "${text}"`);
  return value;
}
