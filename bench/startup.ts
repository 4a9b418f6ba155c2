/**
 * npm run bench:startup — `npm start` to ready (issue 15): the first start on a new data directory (PostgreSQL
 * initialised, migrations, demo catalogue), then a second start on the same directory, each timed from the command
 * to the first answer of GET /ready. The baselines, measured in the same run: a Fastify hello-world to its first
 * answer, with plain node (what `npm start` runs since it starts a build of src/) and through the tsx loader (how it
 * ran before). The first start runs without an earlier server build, as a fresh clone does. The web client's
 * build is timed on its own (`npm start` runs it only when the client's sources changed; a fresh clone pays it once).
 * The last line is the JSON summary. Bounded: three starts and one build, 127.0.0.1 only.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../test/ports.ts';

const ROOT = join(import.meta.dirname, '..');

/** Runs `command` in its own process group, times it to the first 200 from `url`, then stops the whole group. */
async function timeToReady(command: string, args: string[], env: Record<string, string>, url: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-3000)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited (${child.exitCode}) before ready:\n${err}`);
      const ok = await fetch(url, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return Math.round(performance.now() - t0);
      if (performance.now() - t0 > 180_000) throw new Error(`not ready after 180 s:\n${err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    // The whole group: npm, sh, tsx and the store; the store stops its PostgreSQL and sidecars on SIGTERM.
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const stopped = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
    if (stopped === 'timeout') process.kill(-child.pid!, 'SIGKILL');
  }
}

async function main() {
  // Baseline: hello world through tsx.
  const scratch = mkdtempSync(join(ROOT, '.data', 'startup-bench-'));
  chmodSync(scratch, 0o755); // the embedded PostgreSQL runs as another OS user when started as root
  try {
    const helloPort = await freePort();
    const hello = join(scratch, 'hello.ts');
    writeFileSync(
      hello,
      `import Fastify from 'fastify';\nconst app = Fastify();\napp.get('/ready', async () => ({ ok: true }));\nawait app.listen({ host: '127.0.0.1', port: ${helloPort} });\n`,
    );
    const baselines: number[] = [];
    for (let i = 0; i < 3; i++) {
      baselines.push(await timeToReady(process.execPath, ['--import', 'tsx', hello], {}, `http://127.0.0.1:${helloPort}/ready`));
    }
    const baseline = baselines.sort((a, b) => a - b)[1]!;
    const hellosNode: number[] = [];
    const helloJs = join(scratch, 'hello.mjs');
    writeFileSync(helloJs, readFileSync(hello, 'utf8'));
    for (let i = 0; i < 3; i++) {
      hellosNode.push(await timeToReady(process.execPath, [helloJs], {}, `http://127.0.0.1:${helloPort}/ready`));
    }
    const baselineNode = hellosNode.sort((a, b) => a - b)[1]!;

    const port = await freePort();
    const env = {
      PORT: String(port),
      EMBEDDED_PG_PORT: String(await freePort()),
      PAYSIM_PORT: String(await freePort()),
      SMTP_SINK_PORT: String(await freePort()),
      DATA_DIR: join(scratch, 'data'),
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    const ready = `http://127.0.0.1:${port}/ready`;
    rmSync(join(ROOT, '.cache', 'server'), { recursive: true, force: true }); // a fresh clone has no server build
    const first = await timeToReady('npm', ['start'], env, ready);
    const second = await timeToReady('npm', ['start'], env, ready);
    const t0 = performance.now();
    const build = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    if (build.status !== 0) throw new Error('the web build failed');
    const webBuild = Math.round(performance.now() - t0);

    const summary = {
      bench: 'startup',
      helloWorldNodeMs: baselineNode,
      helloWorldTsxMs: baseline,
      firstStartMs: first,
      secondStartMs: second,
      webBuildMs: webBuild,
      firstStartFreshCloneMs: first + webBuild,
      secondStartRatioToHelloNode: Math.round((second / baselineNode) * 10) / 10,
      secondStartRatioToHelloTsx: Math.round((second / baseline) * 10) / 10,
      goals: { firstStartMs: 15_000, secondStartMs: 5_000 },
    };
    console.log(JSON.stringify(summary));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
