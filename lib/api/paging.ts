// JustLogin's paging: the `x-pagination` header of a list, and a lazy walk over its pages.
import { JustLoginApiError } from '../errors';
import type { JustLoginPage, JustLoginPagination } from './types';

/** The most pages one walk reads; a server that still says `HasNext` after them is not believed. */
export const MAX_PAGES = 10_000;
/** The longest `x-pagination` header read. */
const MAX_HEADER_LENGTH = 1024;

const COUNTS = ['TotalCount', 'PageSize', 'CurrentPage', 'TotalPages'] as const;
const FLAGS = ['HasNext', 'HasPrevious'] as const;

/**
 * The paging state in an `x-pagination` header such as
 * `{"TotalCount":37,"PageSize":10,"CurrentPage":1,"TotalPages":4,"HasNext":true,"HasPrevious":false}`,
 * or `undefined` when there is none. A header that is not that rejects with a
 * {@link JustLoginApiError} (`EBADRESPONSE`) naming neither its content nor the body.
 */
export function parsePagination(header: string | string[] | undefined, what: string): JustLoginPagination | undefined {
  if (header === undefined) return undefined;
  let json: unknown;
  try {
    json = typeof header === 'string' && header.length <= MAX_HEADER_LENGTH ? JSON.parse(header) : undefined;
  } catch {
    json = undefined;
  }
  const state = json as Record<string, unknown> | undefined;
  const valid =
    typeof state === 'object' &&
    state !== null &&
    COUNTS.every((key) => Number.isSafeInteger(state[key]) && (state[key] as number) >= 0) &&
    FLAGS.every((key) => typeof state[key] === 'boolean');
  if (!valid) {
    throw new JustLoginApiError(
      `JustLogin's API (${what}) sent an x-pagination header that is not the documented JSON object`,
      'EBADRESPONSE',
      { retryable: false },
    );
  }
  return {
    totalCount: state.TotalCount as number,
    pageSize: state.PageSize as number,
    currentPage: state.CurrentPage as number,
    totalPages: state.TotalPages as number,
    hasNext: state.HasNext as boolean,
    hasPrevious: state.HasPrevious as boolean,
  };
}

/** The paging state of a page that came without `x-pagination`: the last page, holding `count` objects. */
export function lastPage(count: number, page: number): JustLoginPagination {
  return {
    totalCount: count,
    pageSize: count,
    currentPage: page,
    totalPages: page,
    hasNext: false,
    hasPrevious: page > 1,
  };
}

/**
 * Yields every object of every page from `first` on, reading one page at a
 * time when the previous one has been consumed. Stops after a page that says
 * `HasNext: false`, is empty, or is the last of `TotalPages`; rejects with
 * `EBADRESPONSE` when a page is not the one asked for or when JustLogin still
 * says there is more after {@link MAX_PAGES} pages.
 */
export async function* walkPages<T>(
  readPage: (page: number) => Promise<JustLoginPage<T>>,
  first: number,
  what: string,
): AsyncGenerator<T, void, undefined> {
  for (let page = first; ; page += 1) {
    if (page - first >= MAX_PAGES) {
      throw new JustLoginApiError(
        `JustLogin's API (${what}) still said there were more pages after ${MAX_PAGES}; the walk stopped`,
        'EBADRESPONSE',
        { retryable: false },
      );
    }
    const { items, pagination } = await readPage(page);
    if (pagination.currentPage !== page) {
      throw new JustLoginApiError(
        `JustLogin's API (${what}) answered page ${pagination.currentPage} when asked for page ${page}`,
        'EBADRESPONSE',
        { retryable: false },
      );
    }
    yield* items;
    if (!pagination.hasNext || items.length === 0 || page >= pagination.totalPages) return;
  }
}
