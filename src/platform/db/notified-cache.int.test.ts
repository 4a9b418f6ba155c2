import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from '../../../test/harness.ts';
import { NotifiedCache } from './notified-cache.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await pool.query(`create table things (id text primary key, value int not null)`);
  await pool.query(`
    create function things_changed() returns trigger language plpgsql as $$
    begin perform pg_notify('things_changed', coalesce(new.id, old.id)); return null; end $$`);
  await pool.query(
    `create trigger things_changed after insert or update or delete on things for each row execute function things_changed()`,
  );
  await pool.query(`insert into things values ('a', 1), ('b', 1)`);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const cache = () => new NotifiedCache<number>({ databaseUrl: db.url, channel: 'things_changed', ttlMs: 60_000, max: 100 });
const read = (id: string) => async () =>
  (await pool.query<{ value: number }>(`select value from things where id = $1`, [id])).rows[0]!.value;

describe('a read cache kept honest by NOTIFY (issue 15)', () => {
  it('R6 serves from memory, and a committed change drops only what it names', async () => {
    const c = cache();
    await c.start();
    try {
      const loads = { a: 0, b: 0 };
      const get = (id: 'a' | 'b') => c.through(id, () => (loads[id]++, read(id)()), { tag: () => id });
      expect(await get('a')).toBe(1);
      expect(await get('b')).toBe(1);
      expect(await get('a')).toBe(1);
      expect(loads).toEqual({ a: 1, b: 1 });
      await pool.query(`update things set value = 2 where id = 'a'`);
      await vi.waitFor(async () => expect(await get('a')).toBe(2), { timeout: 2000, interval: 10 });
      expect(await get('b')).toBe(1);
      expect(loads).toEqual({ a: 2, b: 1 }); // the change named a: b stayed in memory
    } finally {
      await c.stop();
    }
  });

  it('R6 a read that raced a change is not kept: the next read sees the change', async () => {
    const c = cache();
    await c.start();
    try {
      // The load reads the old value, then the change commits and its notification arrives before the load returns.
      const stale = await c.through('a', async () => {
        const v = await read('a')();
        const arrived = c.stats.invalidations;
        await pool.query(`update things set value = value + 1 where id = 'a'`);
        await vi.waitFor(() => expect(c.stats.invalidations).toBeGreaterThan(arrived), { timeout: 2000, interval: 5 });
        return v;
      });
      const fresh = await c.through('a', read('a'));
      expect(fresh).toBe(stale + 1);
    } finally {
      await c.stop();
    }
  });

  it('R6 while its LISTEN connection is down nothing is served from memory; back, it starts empty', async () => {
    const c = cache();
    await c.start();
    try {
      expect(c.live).toBe(true);
      expect(await c.through('b', read('b'))).toBe(1);
      // The listening connection dies; a change made meanwhile is not heard of.
      await pool.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'listen:things_changed'`);
      await vi.waitFor(() => expect(c.live).toBe(false), { timeout: 2000, interval: 5 });
      await pool.query(`update things set value = 7 where id = 'b'`);
      expect(await c.through('b', read('b'))).toBe(7);
      await vi.waitFor(() => expect(c.live).toBe(true), { timeout: 5000, interval: 20 });
      expect(await c.through('b', async () => -1)).toBe(-1); // emptied on reconnect: loaded again
    } finally {
      await c.stop();
    }
  });

  it('R6 every cache of a process on one database shares one LISTEN connection; each still hears only its channel and survives the others', async () => {
    await pool.query(`create table others (id text primary key)`);
    await pool.query(`
      create function others_changed() returns trigger language plpgsql as $$
      begin perform pg_notify('others_changed', new.id); return null; end $$`);
    await pool.query(`create trigger others_changed after insert on others for each row execute function others_changed()`);
    const listening = async () => {
      const r = await pool.query<{ n: string }>(
        `select count(*) as n from pg_stat_activity where datname = current_database() and application_name like 'listen%'`,
      );
      return Number(r.rows[0]!.n);
    };
    const [a1, a2] = [cache(), cache()];
    const b = new NotifiedCache<number>({ databaseUrl: db.url, channel: 'others_changed', ttlMs: 60_000, max: 100 });
    await Promise.all([a1.start(), a2.start(), b.start()]);
    try {
      expect([a1.live, a2.live, b.live]).toEqual([true, true, true]);
      expect(await listening()).toBe(1);
      await a1.through('a', async () => 1, { tag: () => 'a' });
      await b.through('x', async () => 1, { tag: () => 'x' });
      const before = { a: a1.stats.invalidations, b: b.stats.invalidations };
      await pool.query(`insert into others values ('x')`);
      await vi.waitFor(() => expect(b.stats.invalidations).toBe(before.b + 1), { timeout: 2000, interval: 5 });
      expect(a1.stats.invalidations).toBe(before.a); // not its channel
      // One cache of a channel stops: the other of the same channel still hears it.
      await a1.stop();
      expect(a2.live).toBe(true);
      const a2Before = a2.stats.invalidations;
      await pool.query(`update things set value = value + 1 where id = 'a'`);
      await vi.waitFor(() => expect(a2.stats.invalidations).toBe(a2Before + 1), { timeout: 2000, interval: 5 });
      // The shared connection dies: every cache on it reads through, then all come back.
      await pool.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name like 'listen%'`,
      );
      await vi.waitFor(() => expect([a2.live, b.live]).toEqual([false, false]), { timeout: 2000, interval: 5 });
      await vi.waitFor(() => expect([a2.live, b.live]).toEqual([true, true]), { timeout: 5000, interval: 20 });
      expect(await listening()).toBe(1);
    } finally {
      await Promise.all([a2.stop(), b.stop()]);
    }
    await vi.waitFor(async () => expect(await listening()).toBe(0), { timeout: 2000, interval: 20 });
  });

  it('R6 without a database URL (scripts, unit tests) nothing is cached', async () => {
    const c = new NotifiedCache<number>({ channel: 'things_changed', ttlMs: 60_000, max: 10 });
    await c.start();
    let loads = 0;
    for (let i = 0; i < 3; i++) await c.through('a', async () => ++loads);
    expect(loads).toBe(3);
  });
});
