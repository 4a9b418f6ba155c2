import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../platform/config.ts';
import { systemClock } from '../platform/clock.ts';
import { openDatabase } from '../platform/db/open.ts';
import { authSecret } from '../platform/secrets.ts';
import { progressBar } from '../platform/progress.ts';
import { createStore } from '../app.ts';
import { exportHeader, exportLine } from '../catalog/interchange.ts';

/**
 * npm run catalog:export -- FILE
 * Writes every game (drafts too) as JSON Lines in the store's own format: a header line, then one operator-API
 * document per game with its popularity. `npm run catalog:import -- FILE` on another store registers the same games.
 */
const { positionals } = parseArgs({ allowPositionals: true });
const file = positionals[0];
if (!file) {
  console.error('Usage: npm run catalog:export -- FILE');
  process.exit(2);
}
const config = { ...loadConfig(), logLevel: 'warn' as const };
const log = pino({ level: 'warn' });
const database = await openDatabase(config, log);
const store = await createStore({ config, databaseUrl: database.url, clock: systemClock, authSecret: authSecret(config) });
try {
  const total = await store.catalog.countGames();
  const out = createWriteStream(file, { encoding: 'utf8' });
  const bar = progressBar(`Exporting to ${file}`, total);
  out.write(`${exportHeader(systemClock.now(), total)}\n`);
  let n = 0;
  for await (const game of store.catalog.allGames()) {
    if (!out.write(`${exportLine(game)}\n`)) await once(out, 'drain');
    bar.update(++n);
  }
  out.end();
  await once(out, 'finish');
  bar.done(n);
  console.log(`Exported ${n.toLocaleString('en')} games to ${file}.`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await store.close();
  await database.stop();
}
