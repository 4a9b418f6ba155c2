import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import { createTestDatabase } from '../../test/harness.ts';
import { createPool, kyselyFor, migrate, type Pool } from './db/database.ts';
import { Transactions } from './db/tx.ts';
import { EventLog, eventMigrations, publish, type DomainEvent, type EventTables } from './events.ts';

declare module './events.ts' {
  interface DomainEventMap {
    'test.happened': { n: number };
    'test.other': { s: string };
  }
}

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
let k: Kysely<EventTables>;
let transactions: Transactions;
const log = pino({ level: 'silent' });
const now = new Date('2026-12-02T00:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url);
  await migrate(pool, eventMigrations, log);
  k = kyselyFor(pool);
  transactions = new Transactions(pool);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

function recorder(name: string, fail?: () => boolean) {
  const seen: DomainEvent<'test.happened'>[] = [];
  const events = new EventLog(k, transactions, log, 10_000);
  events.consumer({
    name,
    types: ['test.happened'],
    handle: async (_tx, batch) => {
      if (fail?.()) throw new Error('consumer failed');
      seen.push(...batch);
    },
  });
  return { events, seen };
}

describe('domain event log (R13: every activity feeds the log)', () => {
  it('R13 a consumer sees committed events once, in commit order, never a rolled-back one, and other types not at all', async () => {
    const { events, seen } = recorder('order');
    await transactions.run((tx) => publish(tx, 'test.happened', { n: 1 }, now));
    await transactions
      .run(async (tx) => {
        await publish(tx, 'test.happened', { n: -1 }, now);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await transactions.run(async (tx) => {
      await publish(tx, 'test.other', { s: 'x' }, now);
      await publish(tx, 'test.happened', { n: 2 }, now);
    });
    // caughtUp, not drain: another test file's open transaction on the same server may hide the events for a while.
    await events.caughtUp();
    await events.drain();
    expect(seen.map((e) => e.payload.n)).toEqual([1, 2]);
  });

  it('R13 an event whose transaction commits after a later-numbered one was published is not skipped', async () => {
    const { events, seen } = recorder('gap');
    await events.caughtUp();
    const before = seen.length;
    // A takes the lower sequence number but commits last; the consumer reads between B's commit and A's.
    let commitA!: () => void;
    const aHolds = new Promise<void>((r) => (commitA = r));
    let aPublished!: () => void;
    const aStarted = new Promise<void>((r) => (aPublished = r));
    const a = transactions.run(async (tx) => {
      await publish(tx, 'test.happened', { n: 10 }, now);
      aPublished();
      await aHolds;
    });
    await aStarted;
    await transactions.run((tx) => publish(tx, 'test.happened', { n: 11 }, now));
    await events.drain();
    const whileAOpen = seen.slice(before).map((e) => e.payload.n);
    commitA();
    await a;
    await events.caughtUp();
    const seqs = await sql<{
      n: number;
      seq: string;
    }>`select (payload->>'n')::int as n, seq from domain_events where (payload->>'n')::int in (10, 11)`.execute(k);
    expect(Number(seqs.rows.find((r) => r.n === 10)!.seq)).toBeLessThan(Number(seqs.rows.find((r) => r.n === 11)!.seq));
    expect(whileAOpen).toEqual([]);
    expect(seen.slice(before).map((e) => e.payload.n)).toEqual([10, 11]);
  });

  it('R13 a failing consumer keeps its cursor and gets the same events again; a dedupe key publishes once', async () => {
    let failing = true;
    const { events, seen } = recorder('retry', () => failing);
    await transactions.run(async (tx) => {
      await publish(tx, 'test.happened', { n: 20 }, now, 'once');
      await publish(tx, 'test.happened', { n: 21 }, now, 'once');
    });
    await expect(events.caughtUp()).rejects.toThrow('consumer failed');
    expect(seen).toEqual([]);
    failing = false;
    await events.caughtUp();
    expect(seen.map((e) => e.payload.n).filter((n) => n >= 20)).toEqual([20]);
  });

  it('R13 two nodes running the same consumer handle each event once', async () => {
    const a = recorder('shared');
    const b = recorder('shared');
    for (let i = 0; i < 40; i++) await transactions.run((tx) => publish(tx, 'test.happened', { n: 100 + i }, now));
    await Promise.all([a.events.drain(), b.events.drain(), a.events.caughtUp(), b.events.caughtUp()]);
    const all = [...a.seen, ...b.seen].map((e) => e.payload.n).filter((n) => n >= 100);
    expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
  });

  it('R13 caughtUp waits for events a transaction open elsewhere on the server hides, where drain returns before them', async () => {
    const { events, seen } = recorder('patient');
    await events.caughtUp();
    const before = seen.length;
    // Another database's open transaction holds the server's snapshot back: committed events are not readable yet.
    const other = await createTestDatabase();
    const blocker = createPool(other.url);
    const client = await blocker.connect();
    try {
      await client.query('begin');
      await client.query('select pg_current_xact_id()');
      await transactions.run((tx) => publish(tx, 'test.happened', { n: 42 }, now));
      await events.drain();
      expect(seen.slice(before)).toEqual([]); // committed, but not readable while the other transaction is open
      const released = new Promise<void>((r) => setTimeout(() => void client.query('commit').then(() => r()), 300));
      await events.caughtUp();
      expect(seen.slice(before).map((e) => e.payload.n)).toEqual([42]);
      await released;
    } finally {
      client.release();
      await blocker.end();
      await other.drop();
    }
  });
});
