import { JumpCloudError } from "./errors.js";

/** One page of an offset-paged collection and the total the server reported with it, if any. */
export interface OffsetPage<T> {
  readonly items: readonly T[];
  readonly total: number | undefined;
}

/** Fetches the page that starts at `skip`. */
export type FetchOffsetPage<T> = (skip: number) => Promise<OffsetPage<T>>;

/** How an offset-paged collection is read and how its completeness is proven. */
export interface OffsetPaging {
  readonly pageSize: number;
  /** Pages kept in flight once the first page has told the total. */
  readonly prefetch: number;
  /** Path of the collection, for errors. */
  readonly path: string;
  /** The field that identifies an item: `_id` in v1, `id` in v2. */
  readonly idField: string;
  /** Where the total comes from, for errors: `totalCount` (v1) or `X-Total-Count` (v2). */
  readonly totalName: string;
}

/**
 * Streams an offset-paged collection (v1 `{totalCount, results}`, v2 arrays + `X-Total-Count`).
 * Once the first page tells the total, up to `prefetch` later pages are fetched ahead, in order.
 * A collection read to its end is proven complete: every page reports the same total, no page comes
 * back short before it, every item has an id, no id repeats, and the distinct ids equal the total.
 * Anything else throws `INCOMPLETE_COLLECTION` naming the path and the inconsistency (offsets shift
 * when items are added or removed while paging, which shows up exactly this way). Each page is checked
 * before its items are yielded; a consumer that stops early is never blamed for the rest.
 */
export async function* paginateOffset<T>(
  fetchPage: FetchOffsetPage<T>,
  paging: OffsetPaging,
): AsyncGenerator<T> {
  const { pageSize, prefetch, path, idField, totalName } = paging;
  const incomplete = (what: string) =>
    new JumpCloudError("INCOMPLETE_COLLECTION", `Incomplete collection: ${what}`, { method: "GET", path });
  const request = (skip: number) => {
    const page = fetchPage(skip);
    page.catch(() => {}); // handled when awaited; silences pages abandoned by an early stop
    return { skip, page };
  };
  const pending = [request(0)];
  let nextSkip = pageSize;
  let total: number | undefined;
  const seen = new Set<string>();
  while (pending.length > 0) {
    const { skip, page: next } = pending.shift() as ReturnType<typeof request>;
    const page = await next;
    const at = `the page at skip ${skip}`;
    if (page.items.length > pageSize) {
      throw new JumpCloudError(
        "MALFORMED_RESPONSE",
        `Page of ${page.items.length} items exceeds the requested limit ${pageSize}; offsets would be wrong`,
        { method: "GET", path },
      );
    }
    // Strict on purpose: without a total, a truncated read looks exactly like a complete one.
    if (page.total === undefined) {
      throw incomplete(`${at} reported no total (${totalName}), so completeness cannot be proven`);
    }
    if (total !== undefined && page.total !== total) {
      throw incomplete(`the reported total changed from ${total} to ${page.total} (${at})`);
    }
    total = page.total;
    let withoutId = 0;
    const repeated: string[] = [];
    for (const item of page.items) {
      const id = (item as Record<string, unknown> | null)?.[idField];
      if (typeof id !== "string" || id === "") withoutId += 1;
      else if (seen.has(id)) repeated.push(id);
      else seen.add(id);
    }
    if (withoutId > 0) throw incomplete(`${withoutId} item(s) without an ${idField} (${at})`);
    if (repeated.length > 0) {
      throw incomplete(
        `${at} repeats ${repeated.length} id(s) already read, e.g. ${repeated[0]} (${seen.size} distinct of ${total} read)`,
      );
    }
    if (seen.size > total) {
      throw incomplete(`${seen.size} distinct ids read, more than the reported total of ${total} (${at})`);
    }
    const expected = Math.min(pageSize, total - skip);
    if (page.items.length < expected) {
      const shape =
        page.items.length === 0
          ? "came back empty"
          : `came back short (${page.items.length} of ${expected} items)`;
      throw incomplete(
        `${at} ${shape} before the reported total of ${total} (${seen.size} of ${total} read)`,
      );
    }
    yield* page.items;
    if (skip + pageSize >= total) {
      if (seen.size !== total) throw incomplete(`${seen.size} distinct ids read, ${total} reported`);
      return;
    }
    while (pending.length < prefetch && nextSkip < total) {
      pending.push(request(nextSkip));
      nextSkip += pageSize;
    }
  }
}

/** One page of Directory Insights events with the paging headers that came with it. */
export interface SearchAfterPage<T> {
  readonly items: readonly T[];
  /** `X-Result-Count`, when the server sent it. */
  readonly resultCount: number | undefined;
  /** `X-Limit`: the limit the server actually applied. */
  readonly limit: number;
  /** `X-Search_after`: the cursor for the next page. */
  readonly searchAfter: unknown[] | undefined;
}

/**
 * Streams Directory Insights results: resend the same query with `search_after` while
 * `X-Result-Count == X-Limit` (PS-DI; the header is present even on the last page).
 * A page whose length disagrees with its `X-Result-Count` throws `INCOMPLETE_COLLECTION`: the paging
 * decision rests on that count, so a disagreement means events may be missing.
 */
export async function* paginateSearchAfter<T>(
  fetchPage: (searchAfter: unknown[] | undefined) => Promise<SearchAfterPage<T>>,
  path: string,
): AsyncGenerator<T> {
  let cursor: unknown[] | undefined;
  let read = 0;
  for (;;) {
    const page = await fetchPage(cursor);
    if (page.resultCount !== undefined && page.resultCount !== page.items.length) {
      throw new JumpCloudError(
        "INCOMPLETE_COLLECTION",
        `Incomplete collection: a page of ${page.items.length} events came with X-Result-Count ${page.resultCount} (${read} events read before it)`,
        { method: "POST", path },
      );
    }
    read += page.items.length;
    yield* page.items;
    // Without X-Result-Count (the notes say it is always sent), the array length is the count.
    if (page.items.length < page.limit || page.items.length === 0) return;
    const next = page.searchAfter;
    if (!next || next.length === 0 || JSON.stringify(next) === JSON.stringify(cursor)) {
      throw new JumpCloudError(
        "MALFORMED_RESPONSE",
        "Directory Insights returned a full page without a new X-Search_after cursor",
        { method: "POST", path },
      );
    }
    cursor = next;
  }
}
