import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import { createTestDatabase } from '../../test/harness.ts';
import { createPool, kyselyFor, migrate, type Pool } from './db/database.ts';
import { ManualClock } from './clock.ts';
import { timerMigrations, Timers, type TimerTables } from './timers.ts';
import { asTx, tablesOf } from './db/tx.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
let k: Kysely<TimerTables & { fired: { timer_id: string; node: string } }>;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  await migrate(pool, timerMigrations, log);
  k = kyselyFor(pool);
  // No unique key on purpose: a timer that fired twice would show as two rows.
  await sql`create table fired (timer_id text not null, node text not null)`.execute(k);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const node = (name: string, clock: ManualClock, fail?: (id: string) => boolean) => {
  const t = new Timers(k as unknown as Kysely<TimerTables>, clock, log, 20);
  t.register('record', {
    kind: 'local',
    run: async (tx, input: { id: string }) => {
      await tablesOf<{ fired: { timer_id: string; node: string } }>(tx)
        .insertInto('fired')
        .values({ timer_id: input.id, node: name })
        .execute();
      if (fail?.(input.id)) throw new Error(`handler failed for ${input.id}`);
    },
  });
  return t;
};

describe('durable timers (S2.7, S2.13: delivery and the 30-day limit)', () => {
  it('S2.13 two nodes polling the same timers fire each exactly once, and only when the injected clock reaches it', async () => {
    const clock = new ManualClock('2026-11-24T00:00:00Z');
    const [a, b] = [node('a', clock), node('b', clock)];
    const at = clock.now().getTime();
    for (let i = 0; i < 200; i++)
      await a.schedule(asTx(k), {
        id: `t-${i}`,
        handler: 'record',
        input: { id: `t-${i}` },
        dueAt: new Date(at + (i % 2 ? 30 * 86_400_000 : 3_600_000)),
      });
    await a.schedule(asTx(k), { id: 't-0', handler: 'record', input: { id: 'dup' }, dueAt: new Date(at) }); // same id again: a no-op
    a.start();
    b.start();
    // Both nodes fire whatever is due now and return when nothing is: none is due before the clock moves.
    await Promise.all([a.drain(), b.drain()]);
    expect(Number((await sql<{ n: number }>`select count(*) as n from fired`.execute(k)).rows[0]!.n)).toBe(0);

    clock.advance(3_600_000); // the even ones are due
    a.kick();
    b.kick();
    await vi.waitFor(async () => expect((await a.pending()).length).toBeLessThanOrEqual(100), { timeout: 5_000, interval: 50 });
    clock.advance(30 * 86_400_000); // and the odd ones
    await vi.waitFor(async () => expect(await a.pending()).toEqual([]), { timeout: 5_000, interval: 50 });
    await Promise.all([a.stop(), b.stop()]);

    const rows = (await sql<{ timer_id: string; n: number }>`select timer_id, count(*)::int as n from fired group by timer_id`.execute(k))
      .rows;
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    const byNode = (await sql<{ node: string; n: number }>`select node, count(*)::int as n from fired group by node`.execute(k)).rows;
    expect(byNode.reduce((s, r) => s + r.n, 0)).toBe(200);
    expect(rows.map((r) => r.timer_id)).not.toContain('dup');
  });

  it('S2.13 a failing handler leaves nothing behind, keeps its error and is retried later with backoff', async () => {
    const clock = new ManualClock('2027-01-01T00:00:00Z');
    let failures = 2;
    const t = node('c', clock, (id) => id === 'flaky' && failures-- > 0);
    await t.schedule(asTx(k), { id: 'flaky', handler: 'record', input: { id: 'flaky' }, dueAt: clock.now() });
    expect(await t.fireNext()).toBe(true);
    let [row] = await t.pending('flaky');
    expect(row).toMatchObject({ attempts: 1, last_error: 'handler failed for flaky' });
    expect(row!.due_at.getTime()).toBe(clock.now().getTime() + 1000);
    expect(await t.fireNext()).toBe(false); // not due again yet
    clock.advance(1000);
    expect(await t.fireNext()).toBe(true);
    [row] = await t.pending('flaky');
    expect(row!.due_at.getTime()).toBe(clock.now().getTime() + 2000);
    clock.advance(2000);
    expect(await t.fireNext()).toBe(true);
    expect(await t.pending('flaky')).toEqual([]);
    // The two failed runs' writes were rolled back with them.
    expect(Number((await sql<{ n: number }>`select count(*) as n from fired where timer_id = 'flaky'`.execute(k)).rows[0]!.n)).toBe(1);
  });

  it('S2.12 a cancelled timer never fires', async () => {
    const clock = new ManualClock('2027-02-01T00:00:00Z');
    const t = node('d', clock);
    await t.schedule(asTx(k), { id: 'gone', handler: 'record', input: { id: 'gone' }, dueAt: clock.now() });
    await t.cancel(asTx(k), 'gone');
    expect(await t.fireNext()).toBe(false);
    expect(Number((await sql<{ n: number }>`select count(*) as n from fired where timer_id = 'gone'`.execute(k)).rows[0]!.n)).toBe(0);
  });
});
