import { afterAll, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { alive } from '../src/platform/db/embedded.ts';

/**
 * `npm start` as a user runs it: the real entry point (src/cli/start.mjs: the server built from src/ when it changed,
 * then run), its own embedded PostgreSQL in a data folder,
 * a demo catalog, and recovery after the process was killed with SIGKILL (the postmaster outlives it).
 */
const dataDir = mkdtempSync(join(process.cwd(), '.data/start-test-'));
const procs: ChildProcess[] = [];
const output = new Map<ChildProcess, string>();
afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGKILL');
    } catch {
      /* already stopped */
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(port: number, pgPort: number, sidecars: { paysim: number; smtp: number }) {
  const child = spawn(process.execPath, ['src/cli/start.mjs'], {
    env: {
      ...process.env,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      PAYSIM_PORT: String(sidecars.paysim),
      SMTP_SINK_PORT: String(sidecars.smtp),
      DATA_DIR: dataDir,
      DEMO_CATALOG: 'builtin',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(child);
  let text = '';
  const collect = (d: Buffer) => {
    text += d;
    output.set(child, text);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`store exited with ${child.exitCode}:\n${text}`);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`store did not become ready:\n${text}`);
}

const postmaster = () => Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
const gameCount = async (port: number) => {
  const home = await (await fetch(`http://127.0.0.1:${port}/api/games?pageSize=100`)).json();
  return home.total as number;
};

describe('npm start', () => {
  it('R2 R4 R10 starts on an embedded PostgreSQL with paysim and a mail sink beside it and a demo catalog, survives kill -9 with no leftover server, keeps its data, and stops cleanly', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const sidecars = { paysim: await freePort(), smtp: await freePort() };
    const first = await start(port, pgPort, sidecars);
    expect(await gameCount(port)).toBe(16);
    const page = await fetch(`http://127.0.0.1:${port}/games/starfall-odyssey`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const pg1 = postmaster();

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    // paysim notices its parent is gone and exits; the mailbox page and the gateway work again after restart.
    const second = await start(port, pgPort, sidecars);
    expect((await fetch(`http://127.0.0.1:${port}/dev/mailbox`)).status).toBe(200);
    expect(
      (await fetch(`http://127.0.0.1:${sidecars.paysim}/v1/totals`, { headers: { authorization: 'Bearer paysim-dev-key' } })).status,
    ).toBe(200);
    expect(await gameCount(port)).toBe(16);
    expect(alive(pg1) && postmaster() !== pg1).toBe(false);

    const pg2 = postmaster();
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    expect(second.exitCode, output.get(second)).toBe(0);
    expect(alive(pg2)).toBe(false);
  });

  it('R2 R4 a side process that cannot start (paysim’s port taken) ends start-up with the reason, and the PostgreSQL started beside it is stopped', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const sidecars = { paysim: await freePort(), smtp: await freePort() };
    const squatter = createServer().listen(sidecars.paysim, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      await expect(start(port, pgPort, sidecars)).rejects.toThrow(/exited with 1[^]*paysim exited[^]*is port \d+ free\?/);
      // The embedded server it had started meanwhile does not outlive it.
      await vi.waitFor(() => expect(existsSync(join(dataDir, 'pg', 'postmaster.pid')) ? alive(postmaster()) : false).toBe(false), {
        timeout: 15_000,
        interval: 100,
      });
    } finally {
      squatter.close();
    }
  });
});
