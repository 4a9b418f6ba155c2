import { expect, vi } from 'vitest';
import type { Client, TestStore } from './harness.ts';
import pg from 'pg';
import { createPool } from '../src/platform/db/database.ts';

/** Follows an order until it leaves the in-flight states (or `until` says so). */
export async function settle(c: Client, orderId: string, until = (s: string) => s !== 'pending' && s !== 'refund_pending') {
  return vi.waitFor(
    async () => {
      const o = await c.get(`/api/orders/${orderId}`);
      if (!until(o.body.status)) throw new Error(`order ${orderId} is still ${o.body.status}`);
      return o.body;
    },
    { timeout: 30_000, interval: 50 },
  );
}

/** Points are credited by the step after the order is marked paid: wait until the balance shows them. */
export async function pointsBecome(c: Client, expected: number) {
  // Waited for; when it never comes, the balance there is is returned for the caller's assertion to show.
  await vi
    .waitFor(async () => expect((await c.get('/api/points')).body.balance).toBe(expected), { timeout: 5_000, interval: 50 })
    .catch(() => undefined);
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
    const books = await netPaid(pool);
    const atPg = Object.fromEntries(Object.entries(pgTotals).map(([cur, v]) => [cur, v.capturedMinor - v.refundedMinor]));
    const money = [...new Set([...Object.keys(atPg), ...Object.keys(books)])]
      .filter((cur) => (atPg[cur] ?? 0) !== (books[cur] ?? 0))
      .map((cur) => `${cur}: ${atPg[cur] ?? 0} at the PG, ${books[cur] ?? 0} in orders`);
    return { money, ledgers: await ledgerMismatches(pool), orders: [...(await orderViolations(pool)), ...(await giftViolations(pool))] };
  } finally {
    await pool.end();
  }
}

/** Money the store believes the PG holds for it, per currency: paid minus refunded. */
async function netPaid(db: pg.Pool): Promise<Record<string, number>> {
  const r = await db.query<{ currency: string; net: string }>(`
    select currency, sum(case when status in ('paid', 'refund_pending') then paid_minor when status = 'refunded' then paid_minor - coalesce(refunded_minor, 0) else 0 end)::bigint as net
    from orders group by currency`);
  return Object.fromEntries(r.rows.map((row) => [row.currency, Number(row.net)]));
}

/** Every wallet's balance equals the sum of its ledger: "user/currency" where it does not. */
export async function ledgerMismatches(db: pg.Pool): Promise<string[]> {
  const r = await db.query<{ user_id: string; currency: string }>(`
    select a.user_id, a.currency from points_accounts a
    left join (select user_id, currency, sum(delta) as total from points_ledger group by user_id, currency) l on l.user_id = a.user_id and l.currency = a.currency
    where a.balance <> coalesce(l.total, 0)`);
  return r.rows.map((row) => `${row.user_id}/${row.currency}`);
}

/** No purchase-list entry without a live paid order; no paid order (not a gift) missing from it. */
async function orderViolations(db: pg.Pool): Promise<string[]> {
  const orphans = await db.query<{ user_id: string; game_id: string }>(
    `select l.user_id, l.game_id from library l join orders o on o.id = l.order_id where o.status not in ('paid', 'refund_pending')`,
  );
  // A gift order enters a library only when its gift is accepted (checked with the gifts below).
  const unlisted = await db.query<{ id: string }>(
    `select o.id from orders o where o.status = 'paid' and not o.gift and not exists (select 1 from library l where l.order_id = o.id)`,
  );
  return [
    ...orphans.rows.map((r) => `library entry ${r.user_id}/${r.game_id} without a live paid order`),
    ...unlisted.rows.map((r) => `paid order ${r.id} missing from the purchase list`),
  ];
}

/** An accepted gift is in the recipient's library and nothing else of a gift is; a gift's state matches its order's. */
async function giftViolations(db: pg.Pool): Promise<string[]> {
  const missing = await db.query<{ id: string }>(
    `select g.id from gifts g where g.state = 'accepted' and not exists (select 1 from library l where l.order_id = g.id and l.user_id = g.recipient_id)`,
  );
  const stray = await db.query<{ id: string }>(
    `select g.id from gifts g join library l on l.order_id = g.id where g.state <> 'accepted' or l.user_id <> g.recipient_id`,
  );
  const unpaid = await db.query<{ id: string; state: string; status: string }>(`
    select g.id, g.state, o.status from gifts g join orders o on o.id = g.id
    where (g.state in ('scheduled', 'delivered', 'accepted') and o.status <> 'paid')
       or (g.state = 'payment_failed' and o.status <> 'cancelled')`);
  return [
    ...missing.rows.map((r) => `accepted gift ${r.id} is not in the recipient's library`),
    ...stray.rows.map((r) => `gift ${r.id} is in a library but not accepted by its recipient`),
    ...unpaid.rows.map((r) => `gift ${r.id} is ${r.state} but its order is ${r.status}`),
  ];
}

export async function invariantsHold(t: TestStore) {
  expect(await checkBooks(t.databaseUrl, t.paysim.totals())).toEqual({ money: [], ledgers: [], orders: [] });
}

/** Follows an order or a cart checkout (`path`) until it shows the wallet's approval page; returns it as it was then. */
export async function awaitingApproval(c: Client, path: string) {
  return vi.waitFor(
    async () => {
      const v = (await c.get(path)).body;
      if (!v.approvalUrl) throw new Error('no approval link yet');
      return v as { status: string; approvalUrl: string };
    },
    { timeout: 5_000, interval: 50 },
  );
}

/** The buyer answers on the PG's approval page (a form post that redirects back to the store). */
export function decideAtPg(approvalUrl: string, decision: 'approve' | 'decline' = 'approve') {
  return fetch(approvalUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `decision=${decision}`,
    redirect: 'manual',
  });
}
