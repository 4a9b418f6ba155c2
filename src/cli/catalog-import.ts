import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { progressBar } from '../platform/progress.ts';
import { regionalPrices } from '../catalog/demo-catalog.ts';
import { detectFormat, readCatalog, shapeProblem, uniqueSlug, type CatalogFormat, type Imported } from '../catalog/interchange.ts';
import { withStore } from './with-store.ts';

/**
 * npm run catalog:import -- FILE [--format ucsd-csv|kaggle-csv|steam-jsonl|store-jsonl] [--limit N] [--dry-run]
 * Registers the games of a catalogue file (see interchange.ts for the formats) in the store the configuration
 * points at (DATABASE_URL, or the embedded database in DATA_DIR): the same checks as the operator API, games whose
 * address is taken are skipped (the store keeps its own), a progress bar on stderr, a summary on stdout.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { format: { type: 'string' }, limit: { type: 'string' }, 'dry-run': { type: 'boolean' } },
});
const file = positionals[0];
if (!file) {
  console.error('Usage: npm run catalog:import -- FILE [--format ucsd-csv|kaggle-csv|steam-jsonl|store-jsonl] [--limit N] [--dry-run]');
  process.exit(2);
}
let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (err) {
  console.error(`Cannot read ${file}: ${(err as Error).message}`);
  process.exit(2);
}
const format = (values.format as CatalogFormat | undefined) ?? detectFormat(text.slice(0, text.indexOf('\n') + 1 || undefined));
if (!format || !['ucsd-csv', 'kaggle-csv', 'steam-jsonl', 'store-jsonl'].includes(format)) {
  console.error(
    `${file}: not a catalogue file this store reads. Formats: the UCSD Steam games CSV, Kaggle "Steam Store Games" CSV, JSON Lines of Steam-like objects, or this store's export (npm run catalog:export).`,
  );
  process.exit(2);
}
const limit = values.limit ? Number(values.limit) : Infinity;
if (!(limit > 0) || (values.limit && !Number.isInteger(limit))) {
  console.error(`--limit ${values.limit}: give a whole number of games, at least 1.`);
  process.exit(2);
}

const skipped: { line: number; reason: string }[] = [];
let imported = 0;
let existing = 0;
await withStore(async (store) => {
  const rows = [...readCatalog(text, format, regionalPrices)];
  const bar = progressBar(`Importing ${file}`, Math.min(rows.length, limit));
  const batch: Imported[] = [];
  const seen = new Set<string>();
  const flush = async () => {
    if (!batch.length) return;
    const taken = await store.catalog.slugsTaken(batch.map((g) => g.input.slug));
    const fresh = batch.filter((g) => !taken.has(g.input.slug));
    existing += batch.length - fresh.length;
    if (!values['dry-run'] && fresh.length) imported += await store.catalog.importGames(fresh);
    else if (values['dry-run']) imported += fresh.length;
    batch.length = 0;
  };
  let n = 0;
  for (const r of rows) {
    if (n >= limit) break;
    n++;
    if (r.skipped || !r.game) {
      skipped.push({ line: r.line, reason: r.skipped ?? 'unreadable' });
    } else {
      // The store's own export keeps its addresses; other files get one per title, unique within the file.
      const slug = format === 'store-jsonl' ? r.game.input.slug : uniqueSlug(r.game.input.slug, r.sourceId, seen);
      const input = { ...r.game.input, slug: slug ?? '' };
      const problem = slug ? (shapeProblem(input) ?? store.catalog.problemWith(input)) : 'no usable address (slug) in its title';
      if (problem) skipped.push({ line: r.line, reason: problem });
      else batch.push({ input, popularity: r.game.popularity });
      if (batch.length >= 500) await flush();
    }
    bar.update(n);
  }
  await flush();
  bar.done(n);
  console.log(
    `${values['dry-run'] ? 'Would import' : 'Imported'} ${imported.toLocaleString('en')} games from ${file} (${format}); ` +
      `${existing.toLocaleString('en')} already in the store (same address), ${skipped.length.toLocaleString('en')} lines skipped.`,
  );
  for (const s of skipped.slice(0, 10)) console.log(`  line ${s.line}: ${s.reason}`);
  if (skipped.length > 10) console.log(`  … and ${skipped.length - 10} more`);
});
