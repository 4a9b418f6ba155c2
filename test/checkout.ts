import { expect } from 'vitest';
import type { Client, TestStore } from './harness.ts';

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

/**
 * The books agree with the PG and with themselves: money captured − refunded at the PG equals the paid total
 * of live orders (minus refunds); every points ledger sums to its balance; no purchase-list entry without a
 * live paid order; no saga left pending.
 */
export async function invariantsHold(t: TestStore) {
  const pg = t.paysim.totals();
  const netAtPg = Object.fromEntries(Object.entries(pg).map(([cur, v]) => [cur, v.capturedMinor - v.refundedMinor]));
  const books = await t.store.orderStore.netPaid();
  for (const cur of new Set([...Object.keys(netAtPg), ...Object.keys(books)])) expect(netAtPg[cur] ?? 0, `money at the PG in ${cur}`).toBe(books[cur] ?? 0);
  expect(await t.store.points.mismatches()).toEqual([]);
  expect(await t.store.orderStore.invariantViolations()).toEqual([]);
}
