import type { GameCard, GameInput, HomePage, OperatorGame, SearchResult, StoreGame } from '../../src/catalog/schemas.ts';
import type { Me } from '../../src/accounts/schemas.ts';
import type { CheckoutQuote, LibraryEntry, OrderView } from '../../src/orders/schemas.ts';
import { observeStoreTime } from './clock.ts';
import type { GiftRecipients, GiftReport, GiftView } from '../../src/gifts/schemas.ts';

export type { GameCard, GameInput, HomePage, OperatorGame, SearchResult, StoreGame, Me, CheckoutQuote, OrderView, GiftRecipients, GiftReport, GiftView, LibraryEntry };
export type OperatorGameRow = { id: string; slug: string; title: string; status: string; releaseDate: string | null; version: number; updatedAt: string };

/** An error the API explained: a code to branch on and a sentence to show. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: Record<string, unknown>) {
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
  const res = await fetch(path, { ...init, headers, body, credentials: 'same-origin' });
  observeStoreTime(res.headers);
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const e = data?.error ?? { code: data?.code ?? 'error', message: data?.message ?? res.statusText };
    throw new ApiError(res.status, e.code ?? 'error', e.message ?? 'Request failed', e.details);
  }
  return { data: data as T, headers: res.headers };
}

export const get = async <T,>(path: string) => (await api<T>(path)).data;
