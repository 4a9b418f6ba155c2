import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Client, createTestDatabase, gameInput } from './harness.ts';
import { freePort } from './ports.ts';
import { checkBooks } from './checkout.ts';
import { StoreProcess, retrying as retry } from './store-process.ts';
import { createPaysim } from '../src/paysim/server.ts';

/**
 * Crash test (D1, R4): a batch of pre-orders and refunds runs against a store process that is killed with
 * SIGKILL at random moments and restarted; clients retry with the same Idempotency-Key as real ones do.
 * Afterwards every saga is completed or compensated and the books agree with the PG.
 */
const KILLS = Number(process.env.CRASH_KILLS ?? 50);
const USERS = 12;
const GAMES = 6;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sim: ReturnType<typeof createPaysim>;
let paysimUrl = '';
let port = 0;
let store: StoreProcess;
const authSecret = randomBytes(32).toString('hex');

beforeAll(async () => {
  db = await createTestDatabase();
  const simPort = await freePort();
  sim = createPaysim({ apiKey: 'test-key', webhookSecret: 'whsec_test', publicUrl: `http://127.0.0.1:${simPort}` });
  paysimUrl = await sim.app.listen({ host: '127.0.0.1', port: simPort });
  port = await freePort();
  store = new StoreProcess({ DATABASE_URL: db.url, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, PAYSIM_URL: paysimUrl, AUTH_SECRET: authSecret, NODE_ID: 'crash-node', WORKFLOW_VERSION: 'crash-1' });
  await store.start();
});
afterAll(async () => {
  await store?.kill();
  await sim?.app.close();
  await db?.drop();
});

/** Set when the kills are over: from then on, a request still failing after a minute is a real failure. */
let calmSince: number | undefined;

const retrying = <T>(fn: () => Promise<T>) => retry(fn, () => calmSince);

describe('crash test: kill -9 during pre-orders and refunds', () => {
  it(`D1 R4 S1.9 S1.12 after ${KILLS} kills every saga is completed or compensated and the books agree with the PG`, async () => {
    const base = `http://127.0.0.1:${port}`;
    // Set up users and games with the store running.
    const op = new Client(base);
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
    const opEmail = `op-${randomBytes(3).toString('hex')}@example.test`;
    expect((await op.post('/api/accounts', { email: opEmail, password: 'operator password 1', name: 'Op', country: 'US', language: 'en' })).status).toBe(201);
    await client.query(`update account_profiles set role = 'operator' where user_id = (select id from "user" where email = $1)`, [opEmail]);
    const gameIds: string[] = [];
    for (let i = 0; i < GAMES; i++) gameIds.push((await op.post('/api/operator/games', gameInput({ slug: `crash-game-${i}`, releaseDate: '2030-01-01' }))).body.id);
    const users: Client[] = [];
    for (let i = 0; i < USERS; i++) {
      const u = new Client(base);
      expect((await u.post('/api/accounts', { email: `crash-${i}-${randomBytes(3).toString('hex')}@example.test`, password: 'correct horse battery', name: `U${i}`, country: 'US', language: 'en' })).status).toBe(201);
      users.push(u);
    }

    // Load: each user pre-orders games and refunds some, retrying through crashes; meanwhile the store dies.
    let stop = false;
    const work = users.map(async (u, ui) => {
      for (let round = 0; !stop; round++) {
        const gameId = gameIds[(ui + round) % GAMES]!;
        const key = `crash-${ui}-${round}`;
        const placed = await retrying(async () => {
          const r = await u.post('/api/orders', { gameId, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': key });
          if (r.status >= 500) throw new Error(String(r.status));
          return r;
        });
        if (placed.status !== 202) continue; // already owned (a refund still running) — try the next game
        if (round % 2 === 0) {
          await retrying(async () => {
            const o = await u.get(`/api/orders/${placed.body.id}`);
            if (o.status !== 200 || o.body.status === 'pending') throw new Error('not settled yet');
          });
          await retrying(async () => {
            const r = await u.post(`/api/orders/${placed.body.id}/refund`);
            if (r.status >= 500) throw new Error(String(r.status));
            return r;
          });
        }
      }
    });
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
      await store.kill();
      await store.start();
    }
    stop = true;
    calmSince = Date.now();
    await Promise.all(work);

    // Let the recovered sagas finish, then check the books.
    // Unfinished: an order still moving, or a saga still running (a refund returns the points after the order
    // shows "refunded").
    const unfinished = async () =>
      ((await client.query(`select count(*)::int as n from orders where status in ('pending', 'refund_pending')`)).rows[0].n as number) +
      ((await client.query(`select count(*)::int as n from dbos.workflow_status where status in ('PENDING', 'ENQUEUED')`)).rows[0].n as number);
    for (let i = 0; i < 200 && (await unfinished()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await unfinished()).toBe(0);
    const sagas = (await client.query(`select status, count(*)::int as n from dbos.workflow_status group by status`)).rows;
    expect(sagas.filter((s) => s.status !== 'SUCCESS')).toEqual([]);

    const orders = (await client.query(`select status, count(*)::int as n from orders group by status order by status`)).rows;
    expect(await checkBooks(db.url, sim.state.totals())).toEqual({ money: [], ledgers: [], orders: [] });
    // Nobody here spends points, so no refund may keep money back for "already spent" earned points.
    const shortfalls = (await client.query(`select count(*)::int as n from orders where coalesce(refund_points_shortfall, 0) > 0`)).rows[0].n;
    expect(shortfalls).toBe(0);
    console.log(JSON.stringify({ kills: KILLS, orders, pg: sim.state.totals(), sagas }));
    } finally {
      await client.end();
    }
  }, 900_000);
});
