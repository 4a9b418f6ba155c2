/**
 * npm run bench:timers — how fast durable timers fire (gift deliveries, 30-day limits), against a baseline
 * measured in the same run on the same PostgreSQL: the same SQL a local timer costs (lock the earliest due
 * row with SKIP LOCKED, write the handler's row, mark it fired — one transaction) issued directly.
 * Reports timers/s for one node and for two nodes polling together, and the ratio to the baseline.
 */
import pino from 'pino';
import { sql, type Kysely } from 'kysely';
import { benchDatabase } from './database.ts';
import { createPool, kyselyFor, migrate } from '../src/platform/db/database.ts';
import { systemClock } from '../src/platform/clock.ts';
import { timerMigrations, Timers, type TimerTables } from '../src/platform/timers.ts';
import { asTx, tablesOf } from '../src/platform/db/tx.ts';

const N = Number(process.env.BENCH_TIMERS ?? 5000);
const log = pino({ level: 'warn' });

async function main() {
  const dataDir = process.env.DATA_DIR ?? '.data';
  const database = await benchDatabase('store_timers_bench', dataDir, log);
  const pool = createPool(database.url, 8);
  try {
    await migrate(pool, timerMigrations, log);
    const db = kyselyFor<TimerTables & { fired: { timer_id: string } }>(pool);
    await sql`create table fired (timer_id text not null)`.execute(db);
    const timers = () => {
      const t = new Timers(db as unknown as Kysely<TimerTables>, systemClock, log, 1000);
      t.register('record', {
        kind: 'local',
        run: async (tx, input: { id: string }) =>
          void (await tablesOf<{ fired: { timer_id: string } }>(tx).insertInto('fired').values({ timer_id: input.id }).execute()),
      });
      return t;
    };
    const schedule = async (prefix: string) => {
      const t = timers();
      const past = new Date(Date.now() - 1000);
      for (let i = 0; i < N; i += 500) {
        await db.transaction().execute(async (trx) => {
          for (let j = i; j < Math.min(N, i + 500); j++)
            await t.schedule(asTx(trx), { id: `${prefix}-${j}`, handler: 'record', input: { id: `${prefix}-${j}` }, dueAt: past });
        });
      }
    };

    // Baseline: the same statements, issued directly, one transaction per row.
    await sql`create table raw_timers (id text primary key, due_at timestamptz not null, fired_at timestamptz)`.execute(db);
    await sql`create index raw_due on raw_timers (due_at) where fired_at is null`.execute(db);
    await sql`insert into raw_timers select 'r-' || g, now() - interval '1 second' from generate_series(1, ${N}) g`.execute(db);
    const c = await pool.connect();
    let t0 = performance.now();
    for (;;) {
      await c.query('begin');
      const r = await c.query(
        `select id from raw_timers where fired_at is null and due_at <= now() order by due_at limit 1 for update skip locked`,
      );
      if (!r.rowCount) {
        await c.query('commit');
        break;
      }
      await c.query(`insert into fired values ($1)`, [r.rows[0].id]);
      await c.query(`update raw_timers set fired_at = now() where id = $1`, [r.rows[0].id]);
      await c.query('commit');
    }
    const baseline = N / ((performance.now() - t0) / 1000);
    c.release();

    await schedule('one');
    const one = timers();
    t0 = performance.now();
    while (await one.fireNext()) {
      /* drain */
    }
    const oneNode = N / ((performance.now() - t0) / 1000);

    await schedule('two');
    const [a, b] = [timers(), timers()];
    t0 = performance.now();
    await Promise.all(
      [a, b].map(async (t) => {
        while (await t.fireNext()) {
          /* drain */
        }
      }),
    );
    const twoNodes = N / ((performance.now() - t0) / 1000);
    const dup = (
      await sql<{ n: number }>`select count(*)::int as n from (select timer_id from fired group by timer_id having count(*) > 1) d`.execute(
        db,
      )
    ).rows[0]!.n;

    const r = (x: number) => Math.round(x);
    console.log(
      JSON.stringify({
        timers: N,
        baselineTxPerSec: r(baseline),
        oneNodeTimersPerSec: r(oneNode),
        twoNodesTimersPerSec: r(twoNodes),
        ratioOneNode: +(oneNode / baseline).toFixed(2),
        ratioTwoNodes: +(twoNodes / baseline).toFixed(2),
        firedTwice: dup,
      }),
    );
  } finally {
    await pool.end();
    await database.stop();
  }
}

await main();
