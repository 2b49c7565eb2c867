/** Unit tests of the list query semantics: v1/v2 filters, sort, projection, paging (sim/query.ts). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Doc,
  getPath,
  parseFields,
  parsePaging,
  project,
  QueryError,
  sortDocs,
  v1Filter,
  v2Filter,
} from "../../sim/query.js";

const qs = (text: string) => new URLSearchParams(text);

const DOCS: Doc[] = [
  { _id: "a1", username: "alice", logins: 10, activated: true, mfa: { configured: true }, dept: "Eng" },
  { _id: "b2", username: "bob", logins: 9, activated: false, mfa: { configured: false }, dept: "Sales" },
  { _id: "c3", username: "carol", logins: 100, activated: true, mfa: { configured: false }, dept: "Eng" },
  { _id: "d4", username: "dave", logins: 0, activated: true, mfa: { configured: true } },
];

const ids = (docs: Doc[]) => docs.map((d) => d._id);
const v1 = (query: string) => ids(DOCS.filter(v1Filter(qs(query))));
const v2 = (query: string) => ids(DOCS.filter(v2Filter(qs(query))));

describe("v1 filter grammar (field:$op:value)", () => {
  it("$eq matches exact strings only", () => {
    expect(v1("filter=username:$eq:bob")).toEqual(["b2"]);
    expect(v1("filter=username:$eq:Bob")).toEqual([]);
  });

  it("$ne, $gt, $gte, $lt, $lte compare numbers numerically (10 > 9, 100 > 10)", () => {
    expect(v1("filter=username:$ne:bob")).toEqual(["a1", "c3", "d4"]);
    expect(v1("filter=logins:$gt:9")).toEqual(["a1", "c3"]);
    expect(v1("filter=logins:$gte:10")).toEqual(["a1", "c3"]);
    expect(v1("filter=logins:$lt:10")).toEqual(["b2", "d4"]);
    expect(v1("filter=logins:$lte:9")).toEqual(["b2", "d4"]);
  });

  it("coerces booleans and works on dotted paths", () => {
    expect(v1("filter=activated:$eq:false")).toEqual(["b2"]);
    expect(v1("filter=activated:$eq:true")).toEqual(["a1", "c3", "d4"]);
    expect(v1("filter=mfa.configured:$eq:true")).toEqual(["a1", "d4"]);
  });

  it("ordering operators never match a missing field or an incomparable value; $ne does", () => {
    expect(v1("filter=dept:$gt:A")).toEqual(["a1", "b2", "c3"]);
    expect(v1("filter=dept:$lte:Zzz")).toEqual(["a1", "b2", "c3"]);
    expect(v1("filter=dept:$ne:Eng")).toEqual(["b2", "d4"]);
    expect(v1("filter=logins:$gt:abc")).toEqual([]);
    expect(v1("filter=logins:$ne:abc")).toEqual(["a1", "b2", "c3", "d4"]);
    expect(v1("filter=activated:$gt:maybe")).toEqual([]);
  });

  it("booleans order false < true", () => {
    expect(v1("filter=activated:$gt:false")).toEqual(["a1", "c3", "d4"]);
    expect(v1("filter=activated:$lt:true")).toEqual(["b2"]);
  });

  it("keeps colons in the value", () => {
    const docs: Doc[] = [{ _id: "x", created: "2026-01-01T10:00:00Z" }];
    expect(docs.filter(v1Filter(qs("filter=created:$eq:2026-01-01T10:00:00Z")))).toHaveLength(1);
  });

  it("filter[0] and filter[1] are ANDed", () => {
    expect(v1("filter[0]=activated:$eq:true&filter[1]=dept:$eq:Eng")).toEqual(["a1", "c3"]);
    expect(v1("filter[0]=activated:$eq:true&filter[1]=mfa.configured:$eq:false")).toEqual(["c3"]);
  });

  it("filter[or][0] and filter[or][1] are ORed", () => {
    expect(v1("filter[or][0]=username:$eq:bob&filter[or][1]=username:$eq:dave")).toEqual(["b2", "d4"]);
  });

  it("an AND clause still applies next to OR clauses", () => {
    expect(
      v1("filter[0]=activated:$eq:true&filter[or][0]=username:$eq:bob&filter[or][1]=username:$eq:dave"),
    ).toEqual(["d4"]);
  });

  it("no filter keeps everything", () => {
    expect(v1("limit=5")).toEqual(["a1", "b2", "c3", "d4"]);
  });

  it.each([
    ["filter=username", "expected field:op:value"],
    ["filter=username:$eq", "expected field:op:value"],
    ["filter=:$eq:bob", "expected field:op:value"],
    ["filter=username:eq:bob", 'Unsupported v1 filter operator "eq"'],
    ["filter=username:$in:bob", 'Unsupported v1 filter operator "$in"'],
    ["filter[and][0]=username:$eq:bob", 'Unsupported filter parameter "filter[and][0]"'],
  ])("malformed %s → QueryError", (query, message) => {
    expect(() => v1Filter(qs(query))).toThrow(QueryError);
    expect(() => v1Filter(qs(query))).toThrow(message);
  });
});

describe("v2 filter grammar (field:op:value)", () => {
  it("eq ne gt ge lt le", () => {
    expect(v2("filter=username:eq:carol")).toEqual(["c3"]);
    expect(v2("filter=username:ne:carol")).toEqual(["a1", "b2", "d4"]);
    expect(v2("filter=logins:gt:10")).toEqual(["c3"]);
    expect(v2("filter=logins:ge:10")).toEqual(["a1", "c3"]);
    expect(v2("filter=logins:lt:9")).toEqual(["d4"]);
    expect(v2("filter=logins:le:9")).toEqual(["b2", "d4"]);
  });

  it("search is a case-insensitive substring match on strings", () => {
    expect(v2("filter=username:search:AR")).toEqual(["c3"]);
    expect(v2("filter=logins:search:1")).toEqual([]);
  });

  it("in takes |-separated values (PS-V2 trait description)", () => {
    expect(v2("filter=username:in:alice|dave|zed")).toEqual(["a1", "d4"]);
    expect(v2("filter=logins:in:9|100")).toEqual(["b2", "c3"]);
  });

  it("repeated filter parameters are ANDed", () => {
    expect(v2("filter=activated:eq:true&filter=dept:eq:Eng")).toEqual(["a1", "c3"]);
  });

  it.each([
    ["filter=username:$eq:bob", 'Unsupported v2 filter operator "$eq"'],
    ["filter=username:like:bob", 'Unsupported v2 filter operator "like"'],
    ["filter=username", "Malformed v2 filter"],
  ])("%s → QueryError", (query, message) => {
    expect(() => v2Filter(qs(query))).toThrow(QueryError);
    expect(() => v2Filter(qs(query))).toThrow(message);
  });
});

describe("sort", () => {
  it("v1: space-separated keys, - for descending", () => {
    expect(ids(sortDocs(DOCS, "-username", " "))).toEqual(["d4", "c3", "b2", "a1"]);
    expect(ids(sortDocs(DOCS, "dept -username", " "))).toEqual(["c3", "a1", "b2", "d4"]);
  });

  it("v2: comma-separated keys", () => {
    expect(ids(sortDocs(DOCS, "-activated,username", ","))).toEqual(["a1", "c3", "d4", "b2"]);
  });

  it("numbers sort numerically, not as text", () => {
    expect(ids(sortDocs(DOCS, "logins", " "))).toEqual(["d4", "b2", "a1", "c3"]);
    expect(ids(sortDocs(DOCS, "-logins", ","))).toEqual(["c3", "a1", "b2", "d4"]);
  });

  it("no sort keeps the stored order and does not copy needlessly", () => {
    expect(sortDocs(DOCS, null, " ")).toBe(DOCS);
    expect(sortDocs(DOCS, "  ", " ")).toBe(DOCS);
  });

  it("does not reorder the input array", () => {
    const before = ids(DOCS);
    sortDocs(DOCS, "-username", " ");
    expect(ids(DOCS)).toEqual(before);
  });

  it("is a permutation, ordered by the key (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ _id: fc.string(), n: fc.integer({ min: -1000, max: 1000 }) }), {
          maxLength: 40,
        }),
        fc.boolean(),
        (docs, desc) => {
          const sorted = sortDocs(docs, desc ? "-n" : "n", " ");
          expect(canonical(sorted)).toEqual(canonical(docs));
          for (let i = 1; i < sorted.length; i++) {
            const [prev, next] = [sorted[i - 1]?.n as number, sorted[i]?.n as number];
            expect(desc ? prev >= next : prev <= next).toBe(true);
          }
        },
      ),
    );
  });
});

/** The multiset of documents, as sorted JSON texts. */
const canonical = (docs: Doc[]) => docs.map((d) => JSON.stringify(d)).sort();

describe("projection", () => {
  const doc: Doc = { _id: "a1", username: "alice", mfa: { configured: true, exclusion: false }, x: 1 };

  it("keeps the named fields and the id", () => {
    expect(project(doc, ["username"], "_id")).toEqual({ _id: "a1", username: "alice" });
  });

  it("rebuilds dotted paths as nested objects", () => {
    expect(project(doc, ["mfa.configured", "x"], "_id")).toEqual({
      _id: "a1",
      mfa: { configured: true },
      x: 1,
    });
  });

  it("skips unknown fields; no fields keeps the whole document", () => {
    expect(project(doc, ["nope"], "_id")).toEqual({ _id: "a1" });
    expect(project(doc, [], "_id")).toBe(doc);
  });

  it("parses fields: v1 space-separated, v2 comma-separated or repeated", () => {
    expect(parseFields(qs("fields=username email"), "v1")).toEqual(["username", "email"]);
    expect(parseFields(qs("fields=name,template&fields=id"), "v2")).toEqual(["name", "template", "id"]);
    expect(parseFields(qs(""), "v2")).toEqual([]);
  });

  it("getPath reads nested values and stops at non-objects", () => {
    expect(getPath(doc, "mfa.configured")).toBe(true);
    expect(getPath(doc, "username.length")).toBeUndefined();
    expect(getPath(doc, "a.b.c")).toBeUndefined();
  });
});

describe("paging", () => {
  it("defaults to limit 10, skip 0", () => {
    expect(parsePaging(qs(""))).toEqual({ limit: 10, skip: 0 });
  });

  it("caps limit at 100 and treats limit=0 as the default", () => {
    expect(parsePaging(qs("limit=1000&skip=5"))).toEqual({ limit: 100, skip: 5 });
    expect(parsePaging(qs("limit=0"))).toEqual({ limit: 10, skip: 0 });
    expect(parsePaging(qs("limit=100"))).toEqual({ limit: 100, skip: 0 });
  });

  it.each([
    ["skip=-1", "skip must not be negative"],
    ["limit=-5", "limit must not be negative"],
    ["limit=2.5", 'limit must be an integer, got "2.5"'],
    ["skip=abc", 'skip must be an integer, got "abc"'],
  ])("%s → QueryError", (query, message) => {
    expect(() => parsePaging(qs(query))).toThrow(QueryError);
    expect(() => parsePaging(qs(query))).toThrow(message);
  });

  it("for any list, limit and skip, concatenating the pages gives the list back (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 250 }),
        fc.integer({ min: 0, max: 150 }),
        fc.integer({ min: 0, max: 20 }),
        (list, limitParam, start) => {
          const pages: number[] = [];
          let skip = start;
          for (;;) {
            const { limit, skip: s } = parsePaging(qs(`limit=${limitParam}&skip=${skip}`));
            expect(limit).toBe(Math.min(limitParam === 0 ? 10 : limitParam, 100));
            const page = list.slice(s, s + limit);
            pages.push(...page);
            if (page.length < limit) break;
            skip += limit;
          }
          expect(pages).toEqual(list.slice(start));
        },
      ),
    );
  });
});
