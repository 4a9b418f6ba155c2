/**
 * A bundle of one of our entry points, made only when one of its sources changed since the last one (issue 15).
 * Loading TypeScript through tsx's loader costs every import, node_modules included, a pass through its hooks (about
 * 2.4 s of a 5.4 s second start); a bundle of src/ with the dependencies left to Node loads them at Node's own speed.
 * `npm start` runs the server from one (start.mjs); the tests that kill and restart a store process run that process
 * from one (test/store-process.ts: fifty restarts in the crash test alone). `npm run dev` and the tests themselves
 * still run the sources through tsx.
 *
 * - esbuild bundles the entry (its dynamic imports stay separate chunks, so PostgreSQL and the sidecars still start
 *   while the store's modules load); packages stay external and resolve from the repository's node_modules.
 * - `import.meta.url`, `import.meta.dirname` and `import.meta.filename` in our own files are replaced by those of the
 *   source file, so every path they build (the process guard, methods.json, the training worker, paysim's entry, the
 *   web build) means what it means when the sources run.
 * - Each build goes to a directory of its own under `.cache/<name>/`, and `current.json` names the one in use, written
 *   last and atomically: two builds at once each make a complete build, never a half-written one. Older builds but
 *   the previous are removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
/** Files that change the build without being modules of it. */
const ALWAYS = ['package-lock.json', 'tsconfig.json', 'src/cli/bundle.mjs'];

const hashOf = (file) => {
  const path = join(ROOT, file);
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing';
};
const fingerprint = (files) => Object.fromEntries([...new Set([...files, ...ALWAYS])].sort().map((f) => [f, hashOf(f)]));

/** The build in use, if every file it was made from is unchanged; otherwise why not. */
function upToDate(cache, output) {
  const current = join(cache, 'current.json');
  if (!existsSync(current)) return { why: 'no earlier build' };
  const { dir, inputs } = JSON.parse(readFileSync(current, 'utf8'));
  const entry = join(cache, dir, output);
  if (!existsSync(entry)) return { why: 'the last build is missing' };
  const changed = Object.keys(inputs).find((f) => hashOf(f) !== inputs[f]);
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

async function build(source, cache, output, why) {
  const t0 = performance.now();
  const { build: esbuild } = await import('esbuild');
  const dir = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const out = join(cache, dir);
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: [source],
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
  const current = join(cache, 'current.json');
  const tmp = `${current}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ dir, inputs: fingerprint(inputs) }, null, 1));
  renameSync(tmp, current);
  // Keep this build and the one before it (a store started from it may still load its chunks); drop the rest.
  const builds = readdirSync(cache, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== dir)
    .map((d) => d.name)
    .sort();
  for (const old of builds.slice(0, -1)) rmSync(join(cache, old), { recursive: true, force: true });
  console.error(`built ${source} (${why}) in ${Math.round(performance.now() - t0)} ms`);
  return join(out, output);
}

/**
 * The path of an up-to-date bundle of `source` (relative to the repository), built first when none is. `name` is
 * the bundle's folder under .cache/.
 */
export async function bundled(source, name) {
  const cache = join(ROOT, '.cache', name);
  const output = basename(source).replace(/\.[mc]?ts$/, '.mjs');
  mkdirSync(cache, { recursive: true });
  const found = upToDate(cache, output);
  return found.entry ?? (await build(source, cache, output, found.why));
}
