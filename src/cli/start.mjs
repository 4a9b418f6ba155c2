/**
 * `npm start`: runs the store from a build of its sources, made only when one of them changed since the last build —
 * as the web client is (issue 15). Loading TypeScript through tsx's loader costs every import, node_modules included,
 * a pass through its hooks (about 2.4 s of a 5.4 s second start); a bundle of src/ with the dependencies left to Node
 * loads them at Node's own speed. `npm run dev` and the tests still run the sources through tsx.
 *
 * - esbuild bundles src/main.ts (its dynamic imports stay separate chunks, so PostgreSQL and the sidecars still start
 *   while the store's modules load); packages stay external and resolve from the repository's node_modules.
 * - `import.meta.url`, `import.meta.dirname` and `import.meta.filename` in our own files are replaced by those of the
 *   source file, so every path they build (the process guard, methods.json, the training worker, paysim's entry, the
 *   web build) means what it means when the sources run.
 * - Each build goes to a directory of its own and `current.json` names the one in use, written last and atomically:
 *   two starts at once each run a complete build, never a half-written one. Older builds but the previous are removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, '.cache', 'server');
const CURRENT = join(CACHE, 'current.json');
/** Files that change the build without being modules of it. */
const ALWAYS = ['package-lock.json', 'tsconfig.json', 'src/cli/start.mjs'];

const hashOf = (file) => {
  const path = join(ROOT, file);
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing';
};
const fingerprint = (files) => Object.fromEntries([...new Set([...files, ...ALWAYS])].sort().map((f) => [f, hashOf(f)]));

/** The build in use, if every file it was made from is unchanged; otherwise why not. */
function upToDate() {
  if (!existsSync(CURRENT)) return { why: 'no earlier build' };
  const current = JSON.parse(readFileSync(CURRENT, 'utf8'));
  const entry = join(CACHE, current.dir, 'main.mjs');
  if (!existsSync(entry)) return { why: 'the last build is missing' };
  const changed = Object.keys(current.inputs).find((f) => hashOf(f) !== current.inputs[f]);
  return changed ? { why: `${changed} changed` } : { entry };
}

/** esbuild plugin: our own files keep their own import.meta paths inside the bundle. */
const sourcePaths = {
  name: 'source-paths',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mts)$/ }, (args) => {
      if (args.path.includes(`${join('node_modules', '')}`)) return undefined;
      const contents = readFileSync(args.path, 'utf8')
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};

async function build(why) {
  const t0 = performance.now();
  const { build: esbuild } = await import('esbuild');
  const dir = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const out = join(CACHE, dir);
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ['src/main.ts'],
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [sourcePaths],
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
  const tmp = `${CURRENT}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ dir, inputs: fingerprint(inputs) }, null, 1));
  renameSync(tmp, CURRENT);
  // Keep this build and the one before it (a store started from it may still load its chunks); drop the rest.
  const builds = readdirSync(CACHE, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== dir)
    .map((d) => d.name)
    .sort();
  for (const old of builds.slice(0, -1)) rmSync(join(CACHE, old), { recursive: true, force: true });
  console.error(`built the server (${why}) in ${Math.round(performance.now() - t0)} ms`);
  return join(out, 'main.mjs');
}

mkdirSync(CACHE, { recursive: true });
const found = upToDate();
const entry = found.entry ?? (await build(found.why));
process.setSourceMapsEnabled(true);
await import(pathToFileURL(entry).href);
