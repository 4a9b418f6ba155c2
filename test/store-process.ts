import { fork, type ChildProcess } from 'node:child_process';
import { bundled } from '../src/cli/bundle.mjs';

/**
 * The store as a child process (fixtures/store-process.ts) that a test can kill with SIGKILL and start
 * again on the same database and port — what a crash and a restart look like in production.
 */
export class StoreProcess {
  private child: ChildProcess | undefined;
  constructor(private readonly env: Record<string, string>) {}

  async start(extra: Record<string, string> = {}): Promise<void> {
    // From a bundle, as `npm start` runs (src/cli/bundle.mjs): loading the sources through tsx cost each of the crash
    // tests' restarts about 2.4 s of CPU.
    const child = fork(await bundled('test/fixtures/store-process.ts', 'store-process'), [], {
      execArgv: ['--enable-source-maps'],
      // Crash tests are about recovery: their operator is made by SQL without two-factor, and their many
      // sign-ups come from one address, so those two guards are off here (tests of them live elsewhere).
      env: {
        ...process.env,
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        DEMO_CATALOG: 'off',
        DATA_DIR: '.data/crash-test',
        OPERATOR_REQUIRE_2FA: 'false',
        AUTH_RATE_LIMIT: 'off',
        ...this.env,
        ...extra,
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    let err = '';
    child.stderr!.on('data', (d) => (err = (err + d).slice(-3000)));
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code, signal) => reject(new Error(`store exited (${code ?? signal}) before ready:\n${err}`)));
    });
  }

  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }
}

/** A request that survives the store being killed: retried (same body, same key) until it is answered. */
export async function retrying<T>(fn: () => Promise<T>, giveUpAfterMs?: () => number | undefined): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const since = giveUpAfterMs?.();
      if (since !== undefined && Date.now() - since > 60_000) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Another node of a test store: its own process (DBOS runs one executor per process) on `port`, sharing the store's
 * database, paysim and secret, as node-2. Not started yet.
 */
export function secondNode(
  store: { databaseUrl: string; paysimUrl: string; authSecret: string },
  port: number,
  extra: Record<string, string> = {},
): StoreProcess {
  return new StoreProcess({
    DATABASE_URL: store.databaseUrl,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PAYSIM_URL: store.paysimUrl,
    AUTH_SECRET: store.authSecret,
    NODE_ID: 'node-2',
    ...extra,
  });
}
