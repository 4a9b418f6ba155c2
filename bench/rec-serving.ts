import { fork } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/platform/config.ts';
import { systemClock } from '../src/platform/clock.ts';
import { Transactions } from '../src/platform/db/tx.ts';
import { publish } from '../src/platform/events.ts';
import { createStore } from '../src/app.ts';
import { importInBatches, steamInputs } from '../src/catalog/demo-catalog.ts';
import { freePort } from '../test/ports.ts';
import { benchDatabase } from './database.ts';
import { normaliseTitle, SHARED_DATA, steamRows } from './rec-data.ts';
import '../src/orders/events.ts';
import '../src/activity/events.ts';

const log = pino({ level: 'warn' });
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PLAYERS = 50;

/**
 * Serving under load: the UCSD catalogue imported, steam-200k's libraries and playtime published on the event log
 * (as the store's own purchases and play sessions would be), the model trained, then the real store in its own
 * process under autocannon: GET /api/recommendations for 50 signed-in players (each with a steam-200k history)
 * against GET /api/games/:slug, the same way, in the same run.
 */
export async function servingBench() {
  // 50 sign-ups from one address in a minute: the per-address sign-up limit is for the internet, not for this seed.
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: 'off' });
  const database = await benchDatabase('rec_bench', config.dataDir, log);
  try {
    const seed = await createStore({
      config: { ...config, dataDir: join(config.dataDir, 'bench') },
      databaseUrl: database.url,
      clock: systemClock,
      authSecret: 'bench-secret-bench-secret-bench-secret-00',
    });
    await importInBatches(seed.catalog, steamInputs(join(SHARED_DATA, 'ucsd-steam-games.csv'), 40_000));
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const idOf = new Map<string, string>();
    for (const g of (await db.query<{ id: string; title: string; slug: string }>(`select id, title->>'en' as title, slug from games`))
      .rows) {
      idOf.set(normaliseTitle(g.title), g.id);
    }
    const slugs = (await db.query<{ slug: string }>(`select slug from games order by popularity desc limit 2000`)).rows.map((r) => r.slug);
    const { played, owned } = steamRows();
    const rows = [...played, ...owned].flatMap((r) => {
      const id = idOf.get(normaliseTitle(r.game));
      return id ? [{ user: r.user, game: id, hours: r.hours }] : [];
    });
    // 50 real players (sessions) take the histories of 50 steam-200k users with at least five games.
    const perUser = new Map<string, typeof rows>();
    for (const r of rows) perUser.set(r.user, [...(perUser.get(r.user) ?? []), r]);
    const donors = [...perUser].filter(([, list]) => list.length >= 5).slice(0, PLAYERS);
    const cookies: string[] = [];
    const rename = new Map<string, string>();
    for (const [donor] of donors) {
      const res = await seed.app.inject({
        method: 'POST',
        url: '/api/accounts',
        payload: {
          email: `rec-${randomBytes(4).toString('hex')}@bench.test`,
          password: 'correct horse battery',
          name: 'Bench',
          country: 'US',
          language: 'en',
        },
      });
      if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
      rename.set(donor, res.json<{ id: string }>().id);
      cookies.push(res.cookies.map((c) => `${c.name}=${c.value}`).join('; '));
    }
    const tx = new Transactions(seed.pool);
    const now = new Date();
    for (let i = 0; i < rows.length; i += 2000) {
      await tx.run(async (x) => {
        for (const r of rows.slice(i, i + 2000)) {
          const userId = rename.get(r.user) ?? `steam-${r.user}`;
          await publish(x, 'library.added', { userId, gameId: r.game, orderId: `steam-${r.user}-${r.game}`, source: 'purchase' }, now);
          if (r.hours > 0)
            await publish(
              x,
              'play.ended',
              { userId, gameId: r.game, sessionId: `steam-${r.user}-${r.game}`, seconds: Math.round(r.hours * 3600) },
              now,
            );
        }
      });
    }
    await seed.events.drain();
    const trainStart = performance.now();
    await seed.recommendations.trainNow();
    const trainSeconds = Math.round((performance.now() - trainStart) / 100) / 10;
    await db.query('vacuum analyze');
    await db.end();
    await seed.close();

    const [port, helloPort] = [await freePort(), await freePort()];
    const child = fork(join(import.meta.dirname, 'server.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        PORT: String(port),
        HELLO_PORT: String(helloPort),
        BENCH_DATABASE_URL: database.url,
        DATA_DIR: join(config.dataDir, 'bench'),
        LOG_LEVEL: 'warn',
      },
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const load = async (requests: () => { path: string; headers?: Record<string, string> }) => {
        const r = await autocannon({
          url: base,
          connections: CONNECTIONS,
          duration: DURATION,
          requests: [{ setupRequest: (req: any) => ({ ...req, ...requests(), headers: { ...req.headers, ...requests().headers } }) }],
        });
        return { reqPerSec: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
      };
      const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
      const gamePage = () => ({ path: `/api/games/${pick(slugs)}` });
      const recs = () => ({ path: '/api/recommendations?limit=12', headers: { cookie: pick(cookies) } });
      // Warm-up, then each measured the same way.
      await autocannon({ url: base, connections: 4, amount: 400, requests: [{ setupRequest: (req: any) => ({ ...req, ...recs() }) }] });
      await autocannon({ url: base, connections: 4, amount: 400, requests: [{ setupRequest: (req: any) => ({ ...req, ...gamePage() }) }] });
      const game = await load(gamePage);
      const recommendations = await load(recs);
      return {
        games: idOf.size,
        interactions: rows.length,
        players: cookies.length,
        trainSeconds,
        gamePage: game,
        recommendations,
        p99VsGamePage: Math.round((recommendations.p99 / Math.max(1, game.p99)) * 100) / 100,
      };
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    await database.stop();
  }
}
