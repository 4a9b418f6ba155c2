/**
 * npm run bench:checkout — concurrent users pre-ordering during a promotion (10 % pre-order discount), through
 * the real store process, paysim as its own process and durable sagas. Reports sagas completed per second and
 * p50/p99 checkout latency (POST /api/orders → order paid, followed with the order's long poll), and, in the same run on the same PostgreSQL,
 * the real pgbench's TPC-B-like transaction rate (its default script, scale 1, the same number of connections)
 * as the baseline. The last line is JSON with the ratio and the invariant check.
 * Bounded: BENCH_USERS × BENCH_ORDERS_PER_USER checkouts, and TPC-B for BENCH_TPCB_SECONDS; 127.0.0.1 only.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import pino from 'pino';
import { benchDatabase } from './database.ts';
import { Client, gameInput } from '../test/harness.ts';
import { checkBooks } from '../test/checkout.ts';
import { percentile } from './stats.ts';
import { benchAccount, cpuTicks, startStoreProcess } from './store.ts';

const USERS = Number(process.env.BENCH_USERS ?? 40);
const ORDERS_PER_USER = Number(process.env.BENCH_ORDERS_PER_USER ?? 10);
const TPCB_SECONDS = Number(process.env.BENCH_TPCB_SECONDS ?? 10);
const log = pino({ level: 'warn' });

/**
 * The real pgbench (PGBENCH, else `pgbench` on the PATH — Debian's postgresql-client has it), on the same database
 * server: initialised at scale 1, then its default TPC-B-like script with `clients` connections (the same number
 * as the bench's users) for `seconds`. Returns the tps pgbench reports (without the initial connection time).
 */
function pgbench(url: string, clients: number, seconds: number): number {
  const bin = process.env.PGBENCH ?? 'pgbench';
  const run = (args: string[]) => {
    const r = spawnSync(bin, args, { encoding: 'utf8', timeout: (seconds + 120) * 1000 });
    if (r.error) throw new Error(`pgbench could not run (${r.error.message}): install postgresql-client or set PGBENCH.`);
    if (r.status !== 0) throw new Error(`pgbench ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  run(['-i', '-s', '1', '-q', url]);
  const out = run(['-c', String(clients), '-j', String(Math.min(clients, os.cpus().length)), '-T', String(seconds), '-n', url]);
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(tps);
}

/** Transactions committed in the benchmark's database so far (PostgreSQL's statistics, flushed within a second). */
async function commits(db: pg.Client): Promise<number> {
  await new Promise((r) => setTimeout(r, 1100));
  return Number((await db.query(`select xact_commit from pg_stat_database where datname = current_database()`)).rows[0].xact_commit);
}

async function main() {
  const dataDir = process.env.DATA_DIR ?? '.data';
  const database = await benchDatabase('store_checkout_bench', dataDir, log);
  const dbUrl = database.url;

  let store: Awaited<ReturnType<typeof startStoreProcess>> | undefined;
  try {
    store = await startStoreProcess(dataDir, dbUrl);
    const child = { pid: store.pid };
    const base = store.base;
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();

    // The promotion: games with a pre-order discount, bought by many users at once.
    const op = (await benchAccount(base, db, { name: 'op', country: 'US', operator: true })).client;
    const games: string[] = [];
    for (let i = 0; i < ORDERS_PER_USER; i++) {
      const g = await op.post('/api/operator/games', gameInput({ slug: `promo-${i}`, releaseDate: '2030-01-01' }));
      await op.put(`/api/operator/games/${g.body.id}/preorder-discount`, { percentOff: 10 });
      games.push(g.body.id);
    }
    const users: Client[] = [];
    for (let i = 0; i < USERS; i++) users.push((await benchAccount(base, db, { name: `u${i}`, country: 'US' })).client);

    const commitsBefore = await commits(db);
    const cpuBefore = cpuTicks(child.pid);
    const latencies: number[] = [];
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      users.map(async (u, ui) => {
        for (const gameId of games) {
          const t0 = performance.now();
          const placed = await u.post(
            '/api/orders',
            { gameId, pointsToUse: 0, paymentMethod: 'card' },
            { 'idempotency-key': `bench-${ui}-${gameId}` },
          );
          let status = placed.body.status as string;
          let etag = placed.headers.get('etag') ?? '';
          // Followed like the order page does: a long poll that answers when the order changes (304: unchanged).
          while (status === 'pending') {
            const next = await u.get(`/api/orders/${placed.body.id}`, { 'if-none-match': etag, prefer: 'wait=20' });
            if (next.status === 304) continue;
            status = next.body.status;
            etag = next.headers.get('etag') ?? '';
          }
          if (status === 'paid') latencies.push(performance.now() - t0);
          else failed++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuTicks(child.pid);
    // Where the time went: CPU milliseconds per completed saga, by process (1 tick = 10 ms), and the database
    // transactions each saga cost (reads outside a transaction count as one each; the flush wait is not in `seconds`).
    const cpuMsPerSaga = Object.fromEntries(
      Object.entries(cpuAfter).map(([k, v]) => [k, Math.round(((v - (cpuBefore[k] ?? 0)) * 10 * 10) / Math.max(1, latencies.length)) / 10]),
    );
    const dbTransactionsPerSaga = Math.round((((await commits(db)) - commitsBefore) / Math.max(1, latencies.length)) * 10) / 10;
    latencies.sort((a, b) => a - b);

    // Invariants after the run.
    for (let i = 0; i < 100; i++) {
      const pending = (await db.query(`select count(*)::int as n from dbos.workflow_status where status not in ('SUCCESS', 'ERROR')`))
        .rows[0].n;
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const sagasNotDone = (await db.query(`select count(*)::int as n from dbos.workflow_status where status <> 'SUCCESS'`)).rows[0]
      .n as number;
    const totals = (await (
      await fetch(`${store.paysimUrl}/v1/totals`, { headers: { authorization: 'Bearer test-key' } })
    ).json()) as Record<string, { capturedMinor: number; refundedMinor: number }>;
    const books = await checkBooks(dbUrl, totals);
    await db.end();

    await store.stop();
    store = undefined;
    const tps = pgbench(dbUrl, USERS, TPCB_SECONDS);
    const sagasPerSecond = latencies.length / seconds;
    const summary = {
      bench: 'checkout',
      machine: { cpus: os.cpus().length, node: process.version },
      users: USERS,
      checkouts: USERS * ORDERS_PER_USER,
      completed: latencies.length,
      failed,
      seconds: Math.round(seconds * 100) / 100,
      sagasPerSecond: Math.round(sagasPerSecond * 10) / 10,
      checkoutLatencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)) },
      pgbenchTps: Math.round(tps),
      sagasPerSecondToPgbench: Math.round((sagasPerSecond / tps) * 1000) / 1000,
      cpuMsPerSaga,
      dbTransactionsPerSaga,
      invariants: {
        ok: !books.money.length && !books.ledgers.length && !books.orders.length && sagasNotDone === 0,
        ...books,
        sagasNotDone,
      },
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(`bench/results/checkout-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(summary, null, 2));
    console.log(JSON.stringify(summary));
  } finally {
    await store?.stop();
    await database.stop();
  }
}

await main();
