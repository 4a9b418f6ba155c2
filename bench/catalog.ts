/**
 * npm run bench:catalog — seeds 50,000 games into a fresh database, then measures on this machine, in one run:
 *   - game page (GET /api/games/:slug) req/s and p99 latency under load (autocannon),
 *   - search (GET /api/games?q=…) p95 latency over mixed queries (English, typos, Korean, Japanese, filters),
 *   - a Fastify hello-world route measured the same ways, as the baseline for ratios.
 * The last line of output is the JSON summary. Bounded: about 1–2 minutes after seeding, 127.0.0.1 only.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { freePort } from '../test/ports.ts';
import { Client } from '../test/harness.ts';
import { percentile } from './stats.ts';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/platform/config.ts';
import { systemClock } from '../src/platform/clock.ts';
import { benchDatabase } from './database.ts';
import { createStore } from '../src/app.ts';
import { instantToZoned } from '../src/platform/zoned-time.ts';
import { importInBatches, regionalPrices, steamInputs } from '../src/catalog/demo-catalog.ts';
import type { GameInput } from '../src/catalog/schemas.ts';

const TARGET = Number(process.env.BENCH_GAMES ?? 50_000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const log = pino({ level: 'warn' });

const WORDS =
  'Shadow Star Dragon Iron Crystal Lost Neon Silent Crimson Frozen Eternal Broken Wild Hidden Golden Dark Last Rogue Sky Ocean Steel Ember Void Storm Ancient Hollow Mystic Solar Lunar Arcane'.split(
    ' ',
  );
const NOUNS =
  'Legends Kingdom Odyssey Protocol Frontier Hunter Quest Tactics Racer Empire Chronicles Saga Arena Colony Dungeon Knights Drift Raiders Survivors Tycoon Academy Station Outpost Rebellion'.split(
    ' ',
  );
const KO = '그림자 별 드래곤 강철 수정 잃어버린 네온 고요한 전설 왕국 모험 사냥꾼 제국 연대기 아레나 기사'.split(' ');
const JA = 'シャドウ スター ドラゴン アイアン クリスタル ネオン レジェンド キングダム オデッセイ ハンター クエスト エンパイア'.split(' ');
const GENRES = ['Action', 'Adventure', 'RPG', 'Strategy', 'Simulation', 'Racing', 'Sports', 'Casual', 'Indie'];
const TAGS = [
  'Open World',
  'Co-op',
  'Pixel Graphics',
  'Roguelike',
  'Story Rich',
  'Sci-fi',
  'Fantasy',
  'Horror',
  'Survival',
  'Multiplayer',
  'Puzzle',
  'Anime',
  'Space',
  'Cars',
];

function synthetic(i: number): { input: GameInput; popularity: number } {
  const pick = <T>(xs: T[], k: number) => xs[(i * 7919 + k * 104729) % xs.length]!;
  const en = `${pick(WORDS, 1)} ${pick(NOUNS, 2)} ${i % 97 === 0 ? 'II' : ''}`.trim();
  const title: Record<string, string> = { en: `${en} ${i}` };
  if (i % 5 === 0) title.ko = `${pick(KO, 3)} ${pick(KO, 4)} ${i}`;
  if (i % 7 === 0) title.ja = `${pick(JA, 5)}${pick(JA, 6)} ${i}`;
  const day = new Date(Date.UTC(2010, 0, 1) + ((i * 37) % 6200) * 86_400_000).toISOString().slice(0, 10);
  return {
    popularity: (i * 31) % 1000,
    input: {
      slug: `bench-${i}`,
      status: 'published',
      defaultLanguage: 'en',
      title,
      summary: { en: `${pick(GENRES, 7)} game about ${pick(TAGS, 8).toLowerCase()} and ${pick(TAGS, 9).toLowerCase()}.` },
      description: { en: `${en}: a ${pick(GENRES, 7).toLowerCase()} adventure with ${pick(TAGS, 10).toLowerCase()}.` },
      genres: [pick(GENRES, 7), pick(GENRES, 11)].filter((g, k, a) => a.indexOf(g) === k),
      tags: [pick(TAGS, 8), pick(TAGS, 9), pick(TAGS, 10)].filter((g, k, a) => a.indexOf(g) === k),
      developer: `${pick(WORDS, 12)} Studio`,
      publisher: `${pick(NOUNS, 13)} Games`,
      releaseDate: day,
      coverUrl: null,
      screenshots: [],
      editions: [{ code: 'standard', name: { en: 'Standard' }, prices: regionalPrices(499 + ((i * 13) % 60) * 100) }],
      regions: { sale: { mode: 'everywhere', countries: [] }, play: { mode: 'everywhere', countries: [] } },
    },
  };
}

/** Latency of a fixed list of requests at low concurrency: for percentiles, not throughput. */
async function latencies(
  urls: string[],
  concurrency: number,
  headers: Record<string, string> = {},
): Promise<{ p50: number; p95: number; p99: number; errors: number; failed: string[]; byUrl: Map<string, number> }> {
  const samples: number[] = [];
  const byUrl = new Map<string, number>();
  let next = 0;
  let errors = 0;
  const failed: string[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < urls.length) {
        const url = urls[next++]!;
        const t0 = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        samples.push(performance.now() - t0);
        if (!byUrl.has(url)) byUrl.set(url, performance.now() - t0); // the first ask of a URL, before any cache
        if (res.status !== 200 && ++errors <= 5) failed.push(`${res.status} ${url.replace(/^https?:\/\/[^/]+/, '')}`);
      }
    }),
  );
  samples.sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 100) / 100;
  return { p50: r(percentile(samples, 50)), p95: r(percentile(samples, 95)), p99: r(percentile(samples, 99)), errors, failed, byUrl };
}

async function load(url: string, paths: string[], headers: Record<string, string> = {}) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    headers,
    requests: [{ setupRequest: (req: any) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }],
  });
  return {
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    ...(result.non2xx
      ? {
          statusCodes: Object.fromEntries(
            Object.entries((result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats).map(([k, v]) => [
              k,
              v.count,
            ]),
          ),
        }
      : {}),
    errors: result.errors,
  };
}

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  // Every run seeds a fresh database, so the numbers never depend on what an earlier run left.
  const database = await benchDatabase('store_bench', config.dataDir, log);
  const databaseUrl = database.url;
  try {
    // Seed (once; a later run reuses the 50,000 games).
    const seed = await createStore({
      config: { ...config, dataDir: join(config.dataDir, 'bench') },
      databaseUrl,
      clock: systemClock,
      authSecret: randomBytes(32).toString('hex'),
    });
    const seedStart = Date.now();
    const file = join(config.demoDataDir, 'ucsd-steam-games.csv');
    const real = existsSync(file) ? steamInputs(file, TARGET) : [];
    const games = [...real, ...Array.from({ length: TARGET - real.length }, (_, i) => synthetic(real.length + i))];
    console.error(`seeding ${games.length} games (${real.length} real Steam titles)…`);
    const count = await importInBatches(seed.catalog, games);
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const sampler = new pg.Client({ connectionString: databaseUrl });
    await sampler.connect();
    // Measure the steady state, not autovacuum catching up with 50,000 fresh rows.
    await sampler.query('vacuum analyze');
    const slugs = (
      await sampler.query<{ slug: string; title: string }>(`select slug, title->>'en' as title from games order by random() limit 2000`)
    ).rows;
    await sampler.end();
    await seed.close();

    const [port, helloPort] = [await freePort(), await freePort()];
    const child = fork(join(import.meta.dirname, 'server.ts'), [], {
      // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the store's process there.
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
      env: {
        ...process.env,
        PORT: String(port),
        HELLO_PORT: String(helloPort),
        BENCH_DATABASE_URL: databaseUrl,
        DATA_DIR: join(config.dataDir, 'bench'),
        LOG_LEVEL: 'warn',
        OPERATOR_REQUIRE_2FA: 'false',
      },
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const hello = `http://127.0.0.1:${helloPort}`;
      const gamePaths = slugs.map((s) => `/api/games/${s.slug}`);
      // The signed-in game page prices for the player's country with live promotions (a sale on two genres).
      const player = new Client(base);
      const email = `bench-${randomBytes(4).toString('hex')}@bench.test`;
      const signUp = await player.post('/api/accounts', {
        email,
        password: 'correct horse battery',
        name: 'Bench',
        country: 'KR',
        language: 'ko',
      });
      if (signUp.status !== 201) throw new Error(`sign-up failed: ${signUp.status} ${JSON.stringify(signUp.body)}`);
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`update account_profiles set role = 'operator' where user_id = (select id from "user" where email = $1)`, [email]);
      await admin.end();
      for (const genre of ['Action', 'Indie']) {
        const promo = await player.post('/api/operator/promotions', {
          name: `${genre} sale`,
          effect: { kind: 'percent_off', percent: 15 },
          targets: { genres: [genre] },
          stacking: 'best',
          timeZone: 'Asia/Seoul',
          startsAt: instantToZoned(new Date(Date.now() - 3_600_000), 'Asia/Seoul'),
        });
        if (promo.status !== 201) throw new Error(`promotion: ${promo.status} ${JSON.stringify(promo.body)}`);
      }
      const signedIn = { cookie: [...player.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
      const probe = await fetch(`${base}${gamePaths[0]}`, { headers: signedIn });
      if (probe.status !== 200 || (await probe.json()).country !== 'KR') throw new Error('the signed-in game page is not priced for KR');
      const typo = (s: string) => (s.length > 5 ? s.slice(0, 2) + s.slice(3) : s);
      const classed = slugs.slice(0, 400).flatMap((s, i) => {
        const first = s.title.split(/\s+/).slice(0, 2).join(' ');
        return [
          ['words', `q=${encodeURIComponent(first)}`],
          ['typo', `q=${encodeURIComponent(typo(first))}`],
          i % 4 === 0
            ? ['korean', `q=${encodeURIComponent(KO[i % KO.length]!)}`]
            : ['genre', `q=${encodeURIComponent(s.title.split(/\s+/)[0]!)}&genre=Action`],
          i % 4 === 1
            ? ['japanese', `q=${encodeURIComponent(JA[i % JA.length]!)}`]
            : ['price', `q=${encodeURIComponent(first)}&release=released&maxPrice=2000`],
        ] as const;
      });
      const queries = classed.map(([, q]) => q);

      // Warm up both servers, then measure each the same way. The load measures the steady state of the page cache, so
      // every page it asks for is asked once first, by a visitor and by the signed-in player (their first asks, which
      // render the page, are reported on their own as coldP50Ms / coldP95Ms).
      const gameCold = await latencies(
        gamePaths.map((p) => base + p),
        4,
      );
      const signedInCold = await latencies(
        gamePaths.map((p) => base + p),
        4,
        signedIn,
      );
      await latencies(Array(200).fill(hello + '/hello'), 4);
      const helloLoad = await load(hello, ['/hello']);
      const gameLoad = await load(base, gamePaths);
      const signedInLoad = await load(base, gamePaths, signedIn);
      const helloLatency = await latencies(Array(queries.length).fill(hello + '/hello'), 4);
      const searchLatency = await latencies(
        queries.map((q) => `${base}/api/games?${q}`),
        4,
      );
      // Per query class (each URL asked once, so these are cold: nothing cached yet), to see which class is slow.
      const byClass: Record<string, { n: number; p50Ms: number; p95Ms: number }> = {};
      for (const cls of new Set(classed.map(([c]) => c))) {
        const xs = [...new Set(classed.filter(([c]) => c === cls).map(([, q]) => q))]
          .map((q) => searchLatency.byUrl.get(`${base}/api/games?${q}`) ?? NaN)
          .filter((x) => !Number.isNaN(x))
          .sort((a, b) => a - b);
        byClass[cls] = {
          n: xs.length,
          p50Ms: Math.round(percentile(xs, 50) * 100) / 100,
          p95Ms: Math.round(percentile(xs, 95) * 100) / 100,
        };
      }
      const searchSecondPass = await latencies(
        queries.map((q) => `${base}/api/games?${q}`),
        4,
      );
      const searchLoad = await load(
        base,
        queries.map((q) => `/api/games?${q}`),
      );

      // Type-ahead: the first 1–6 characters of titles, each asked once (cold), then under load.
      const prefixes = slugs.slice(0, 1600).map((s, i) => `q=${encodeURIComponent(s.title.slice(0, 1 + (i % 6)))}`);
      const suggestLatency = await latencies(
        prefixes.map((q) => `${base}/api/games/suggest?${q}`),
        4,
      );
      const suggestLoad = await load(
        base,
        prefixes.map((q) => `/api/games/suggest?${q}`),
      );

      // Quality: 100 real Steam titles misspelled (a letter dropped from, or two swapped in, the longest word of
      // at least 5 letters); the share whose game is among the first three results.
      const misspell = (title: string, i: number) => {
        const words = title.split(/\s+/);
        const k = words.reduce((best, w, j) => (w.length > words[best]!.length ? j : best), 0);
        const w = words[k]!;
        const at = 1 + (i % (w.length - 2));
        words[k] = i % 2 ? w.slice(0, at) + w.slice(at + 1) : w.slice(0, at) + w[at + 1] + w[at] + w.slice(at + 2);
        return words.join(' ');
      };
      const real = slugs.filter(
        (s) =>
          !s.slug.startsWith('bench-') && /^[\x20-\x7e]+$/.test(s.title) && Math.max(...s.title.split(/\s+/).map((w) => w.length)) >= 5,
      );
      let top3 = 0;
      const probes = real.slice(0, 100);
      for (const [i, s] of probes.entries()) {
        const res = (await (await fetch(`${base}/api/games?q=${encodeURIComponent(misspell(s.title, i))}&pageSize=3`)).json()) as {
          items: { slug: string }[];
        };
        if (res.items.some((g) => g.slug === s.slug)) top3++;
      }

      // What the store holds after all this (pages, cards, the search index of every game): from its own /metrics.
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const metric = (name: string) => Math.round(Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(metrics)?.[1] ?? NaN) / 2 ** 20);
      const summary = {
        bench: 'catalog',
        machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
        games: count,
        seedSeconds,
        connections: CONNECTIONS,
        durationSeconds: DURATION,
        storeMemoryMb: { rss: metric('process_resident_memory_bytes'), heapUsed: metric('nodejs_heap_size_used_bytes') },
        helloWorld: { ...helloLoad, sequentialP95Ms: helloLatency.p95 },
        gamePage: {
          ...gameLoad,
          coldP50Ms: gameCold.p50,
          coldP95Ms: gameCold.p95,
          reqPerSecRatioToHello: Math.round((gameLoad.reqPerSec / helloLoad.reqPerSec) * 1000) / 1000,
        },
        gamePageSignedIn: {
          ...signedInLoad,
          coldP50Ms: signedInCold.p50,
          coldP95Ms: signedInCold.p95,
          reqPerSecRatioToHello: Math.round((signedInLoad.reqPerSec / helloLoad.reqPerSec) * 1000) / 1000,
        },
        search: {
          queries: queries.length,
          p50Ms: searchLatency.p50,
          p95Ms: searchLatency.p95,
          p99Ms: searchLatency.p99,
          errors: searchLatency.errors,
          failed: searchLatency.failed,
          p95RatioToHello: Math.round((searchLatency.p95 / helloLatency.p95) * 10) / 10,
          byClass,
          repeatedP95Ms: searchSecondPass.p95,
          underLoad: searchLoad,
          misspelledTitles: probes.length,
          misspelledFoundInTop3: Math.round((top3 / Math.max(1, probes.length)) * 100) / 100,
        },
        typeAhead: {
          queries: prefixes.length,
          p50Ms: suggestLatency.p50,
          p95Ms: suggestLatency.p95,
          p99Ms: suggestLatency.p99,
          errors: suggestLatency.errors,
          underLoad: suggestLoad,
        },
      };
      mkdirSync('bench/results', { recursive: true });
      writeFileSync(`bench/results/catalog-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(summary, null, 2));
      console.log(JSON.stringify(summary));
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    await database.stop();
  }
}

await main();
