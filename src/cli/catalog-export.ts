import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { progressBar } from '../platform/progress.ts';
import { exportHeader, exportLine } from '../catalog/interchange.ts';
import { withStore } from './with-store.ts';

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
await withStore(async (store) => {
  const total = await store.catalog.countGames();
  const out = createWriteStream(file, { encoding: 'utf8' });
  const bar = progressBar(`Exporting to ${file}`, total);
  out.write(`${exportHeader(new Date(), total)}\n`);
  let n = 0;
  for await (const game of store.catalog.allGames()) {
    if (!out.write(`${exportLine(game)}\n`)) await once(out, 'drain');
    bar.update(++n);
  }
  out.end();
  await once(out, 'finish');
  bar.done(n);
  console.log(`Exported ${n.toLocaleString('en')} games to ${file}.`);
});
