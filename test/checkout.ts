import { expect } from 'vitest';
import type { Client, TestStore } from './harness.ts';
import { createPool, kyselyFor } from '../src/platform/db/database.ts';
import { OrderStore, type OrderTables } from '../src/orders/store.ts';
import { PointsStore, type PointsTables } from '../src/points/store.ts';
import { GiftStore, type GiftTables } from '../src/gifts/store.ts';

/** Follows an order until it leaves the in-flight states (or `until` says so). */
export async function settle(c: Client, orderId: string, until = (s: string) => s !== 'pending' && s !== 'refund_pending') {
  for (let i = 0; i < 300; i++) {
    const o = await c.get(`/api/orders/${orderId}`);
    if (until(o.body.status)) return o.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`order ${orderId} did not settle`);
}

/** Points are credited by the step after the order is marked paid: wait until the balance shows them. */
export async function pointsBecome(c: Client, expected: number) {
  for (let i = 0; i < 100; i++) {
    const balance = (await c.get('/api/points')).body.balance;
    if (balance === expected) return balance;
    await new Promise((r) => setTimeout(r, 50));
  }
  return (await c.get('/api/points')).body.balance;
}

type PgTotals = Record<string, { capturedMinor: number; refundedMinor: number }>;

/**
 * The books agree with the PG and with themselves: money captured − refunded at the PG equals the paid total
 * of live orders (minus refunds), per currency; every points ledger sums to its balance; no purchase-list entry
 * without a live paid order and no paid order missing from it; an accepted gift is in its recipient's library
 * and no other gift is in anyone's. Reads the store's database directly, so it also
 * checks a store running in another process (crash test, checkout benchmark).
 */
export async function checkBooks(databaseUrl: string, pgTotals: PgTotals) {
  const pool = createPool(databaseUrl, 2);
  try {
    const orders = new OrderStore(kyselyFor<OrderTables>(pool));
    const books = await orders.netPaid();
    const atPg = Object.fromEntries(Object.entries(pgTotals).map(([cur, v]) => [cur, v.capturedMinor - v.refundedMinor]));
    const money = [...new Set([...Object.keys(atPg), ...Object.keys(books)])]
      .filter((cur) => (atPg[cur] ?? 0) !== (books[cur] ?? 0))
      .map((cur) => `${cur}: ${atPg[cur] ?? 0} at the PG, ${books[cur] ?? 0} in orders`);
    const gifts = await new GiftStore(kyselyFor<GiftTables>(pool)).invariantViolations();
    return { money, ledgers: await new PointsStore(kyselyFor<PointsTables>(pool)).mismatches(), orders: [...(await orders.invariantViolations()), ...gifts] };
  } finally {
    await pool.end();
  }
}

export async function invariantsHold(t: TestStore) {
  expect(await checkBooks(t.databaseUrl, t.paysim.totals())).toEqual({ money: [], ledgers: [], orders: [] });
}
