import { JumpCloudError } from "./errors.js";

/** One page of an offset-paged collection and the total the server reported with it, if any. */
export interface OffsetPage<T> {
  readonly items: readonly T[];
  readonly total: number | undefined;
}

/** Fetches the page that starts at `skip`. */
export type FetchOffsetPage<T> = (skip: number) => Promise<OffsetPage<T>>;

/**
 * Streams an offset-paged collection (v1 `{totalCount, results}`, v2 arrays + `X-Total-Count`).
 * Once the first page tells the total, up to `prefetch` later pages are fetched ahead, in order.
 * Paging ends on a short page or when the reported total is reached, never on anything else.
 */
export async function* paginateOffset<T>(
  fetchPage: FetchOffsetPage<T>,
  pageSize: number,
  prefetch: number,
  path: string,
): AsyncGenerator<T> {
  const pending: Promise<OffsetPage<T>>[] = [];
  let nextSkip = 0;
  let total: number | undefined;
  const schedule = (): void => {
    // Without a total, fetch one page at a time; with one, keep a window of pages in flight.
    const window = total === undefined ? 1 : prefetch;
    while (pending.length < window && (total === undefined ? pending.length === 0 : nextSkip < total)) {
      const page = fetchPage(nextSkip);
      page.catch(() => {}); // handled when awaited; silences pages abandoned by an early stop
      pending.push(page);
      nextSkip += pageSize;
    }
  };
  schedule();
  while (pending.length > 0) {
    const page = await (pending.shift() as Promise<OffsetPage<T>>);
    if (page.items.length > pageSize) {
      throw new JumpCloudError(
        "MALFORMED_RESPONSE",
        `Page of ${page.items.length} items exceeds the requested limit ${pageSize}; offsets would be wrong`,
        { method: "GET", path },
      );
    }
    yield* page.items;
    if (page.items.length < pageSize) return;
    if (page.total !== undefined) total = page.total;
    if (total !== undefined && nextSkip >= total && pending.length === 0) return;
    schedule();
  }
}

/** One page of Directory Insights events with the paging headers that came with it. */
export interface SearchAfterPage<T> {
  readonly items: readonly T[];
  /** `X-Result-Count`, falling back to the array length. */
  readonly resultCount: number;
  /** `X-Limit`: the limit the server actually applied. */
  readonly limit: number;
  /** `X-Search_after`: the cursor for the next page. */
  readonly searchAfter: unknown[] | undefined;
}

/**
 * Streams Directory Insights results: resend the same query with `search_after` while
 * `X-Result-Count == X-Limit` (PS-DI; the header is present even on the last page).
 */
export async function* paginateSearchAfter<T>(
  fetchPage: (searchAfter: unknown[] | undefined) => Promise<SearchAfterPage<T>>,
  path: string,
): AsyncGenerator<T> {
  let cursor: unknown[] | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    if (page.resultCount < page.limit || page.items.length === 0) return;
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
