/**
 * npm run bench:checkout — concurrent users pre-ordering during a promotion (10 % pre-order discount), through
 * the real store process, paysim as its own process and durable sagas. Reports sagas completed per second and
 * p50/p99 checkout latency (POST /api/orders → order paid, followed with the order's long poll), and, in the same run on the same PostgreSQL,
 * the real pgbench's TPC-B-like transaction rate (its default script, scale 1, the same number of connections)
 * as the baseline. The last line is JSON with the ratio and the invariant check.
 * Bounded: BENCH_USERS × BENCH_ORDERS_PER_USER checkouts, and TPC-B for BENCH_TPCB_SECONDS; 127.0.0.1 only.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import pino from 'pino';
import { benchDatabase } from './database.ts';
import { spawnPaysim } from '../src/paysim/spawn.ts';
import { freePort } from '../test/ports.ts';
import { Client, gameInput } from '../test/harness.ts';
import { checkBooks } from '../test/checkout.ts';
import { percentile } from './stats.ts';
import { MailSink } from '../src/platform/mail/sink.ts';
import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * CPU time (user + system, in clock ticks of 10 ms) used so far by the processes of this machine, grouped: the
 * store's process, paysim, PostgreSQL's backends, this benchmark, the rest. Read from /proc (Linux); empty elsewhere.
 */
function cpuTicks(storePid: number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key =
        Number(pid) === process.pid
          ? 'bench'
          : Number(pid) === storePid
            ? 'store'
            : cmd.includes('paysim')
              ? 'paysim'
              : cmd.includes('postgres')
                ? 'postgres'
                : 'other';
      out[key] = (out[key] ?? 0) + Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
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

  // The mail server is another system, as in production: its sink runs here, not in the store's process.
  const mailSink = new MailSink(Infinity);
  const smtpPort = await mailSink.start();
  const paysimPort = await freePort();
  const paysim = await spawnPaysim({
    port: paysimPort,
    apiKey: 'test-key',
    webhookSecret: 'whsec_test',
    stateFile: join(dataDir, 'bench', `paysim-${Date.now()}.json`),
  });
  const port = await freePort();
  let child: ChildProcess | undefined;
  try {
    child = fork('test/fixtures/store-process.ts', [], {
      // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the store process there (open it in Chrome DevTools).
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
      env: {
        ...process.env,
        DATABASE_URL: dbUrl,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        PAYSIM_URL: paysim.url,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        AUTH_SECRET: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'warn',
        DEMO_CATALOG: 'off',
        OPERATOR_REQUIRE_2FA: 'false',
        AUTH_RATE_LIMIT: 'off',
        DATA_DIR: join(dataDir, 'bench'),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child!.once('message', () => resolve());
      child!.once('exit', (code) => reject(new Error(`store exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();

    // The promotion: games with a pre-order discount, bought by many users at once.
    const op = new Client(base);
    const opEmail = `op-${randomBytes(3).toString('hex')}@bench.test`;
    await op.post('/api/accounts', { email: opEmail, password: 'operator password 1', name: 'Op', country: 'US', language: 'en' });
    await db.query(`update account_profiles set role = 'operator' where user_id = (select id from "user" where email = $1)`, [opEmail]);
    const games: string[] = [];
    for (let i = 0; i < ORDERS_PER_USER; i++) {
      const g = await op.post('/api/operator/games', gameInput({ slug: `promo-${i}`, releaseDate: '2030-01-01' }));
      await op.put(`/api/operator/games/${g.body.id}/preorder-discount`, { percentOff: 10 });
      games.push(g.body.id);
    }
    const users: Client[] = [];
    for (let i = 0; i < USERS; i++) {
      const u = new Client(base);
      await u.post('/api/accounts', {
        email: `u${i}-${randomBytes(3).toString('hex')}@bench.test`,
        password: 'correct horse battery',
        name: `U${i}`,
        country: 'US',
        language: 'en',
      });
      users.push(u);
    }

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
    const totals = (await (await fetch(`${paysim.url}/v1/totals`, { headers: { authorization: 'Bearer test-key' } })).json()) as Record<
      string,
      { capturedMinor: number; refundedMinor: number }
    >;
    const books = await checkBooks(dbUrl, totals);
    await db.end();

    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    child = undefined;
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
    if (child) child.kill('SIGKILL');
    await paysim.stop();
    await mailSink.stop();
    await database.stop();
  }
}

await main();
