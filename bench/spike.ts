/**
 * npm run bench:spike — a launch spike (R6) against two real store processes on one database, paysim as its own
 * process. Bounded and on 127.0.0.1 only. Four measurements, each against a baseline from the same run:
 *
 * 1. Browse/search p99 (4 concurrent readers: search, game pages, home) while the store is idle but for a normal
 *    checkout rate (BENCH_NORMAL_RPS checkouts a second of other games), then during a launch: a waiting room on the
 *    launch game, BENCH_BUYERS buyers (half arrive before the start, half after, spread over a few seconds) and
 *    bots hammering checkout without an admission — at least 10× the normal checkout rate. Ratio = flood ÷ idle.
 * 2. Admitted checkouts completed (goal 100 %) and the books (money, ledgers, orders) after the run.
 * 3. Fairness: Kendall's tau between the order buyers arrived after the start and the order they were admitted
 *    (goal ≥ 0.9); and, for those who came early, the same tau (should be ~0: random places).
 * 4. Promotion propagation: BENCH_PROMOS promotions created on node 1, time until node 2's game page prices each.
 *
 * The last line is JSON.
 */
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import pino from 'pino';
import { benchDatabase } from './database.ts';
import { kendallTau, percentile } from './stats.ts';
import { spawnPaysim } from '../src/paysim/spawn.ts';
import { freePort } from '../test/ports.ts';
import { Client, gameInput } from '../test/harness.ts';
import { checkBooks } from '../test/checkout.ts';
import { StoreProcess } from '../test/store-process.ts';
import { MailSink } from '../src/platform/mail/sink.ts';
import { loadConfig } from '../src/platform/config.ts';
import { systemClock } from '../src/platform/clock.ts';
import { createStore } from '../src/app.ts';
import { importInBatches, steamInputs } from '../src/catalog/demo-catalog.ts';
import { instantToZoned } from '../src/platform/zoned-time.ts';

const BUYERS = Number(process.env.BENCH_BUYERS ?? 120);
const BOTS = Number(process.env.BENCH_BOTS ?? 8);
const NORMAL_RPS = Number(process.env.BENCH_NORMAL_RPS ?? 2);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 10);
const RATE_PER_MINUTE = Number(process.env.BENCH_ADMIT_PER_MINUTE ?? 1200);
const PROMOS = Number(process.env.BENCH_PROMOS ?? 30);
const CATALOG = Number(process.env.BENCH_CATALOG ?? 3000);
/** Time between two arrivals after the start (buyers who arrive closer than a join's latency are effectively simultaneous). */
const ARRIVAL_GAP_MS = Number(process.env.BENCH_ARRIVAL_GAP_MS ?? 100);
const log = pino({ level: 'warn' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function signUpMany(base: string, n: number, prefix: string): Promise<Client[]> {
  const out: Client[] = [];
  for (let i = 0; i < n; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, async (_, j) => {
        const c = new Client(base);
        const r = await c.post('/api/accounts', {
          email: `${prefix}${i + j}-${randomBytes(3).toString('hex')}@bench.test`,
          password: 'correct horse battery',
          name: `${prefix}${i + j}`,
          country: 'US',
          language: 'en',
        });
        if (r.status !== 201) throw new Error(`sign-up failed: ${r.status} ${JSON.stringify(r.body)}`);
        return c;
      }),
    );
    out.push(...batch);
  }
  return out;
}

/** Readers browsing and searching until `stop` resolves; returns their latencies (ms). */
function readers(base: string, slugs: string[], words: string[], stop: Promise<void>, n = 4) {
  const latencies: number[] = [];
  let errors = 0;
  let done = false;
  void stop.then(() => (done = true));
  const one = async (k: number) => {
    const c = new Client(base);
    for (let i = k; !done; i += n) {
      const path =
        i % 3 === 0
          ? `/api/games?q=${encodeURIComponent(words[i % words.length]!)}`
          : i % 3 === 1
            ? `/api/games/${slugs[i % slugs.length]}`
            : '/api/store/home';
      const t0 = performance.now();
      const r = await c.get(path);
      latencies.push(performance.now() - t0);
      if (r.status !== 200) errors++;
    }
  };
  const all = Promise.all(Array.from({ length: n }, (_, k) => one(k)));
  return { latencies, errors: () => errors, done: all };
}

/** A steady trickle of checkouts of other games: the normal rate. */
function normalCheckouts(users: Client[], games: string[], rps: number, stop: Promise<void>) {
  let done = false;
  void stop.then(() => (done = true));
  const sent = { n: 0, ok: 0 };
  const run = (async () => {
    let i = 0;
    const inFlight: Promise<unknown>[] = [];
    while (!done) {
      const u = users[i % users.length]!;
      const g = games[Math.floor(i / users.length) % games.length]!;
      sent.n++;
      inFlight.push(
        u
          .post('/api/orders', { gameId: g, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': `normal-${i}-${g}` })
          .then((r) => (r.status === 202 ? sent.ok++ : undefined)),
      );
      i++;
      await sleep(1000 / rps);
    }
    await Promise.all(inFlight);
  })();
  return { sent, done: run };
}

async function follow(u: Client, orderId: string): Promise<string> {
  for (;;) {
    const o = await u.get(`/api/orders/${orderId}`, { prefer: 'wait=20' });
    if (o.body.status !== 'pending') return o.body.status as string;
  }
}

async function main() {
  const dataDir = process.env.DATA_DIR ?? '.data';
  const database = await benchDatabase('store_spike_bench', dataDir, log);
  const dbUrl = database.url;
  const authSecret = randomBytes(32).toString('hex');
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', DEMO_CATALOG: 'off' });

  // The catalogue: the real Steam games, imported in-process before the nodes start.
  {
    const seed = await createStore({ config, databaseUrl: dbUrl, clock: systemClock, authSecret });
    await importInBatches(seed.catalog, steamInputs(join(config.demoDataDir, 'ucsd-steam-games.csv'), CATALOG));
    await seed.close();
  }
  const mailSink = new MailSink(Infinity);
  const smtpPort = await mailSink.start();
  const paysim = await spawnPaysim({
    port: await freePort(),
    apiKey: 'test-key',
    webhookSecret: 'whsec_test',
    stateFile: join(dataDir, 'bench', `paysim-spike-${Date.now()}.json`),
  });
  const ports = [await freePort(), await freePort()];
  const nodes = ports.map(
    (port, i) =>
      new StoreProcess({
        DATABASE_URL: dbUrl,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        PAYSIM_URL: paysim.url,
        AUTH_SECRET: authSecret,
        NODE_ID: `spike-${i + 1}`,
        WORKFLOW_VERSION: 'spike-1',
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        DATA_DIR: join(dataDir, 'bench'),
      }),
  );
  const db = new pg.Client({ connectionString: dbUrl });
  try {
    for (const n of nodes) await n.start();
    await db.connect();
    const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];

    const op = new Client(a);
    const opEmail = `op-${randomBytes(3).toString('hex')}@bench.test`;
    await op.post('/api/accounts', { email: opEmail, password: 'operator password 1', name: 'Op', country: 'US', language: 'en' });
    await db.query(`update account_profiles set role = 'operator' where user_id = (select id from "user" where email = $1)`, [opEmail]);
    const listed = await db.query<{ slug: string; title: string }>(
      `select slug, title->>'en' as title from games where status = 'published' order by popularity desc limit 300`,
    );
    const slugs = listed.rows.map((r) => r.slug);
    const words = [...new Set(listed.rows.flatMap((r) => r.title.split(/\s+/)).filter((w) => w.length > 3))].slice(0, 200);
    const launch = (await op.post('/api/operator/games', gameInput({ slug: `spike-launch-${Date.now()}`, releaseDate: '2026-01-01' }))).body
      .id as string;
    const others: string[] = [];
    for (let i = 0; i < 40; i++) others.push((await op.post('/api/operator/games', gameInput({ releaseDate: '2026-01-01' }))).body.id);
    const regulars = await signUpMany(a, 30, 'regular');
    const buyers = await signUpMany(b, BUYERS, 'buyer');
    const bots = await signUpMany(a, BOTS, 'bot');

    // ---- Phase 1: idle (normal checkout rate) ----
    let stopIdle!: () => void;
    const idleStop = new Promise<void>((r) => (stopIdle = r));
    const idleReads = readers(a, slugs, words, idleStop);
    const idleCheckouts = normalCheckouts(regulars, others, NORMAL_RPS, idleStop);
    await sleep(PHASE_SECONDS * 1000);
    stopIdle();
    await Promise.all([idleReads.done, idleCheckouts.done]);
    const idleSorted = [...idleReads.latencies].sort((x, y) => x - y);

    // ---- Phase 2: the launch behind a waiting room ----
    const startsAt = new Date(Date.now() + 4000);
    const room = await op.post('/api/operator/waiting-rooms', {
      gameId: launch,
      name: 'Spike',
      timeZone: 'UTC',
      startsAt: instantToZoned(new Date(startsAt.getTime() + 60_000 - (startsAt.getTime() % 60_000)), 'UTC'),
      ratePerMinute: RATE_PER_MINUTE,
    });
    if (room.status !== 201) throw new Error(`room: ${room.status} ${JSON.stringify(room.body)}`);
    const roomStart = Date.parse(room.body.startsAtUtc);
    // Schedules are by the minute: wait until shortly before the start, then the flood begins.
    await sleep(Math.max(0, roomStart - 3000 - Date.now()));
    let stopFlood!: () => void;
    const floodStop = new Promise<void>((r) => (stopFlood = r));
    const floodReads = readers(a, slugs, words, floodStop);
    const floodCheckouts = normalCheckouts(regulars, others, NORMAL_RPS, floodStop);
    // Bots hammer checkout of the launch game without an admission (each is refused with 403 or shed with 503).
    const botStats = { sent: 0, refused: 0, shed: 0, other: {} as Record<string, number> };
    let floodOn = true;
    const botRuns = bots.map(async (bot, k) => {
      // From the start (before it, checkout is open as on any day).
      await sleep(Math.max(0, roomStart - Date.now()));
      for (let i = 0; floodOn; i++) {
        botStats.sent++;
        const r = await bot.post(
          '/api/orders',
          { gameId: launch, pointsToUse: 0, paymentMethod: 'card' },
          { 'idempotency-key': `bot-hammer-${k}-${i}` },
        );
        if (r.status === 403) botStats.refused++;
        else if (r.status === 503) botStats.shed++;
        else botStats.other[r.status] = (botStats.other[r.status] ?? 0) + 1;
      }
    });
    const half = Math.floor(BUYERS / 2);
    const early = buyers.slice(0, half);
    const late = buyers.slice(half);
    const outcome: { arrived: number; arrivedAfterStart: boolean; position: number; status: string }[] = [];
    const buy = async (u: Client, arriveAt: number) => {
      await sleep(Math.max(0, arriveAt - Date.now()));
      const arrived = performance.now();
      let t = (await u.post(`/api/waiting-rooms/${room.body.id}/ticket`)).body;
      while (t.state === 'waiting') {
        await sleep(Math.min(1000, t.retryAfterSeconds * 1000));
        t = (await u.get(`/api/waiting-rooms/${room.body.id}/ticket`)).body;
      }
      if (t.state !== 'admitted') {
        outcome.push({ arrived, arrivedAfterStart: arriveAt >= roomStart, position: t.position, status: `not admitted: ${t.state}` });
        return;
      }
      let placed = await u.post(
        '/api/orders',
        { gameId: launch, pointsToUse: 0, paymentMethod: 'card', admission: t.admission },
        { 'idempotency-key': `launch-${t.position}` },
      );
      // Shed by the bulkhead: come back when told, with the same key.
      while (placed.status === 503) {
        await sleep(Number(placed.headers.get('retry-after') ?? 1) * 1000);
        placed = await u.post(
          '/api/orders',
          { gameId: launch, pointsToUse: 0, paymentMethod: 'card', admission: t.admission },
          { 'idempotency-key': `launch-${t.position}` },
        );
      }
      const status = placed.status === 202 ? await follow(u, placed.body.id) : `refused ${placed.status} ${placed.body.error?.code}`;
      outcome.push({ arrived, arrivedAfterStart: arriveAt >= roomStart, position: t.position, status });
    };
    const runs = [
      ...early.map((u) => buy(u, roomStart - 2500 + Math.random() * 2000)),
      ...late.map((u, i) => buy(u, roomStart + 200 + i * ARRIVAL_GAP_MS)),
    ];
    const floodStarted = performance.now();
    const timeout = sleep(120_000).then(() => 'timeout');
    const finished = await Promise.race([Promise.all(runs).then(() => 'done'), timeout]);
    const floodSeconds = (performance.now() - floodStarted) / 1000;
    floodOn = false;
    stopFlood();
    await Promise.all([floodReads.done, floodCheckouts.done, ...botRuns]);
    const floodSorted = [...floodReads.latencies].sort((x, y) => x - y);

    // Fairness: after-start arrivals in arrival order vs. their places; early arrivals likewise (random is ~0).
    const tauOf = (xs: typeof outcome) => {
      const s = [...xs].sort((p, q) => p.arrived - q.arrived);
      return kendallTau(
        s.map((_, i) => i),
        s.map((x) => x.position),
      );
    };
    const admitted = outcome.filter((o) => !o.status.startsWith('not admitted'));
    const completed = admitted.filter((o) => o.status === 'paid').length;

    // ---- Promotion propagation across the two nodes ----
    // A priced game (the most popular Steam games are free: nothing to discount).
    const probeId = others[0]!;
    const probe = probeId;
    const propagation: number[] = [];
    for (let i = 0; i < PROMOS; i++) {
      const percent = 5 + (i % 40);
      const created = await op.post('/api/operator/promotions', {
        name: `Probe ${i}`,
        effect: { kind: 'percent_off', percent },
        targets: { games: [probeId] },
        stacking: 'exclusive',
        timeZone: 'UTC',
        startsAt: instantToZoned(new Date(Date.now() - 3_600_000), 'UTC'),
      });
      if (created.status !== 201) throw new Error(`promotion: ${created.status} ${JSON.stringify(created.body)}`);
      const t0 = performance.now();
      const c = new Client(b);
      for (;;) {
        const g = await c.get(`/api/games/${probe}`);
        if (g.body.price?.amountMinor === 1999 - Math.floor((1999 * percent) / 100)) break;
        if (performance.now() - t0 > 10_000)
          throw new Error(
            `promotion did not reach node 2 in 10 s: ${JSON.stringify(g.body).slice(0, 400)} ${JSON.stringify(created.body).slice(0, 600)}`,
          );
      }
      propagation.push(performance.now() - t0);
      await op.post(`/api/operator/promotions/${created.body.id}/end`);
      const t1 = performance.now();
      for (;;) {
        const g = await c.get(`/api/games/${probe}`);
        if (!g.body.offer) break;
        if (performance.now() - t1 > 10_000) throw new Error('ended promotion still priced on node 2 after 10 s');
      }
    }
    propagation.sort((x, y) => x - y);

    // ---- Books ----
    for (let i = 0; i < 300; i++) {
      const open = (await db.query(`select count(*)::int as n from dbos.workflow_status where status not in ('SUCCESS', 'ERROR')`)).rows[0]
        .n;
      if (open === 0) break;
      await sleep(100);
    }
    const totals = (await (await fetch(`${paysim.url}/v1/totals`, { headers: { authorization: 'Bearer test-key' } })).json()) as Record<
      string,
      { capturedMinor: number; refundedMinor: number }
    >;
    const books = await checkBooks(dbUrl, totals);
    const idleP99 = percentile(idleSorted, 99);
    const floodP99 = percentile(floodSorted, 99);
    const floodCheckoutRps = (botStats.sent + admitted.length + floodCheckouts.sent.n) / floodSeconds;
    const summary = {
      bench: 'spike',
      machine: { cpus: os.cpus().length, node: process.version },
      nodes: 2,
      catalogue: CATALOG,
      finished,
      browse: {
        idle: { requests: idleSorted.length, p50Ms: round(percentile(idleSorted, 50)), p99Ms: round(idleP99), errors: idleReads.errors() },
        flood: {
          requests: floodSorted.length,
          p50Ms: round(percentile(floodSorted, 50)),
          p99Ms: round(floodP99),
          errors: floodReads.errors(),
        },
        p99FloodToIdle: round(floodP99 / idleP99, 2),
      },
      checkoutRate: {
        normalPerSecond: round(idleCheckouts.sent.n / PHASE_SECONDS),
        floodPerSecond: round(floodCheckoutRps),
        floodToNormal: round(floodCheckoutRps / (idleCheckouts.sent.n / PHASE_SECONDS)),
        bots: botStats,
      },
      launch: {
        buyers: BUYERS,
        admitted: admitted.length,
        completed,
        completedShare: admitted.length ? round(completed / admitted.length, 3) : 0,
        notAdmitted: outcome
          .filter((o) => o.status.startsWith('not admitted'))
          .map((o) => o.status)
          .slice(0, 5),
        arrivalGapAfterStartMs: ARRIVAL_GAP_MS,
        notCompleted: admitted
          .filter((o) => o.status !== 'paid')
          .map((o) => o.status)
          .slice(0, 5),
        admitPerMinute: RATE_PER_MINUTE,
        seconds: round(floodSeconds),
      },
      fairness: {
        afterStartArrivalVsAdmissionTau: round(tauOf(outcome.filter((o) => o.arrivedAfterStart)), 3),
        earlyArrivalVsAdmissionTau: round(tauOf(outcome.filter((o) => !o.arrivedAfterStart)), 3),
      },
      promotionPropagationMs: {
        samples: propagation.length,
        p50: round(percentile(propagation, 50)),
        p99: round(percentile(propagation, 99)),
      },
      invariants: { ok: !books.money.length && !books.ledgers.length && !books.orders.length, ...books },
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(`bench/results/spike-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(summary, null, 2));
    console.log(JSON.stringify(summary));
  } finally {
    await db.end().catch(() => undefined);
    for (const n of nodes) await n.kill();
    await paysim.stop();
    await mailSink.stop();
    await database.stop();
  }
}

await main();
