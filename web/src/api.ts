import type { GameCard, GameInput, HomePage, OperatorGame, SearchResult, StoreGame } from '../../src/catalog/schemas.ts';
import type { Me } from '../../src/accounts/schemas.ts';
import type { CartView, CheckoutQuote, CheckoutView, LibraryEntry, OrderView } from '../../src/orders/schemas.ts';
import { observeStoreTime } from './clock.ts';
import type { GiftRecipients, GiftReport, GiftView } from '../../src/gifts/schemas.ts';
import type { Reason, Recommendation } from '../../src/recommendations/schemas.ts';
import type { ReviewPage, ReviewView } from '../../src/reviews/schemas.ts';

export type {
  GameCard,
  GameInput,
  HomePage,
  OperatorGame,
  SearchResult,
  StoreGame,
  Me,
  CheckoutQuote,
  CartView,
  CheckoutView,
  OrderView,
  GiftRecipients,
  GiftReport,
  GiftView,
  LibraryEntry,
  Reason,
  Recommendation,
  ReviewPage,
  ReviewView,
};
export type WishlistEntry = { gameId: string; addedAt: string; game: GameCard | null };
export type OperatorGameRow = {
  id: string;
  slug: string;
  title: string;
  status: string;
  releaseDate: string | null;
  version: number;
  updatedAt: string;
};

/** An error the API explained: a code to branch on and a sentence to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<{ data: T; headers: Headers }> {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  headers.set('accept', 'application/json');
  return read<T>(await fetch(path, { ...init, headers, body, credentials: 'same-origin' }));
}

/** An answer's JSON, or the ApiError it explains. */
async function read<T>(res: Response): Promise<{ data: T; headers: Headers }> {
  observeStoreTime(res.headers);
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const e = data?.error ?? { code: data?.code ?? 'error', message: data?.message ?? res.statusText };
    throw new ApiError(res.status, e.code ?? 'error', e.message ?? 'Request failed', e.details);
  }
  return { data: data as T, headers: res.headers };
}

export const get = async <T>(path: string) => (await api<T>(path)).data;

/**
 * A long poll (conditional GET with `Prefer: wait`): from the version `etag` the page has, the next version as soon
 * as there is one; the same one back when nothing changed within `waitSeconds` (the server's 304).
 */
export async function nextVersion<T>(
  path: string,
  have: { data: T; etag: string } | undefined,
  waitSeconds = 20,
): Promise<{ data: T; etag: string }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (have) Object.assign(headers, { 'if-none-match': have.etag, prefer: `wait=${waitSeconds}` });
  const res = await fetch(path, { headers, credentials: 'same-origin', cache: 'no-store' });
  if (have && res.status === 304) {
    observeStoreTime(res.headers);
    return have;
  }
  const { data } = await read<T>(res);
  return { data, etag: res.headers.get('etag') ?? '' };
}
