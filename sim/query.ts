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
// Why: incomparable pairs used to answer 1 ("greater"), so `$gt`/`$gte` matched documents missing the
// field and numbers compared with non-numeric text (Mongo-style: ordering never matches those). NaN now
// means "incomparable": every comparator is false except `$ne`/`ne`. Booleans order false < true.
function compare(fieldValue: unknown, text: string): number {
  if (typeof fieldValue === "boolean") {
    if (text !== "true" && text !== "false") return Number.NaN;
    return Math.sign(Number(fieldValue) - Number(text === "true"));
  }
  if (typeof fieldValue === "number") {
    const n = text.trim() === "" ? Number.NaN : Number(text);
    return Math.sign(fieldValue - n);
  }
  if (fieldValue === null || fieldValue === undefined) return text === "null" ? 0 : Number.NaN;
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
  const order = keys.map((key) => ({ desc: key.startsWith("-"), parts: key.replace(/^-/, "").split(".") }));
  const compare = (a: Doc, b: Doc): number => {
    for (const { desc, parts } of order) {
      const result = compareForSort(getParts(a, parts), getParts(b, parts));
      if (result !== 0) return desc ? -result : result;
    }
    return 0;
  };
  // Paging re-sorts the whole collection on every page; a linear check spares the sort when it is
  // already in order (the usual `sort=_id` case), and for id sorts the answer is remembered while
  // the collection keeps its length and end ids (ids never change, and created ids only grow),
  // which keeps 100k-item collections fast.
  const byIdOnly = keys.length === 1 && (keys[0] === "_id" || keys[0] === "id");
  const idField = keys[0] as string;
  const signature = byIdOnly ? `${docs.length}:${docs[0]?.[idField]}:${docs.at(-1)?.[idField]}` : "";
  if (byIdOnly && sortedById.get(docs) === signature) return docs;
  for (let i = 1; i < docs.length; i++) {
    if (compare(docs[i - 1] as Doc, docs[i] as Doc) > 0) return [...docs].sort(compare);
  }
  if (byIdOnly) sortedById.set(docs, signature);
  return docs;
}

const sortedById = new WeakMap<Doc[], string>();

function getParts(doc: Doc, parts: string[]): unknown {
  let value: unknown = doc;
  for (const part of parts) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Doc)[part];
  }
  return value;
}

// Why: numbers were compared as text, so 100 sorted before 9 (e.g. `sort=exitStatus`, `badLoginAttempts`).
// Numbers and booleans compare by value; everything else as text; missing values last (ascending).
function compareForSort(x: unknown, y: unknown): number {
  if (x === y) return 0;
  if (x === undefined) return 1;
  if (y === undefined) return -1;
  if (typeof x === "number" && typeof y === "number") return x < y ? -1 : 1;
  if (typeof x === "boolean" && typeof y === "boolean") return x ? 1 : -1;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
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
