/**
 * npm run bench:memory — what waiting costs the store (issue 15): BENCH_GIFTS (10,000) gifts paid and scheduled for
 * delivery in a month, then BENCH_WAITING (1,000) wallet payments (KakaoPay) waiting for the buyers' approval at once.
 * The store runs as its own process with paysim beside it; the baseline is the same process's memory once started,
 * warmed up and quiet, measured in the same run. Reports after each phase the heap after a full collection (what the
 * store holds) and RSS, what the heap grew by per waiting item, the CPU the store, paysim and PostgreSQL spend per second while 1,000 payments wait (polling costs
 * show here), and that every payment completes once approved. The last line is the JSON summary.
 * Bounded: the counts above, 127.0.0.1 only; a few minutes on two cores.
 */
import os from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import pino from 'pino';
import { benchDatabase } from './database.ts';
import { benchAccount, cpuMsPerSecond, startStoreProcess } from './store.ts';
import { gameInput } from '../test/harness.ts';

const GIFTS = Number(process.env.BENCH_GIFTS ?? 10_000);
const WAITING = Number(process.env.BENCH_WAITING ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PAIRS = 100;
const log = pino({ level: 'warn' });

/** Runs `work(i)` for i in [0, n) with `concurrency` at a time. */
async function pool(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main() {
  const dataDir = process.env.DATA_DIR ?? '.data';
  const database = await benchDatabase('store_memory_bench', dataDir, log);
  let store: Awaited<ReturnType<typeof startStoreProcess>> | undefined;
  try {
    store = await startStoreProcess(dataDir, database.url);
    const { base, pid, memory } = store;
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const count = async (q: string) => Number((await db.query(q)).rows[0].n);
    // Quiet: every mail the work so far queued has been sent (gift receipts), so what is measured next is waiting.
    const quiet = () =>
      waitFor(
        'the mail outbox to drain',
        async () => (await count(`select count(*)::int as n from mail_outbox where sent_at is null`)) === 0,
        600_000,
      );

    // Games (one per gift a pair sends), the pairs of friends, and the wallet buyers.
    const op = (await benchAccount(base, db, { name: 'op', country: 'US', operator: true })).client;
    const games: string[] = [];
    const perPair = Math.ceil(GIFTS / PAIRS);
    const perBuyer = 100; // each wallet buyer orders this many different games
    for (let i = 0; i < Math.max(perPair, perBuyer); i++) {
      const g = await op.post('/api/operator/games', gameInput({ slug: `memory-${i}`, releaseDate: '2020-01-01' }));
      if (g.status !== 201) throw new Error(`game: ${g.status} ${JSON.stringify(g.body)}`);
      games.push(g.body.id);
    }
    type Account = Awaited<ReturnType<typeof benchAccount>>;
    const pairs: { sender: Account; recipient: Account }[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const [sender, recipient] = [
        await benchAccount(base, db, { name: `s${i}`, country: 'US' }),
        await benchAccount(base, db, { name: `r${i}`, country: 'US' }),
      ];
      await sender.client.post('/api/friends/requests', { userId: recipient.id });
      const ok = await recipient.client.post(`/api/friends/requests/${sender.id}/accept`);
      if (ok.status !== 204) throw new Error(`friends: ${ok.status}`);
      pairs.push({ sender, recipient });
    }
    const buyers: Account[] = [];
    for (let i = 0; i < Math.ceil(WAITING / perBuyer); i++) buyers.push(await benchAccount(base, db, { name: `b${i}`, country: 'KR' }));

    console.error(`set up: ${games.length} games, ${PAIRS} pairs of friends, ${buyers.length} wallet buyers`);
    // Baseline: the store started, used once by every route above, then idle.
    await quiet();
    const baseline = await memory();

    // 1. Gifts, paid now, delivered in a month: each leaves a durable timer row, nothing in memory.
    const deliverAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    let giftsRefused = 0;
    const t0 = performance.now();
    await pool(GIFTS, CONCURRENCY, async (i) => {
      const { sender, recipient } = pairs[i % PAIRS]!;
      const r = await sender.client.post(
        '/api/gifts',
        { gameId: games[Math.floor(i / PAIRS)], recipientId: recipient.id, message: '', deliverAt, pointsToUse: 0, paymentMethod: 'card' },
        { 'idempotency-key': `memory-gift-${i}` },
      );
      if (r.status !== 202 && ++giftsRefused <= 3) console.error(`gift ${i}: ${r.status} ${JSON.stringify(r.body)}`);
    });
    const giftSeconds = (performance.now() - t0) / 1000;
    await waitFor(
      'the gifts to be scheduled',
      async () => (await count(`select count(*)::int as n from gifts where state = 'scheduled'`)) >= GIFTS - giftsRefused,
      600_000,
    );
    const giftsScheduled = await count(`select count(*)::int as n from gifts where state = 'scheduled'`);
    await quiet();
    const afterGifts = await memory();
    const cpuMsPerSecondIdle = await cpuMsPerSecond(pid, 10_000);

    console.error(`${giftsScheduled} gifts scheduled in ${Math.round(giftSeconds)} s`);
    // 2. Wallet payments waiting for approval: each order placed, sent to KakaoPay's page, not approved yet.
    await pool(WAITING, CONCURRENCY, async (i) => {
      const buyer = buyers[Math.floor(i / perBuyer)]!;
      const r = await buyer.client.post(
        '/api/orders',
        { gameId: games[i % perBuyer], pointsToUse: 0, paymentMethod: 'kakaopay' },
        { 'idempotency-key': `memory-wallet-${i}` },
      );
      if (r.status !== 202 && r.status !== 201) throw new Error(`order ${i}: ${r.status} ${JSON.stringify(r.body)}`);
    });
    await waitFor(
      'every wallet payment to wait for approval',
      async () => (await count(`select count(*)::int as n from orders where status = 'pending' and approval_url is not null`)) >= WAITING,
      300_000,
    );
    await quiet();
    const waiting = await memory();
    // What waiting costs per second: CPU of each process over 10 s while nothing else happens, against the same
    // measure before the payments (the gifts scheduled, the store idle).
    const cpuMsPerSecondWaiting = await cpuMsPerSecond(pid, 10_000);
    // A minute on, when each waiting saga asks the PG only every 30 s (the webhook is what wakes it).
    await new Promise((r) => setTimeout(r, 45_000));
    const cpuMsPerSecondWaitingLater = await cpuMsPerSecond(pid, 10_000);

    console.error(`${WAITING} payments waiting for approval`);
    // 3. Every buyer approves: every order must be paid.
    const urls = (await db.query(`select approval_url from orders where status = 'pending' and approval_url is not null`)).rows.map(
      (r) => r.approval_url as string,
    );
    const t1 = performance.now();
    await pool(urls.length, CONCURRENCY, async (i) => {
      await fetch(urls[i]!, {
        method: 'POST',
        body: 'decision=approve',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
      });
    });
    await waitFor(
      'the approved orders to be paid',
      async () => (await count(`select count(*)::int as n from orders where status = 'paid' and not gift`)) >= urls.length,
      300_000,
    );
    const approvedToPaidSeconds = (performance.now() - t1) / 1000;
    const afterApproval = await memory();
    await db.end();

    const perItemKiB = (mib: number, n: number) => Math.round(((mib * 1024) / Math.max(1, n)) * 10) / 10;
    const grew = (to: number, from: number) => Math.round((to - from) * 10) / 10;
    const summary = {
      bench: 'memory',
      machine: { cpus: os.cpus().length, node: process.version },
      // The heap after a full collection is what the store holds; RSS also counts what V8 has not given back yet.
      memoryMiB: { baseline, giftsScheduled: afterGifts, paymentsWaiting: waiting, afterApproval },
      gifts: {
        sent: GIFTS,
        refused: giftsRefused,
        scheduled: giftsScheduled,
        seconds: Math.round(giftSeconds),
        heapGrowthMiB: grew(afterGifts.heapMiB, baseline.heapMiB),
        heapKiBPerGift: perItemKiB(afterGifts.heapMiB - baseline.heapMiB, giftsScheduled),
      },
      waitingPayments: {
        waiting: WAITING,
        heapGrowthMiB: grew(waiting.heapMiB, afterGifts.heapMiB),
        heapKiBPerPayment: perItemKiB(waiting.heapMiB - afterGifts.heapMiB, WAITING),
        rssGrowthMiB: grew(waiting.rssMiB, afterGifts.rssMiB),
        cpuMsPerSecondWaiting,
        cpuMsPerSecondWaitingAMinuteOn: cpuMsPerSecondWaitingLater,
        cpuMsPerSecondBefore: cpuMsPerSecondIdle,
        approvedToPaidSeconds: Math.round(approvedToPaidSeconds * 10) / 10,
        rssRatioToBaseline: Math.round((waiting.rssMiB / baseline.rssMiB) * 100) / 100,
      },
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(`bench/results/memory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(summary, null, 2));
    console.log(JSON.stringify(summary));
  } finally {
    await store?.stop();
    await database.stop();
  }
}

await main();
