import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/**
 * What a web build was made from: every module the bundle read (web sources and the src/ files they import) plus
 * the files that decide how it is built, each with a hash of its content. `npm start` rebuilds the web client
 * only when one of them changed (or the build is missing) — a second start does not pay for a build.
 */
export const ROOT = resolve(import.meta.dirname, '..');
export const INPUTS_FILE = resolve(ROOT, 'web/dist/.build-inputs.json');
/** Files that change the build without being modules of it. */
export const ALWAYS = ['web/index.html', 'web/vite.config.ts', 'web/build-inputs.ts', 'package-lock.json', 'tsconfig.json'];

const hashOf = (file: string) => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : 'missing');

/** file (relative to the repository) → content hash. */
export function fingerprint(files: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of [...new Set([...files, ...ALWAYS])].sort()) out[f] = hashOf(resolve(ROOT, f));
  return out;
}

/** The module ids a Rollup build reports, as repository paths (no node_modules, no virtual modules). */
export function ownModules(ids: Iterable<string>): string[] {
  return [...ids]
    .filter((id) => !id.startsWith('\0') && !id.includes('/node_modules/') && id.startsWith(ROOT))
    .map((id) => relative(ROOT, id.split('?')[0]!));
}

/** Why a rebuild is needed, or undefined when the last build's inputs are all unchanged. */
export function staleBecause(): string | undefined {
  if (!existsSync(INPUTS_FILE)) return 'no earlier build';
  const recorded = JSON.parse(readFileSync(INPUTS_FILE, 'utf8')) as Record<string, string>;
  const now = fingerprint(Object.keys(recorded));
  const changed = Object.keys(now).find((f) => now[f] !== recorded[f]);
  return changed ? `${changed} changed` : undefined;
}

/**
 * Builds the web client when something it is made from changed (`npm start` asks for this); resolves at once when it
 * is up to date. The build runs as its own process, so the caller can start other things meanwhile.
 */
export async function buildWebIfChanged(log: { info(msg: string): void } = console): Promise<void> {
  const why = staleBecause();
  if (!why) {
    log.info('web client up to date (no rebuild)');
    return;
  }
  log.info(`building the web client: ${why}`);
  const { spawn } = await import('node:child_process');
  const child = spawn('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], { cwd: ROOT, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`the web build failed (exit code ${code})`);
}
