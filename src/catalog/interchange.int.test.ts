import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, createTestDatabase, startTestStore, type TestStore } from '../../test/harness.ts';

let t: TestStore;
let dir: string;
beforeAll(async () => {
  t = await startTestStore();
  dir = mkdtempSync(join(tmpdir(), 'catalog-files-'));
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a catalogue command against a database, as `npm run catalog:… -- ARGS` would. */
async function cli(script: 'import' | 'export', databaseUrl: string, ...args: string[]) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', `src/cli/catalog-${script}.ts`, ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dir, DEMO_CATALOG: 'off', NODE_ENV: 'test' },
  });
}

// Small generated files in the public data sets' shapes (the real ones are in ../shared/data, not in tests).
const ucsd = [
  'id,app_name,title,developer,publisher,release_date,price,discount_price,early_access,sentiment,metascore,genres,tags,specs',
  '900001,Lantern Keep,Lantern Keep,Quiet Owl,Quiet Owl,2017-05-04,14.99,,False,Very Positive,81,Adventure|Indie,Puzzle|Atmospheric,Single-player',
  '900002,Lantern Keep,Lantern Keep,Other Studio,Other Studio,2016-02-01,4.99,,False,Mixed,,Action,Shooter,Single-player',
  '900003,Free Fall,Free Fall,"Sky, Inc.",Sky Inc,2017-09-09,Free To Play,,False,Mostly Positive,,Free to Play|Action,Free to Play|Parkour,Multi-player',
  '900004,Someday,Someday,Nobody,Nobody,,9.99,,False,,,Indie,Indie,Single-player',
  '900005,Pokémon Tribute,Pokémon Tribute,Fan Works,Fan Works,2015-01-01,1.99,,False,Positive,,Casual,Cute,Single-player',
].join('\n');
const kaggle = [
  ',name,release_date,developer,achievements,positive_ratings,negative_ratings,avg_hours_per_user,price,sells,action,adventure,rpg,simulation,strategy,racing,free_to_play,early_access',
  '0,Harbor Wars,2012-08-21,Dock Games,0,5000,200,30,7.19€,100000.0,True,False,False,False,True,False,False,False',
  '1,Broken Price,2013-01-01,Someone,0,1,1,1,soon,0.0,False,False,False,False,False,False,False,False',
].join('\n');
const jsonl = [
  JSON.stringify({
    appid: 910001,
    name: 'Orbit Tea',
    release_date: '2018-01-02',
    developer: 'Tea Co',
    genres: ['Simulation'],
    tags: 'Relaxing|Space',
    price: '2.99',
  }),
  '{not json',
].join('\n');

// Each test starts the command-line tool five or three times, each a whole store through tsx: 45–60 s beside another
// test file on two cores (4 Dec), so more than the suite's 60 s limit per test.
describe('catalogue files: import and export (storefront issue: a larger demo catalogue)', { timeout: 180_000 }, () => {
  it('R1 catalog:import reads the UCSD Steam CSV, Kaggle’s Steam Store CSV and Steam-like JSON Lines: valid games registered with a progress bar, the rest skipped with the line and the reason, again = nothing twice', async () => {
    const files = { 'ucsd.csv': ucsd, 'kaggle.csv': kaggle, 'steam.jsonl': jsonl };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), `${text}\n`);

    const first = await cli('import', t.databaseUrl, join(dir, 'ucsd.csv'));
    expect(first.stdout).toContain('Imported 4 games');
    expect(first.stdout).toContain('(ucsd-csv)');
    expect(first.stdout).toContain('1 lines skipped');
    expect(first.stdout).toContain('line 5: release date "" is not YYYY-MM-DD');
    // Not a terminal: the bar is printed as lines, ending at 100 %.
    expect(first.stderr.trim().split('\n').at(-1)).toMatch(/\[#{30}\] 100% 5\/5$/);
    const kag = await cli('import', t.databaseUrl, join(dir, 'kaggle.csv'));
    expect(kag.stdout).toContain('Imported 1 games');
    expect(kag.stdout).toContain('line 3: price "soon" is not a euro amount');
    const js = await cli('import', t.databaseUrl, join(dir, 'steam.jsonl'));
    expect(js.stdout).toContain('Imported 1 games');
    expect(js.stdout).toContain('line 2: not JSON');

    const visitor = new Client(t.url);
    // Two games with one title: each has its own address.
    expect((await visitor.get('/api/games/lantern-keep')).body.developer).toBe('Quiet Owl');
    expect((await visitor.get('/api/games/lantern-keep-900002')).body.developer).toBe('Other Studio');
    expect((await visitor.get('/api/games/pokemon-tribute')).status).toBe(200);
    const free = await visitor.get('/api/games/free-fall');
    expect(free.body.developer).toBe('Sky, Inc.');
    expect(free.body.editions[0].price.amountMinor).toBe(0);
    const harbor = await visitor.get('/api/games/harbor-wars');
    expect(harbor.body.genres).toEqual(['Action', 'Strategy']);
    expect(harbor.body.editions[0].price).toEqual(expect.objectContaining({ amountMinor: 719, currency: 'EUR' }));
    expect((await visitor.get('/api/games/orbit-tea')).body.tags).toEqual(['Relaxing', 'Space']);

    const again = await cli('import', t.databaseUrl, join(dir, 'ucsd.csv'));
    expect(again.stdout).toContain('Imported 0 games');
    expect(again.stdout).toContain('4 already in the store');

    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    await expect(cli('import', t.databaseUrl, join(dir, 'notes.txt'))).rejects.toMatchObject({
      stderr: expect.stringContaining('not a catalogue file this store reads'),
    });
  });

  it('R1 catalog:export writes every game in the store’s own JSON Lines; importing that file into an empty store gives the same games', async () => {
    const file = join(dir, 'export.jsonl');
    const out = await cli('export', t.databaseUrl, file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'game-store-catalog', version: 1 });
    const exported = Number(/Exported (\d+) games/.exec(out.stdout)?.[1]);
    expect(exported).toBeGreaterThanOrEqual(6);
    expect(lines).toHaveLength(exported + 1);

    const other = await createTestDatabase();
    try {
      const imported = await cli('import', other.url, file);
      expect(imported.stdout).toContain(`Imported ${exported} games`);
      expect(imported.stdout).toContain('(store-jsonl)');
      const back = join(dir, 'back.jsonl');
      await cli('export', other.url, back);
      const body = (f: string) => readFileSync(f, 'utf8').trim().split('\n').slice(1).sort();
      expect(body(back)).toEqual(body(file));
    } finally {
      await other.drop();
    }
  });
});
