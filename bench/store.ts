import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnPaysim } from '../src/paysim/spawn.ts';
import { MailSink } from '../src/platform/mail/sink.ts';
import pg from 'pg';
import { freePort } from '../test/ports.ts';
import { Client } from '../test/harness.ts';

/**
 * The store as its own process for a benchmark, as in production: paysim and the mail server beside it as other
 * processes (the sink runs in the benchmark's process), on `databaseUrl`. `stop()` stops all three.
 */
export async function startStoreProcess(
  dataDir: string,
  databaseUrl: string,
): Promise<{
  base: string;
  paysimUrl: string;
  pid: number;
  memory(): Promise<{ heapMiB: number; rssMiB: number }>;
  stop(): Promise<void>;
}> {
  const mailSink = new MailSink(Infinity);
  const smtpPort = await mailSink.start();
  const stateFile = join(dataDir, 'bench', `paysim-${Date.now()}.json`);
  const paysim = await spawnPaysim({ port: await freePort(), apiKey: 'test-key', webhookSecret: 'whsec_test', stateFile });
  const port = await freePort();
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await paysim.stop();
    await mailSink.stop();
    rmSync(stateFile, { force: true });
  };
  try {
    child = fork('test/fixtures/store-process.ts', [], {
      // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the store process there (open it in Chrome DevTools).
      execArgv: [
        '--import',
        'tsx',
        '--expose-gc',
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      ],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        PAYSIM_URL: paysim.url,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        AUTH_SECRET: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'warn',
        DEMO_CATALOG: 'off',
        OPERATOR_REQUIRE_2FA: 'false',
        AUTH_RATE_LIMIT: 'off',
        DATA_DIR: join(dataDir, 'bench'),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child!.once('message', () => resolve());
      child!.once('exit', (code) => reject(new Error(`store exited with ${code}`)));
    });
  } catch (err) {
    child?.kill('SIGKILL');
    await stop();
    throw err;
  }
  const forked = child;
  /** The store's heap after a full collection and its resident memory, in MiB. */
  const memory = () =>
    new Promise<{ heapMiB: number; rssMiB: number }>((resolve) => {
      const onMessage = (m: unknown) => {
        const usage = (m as { memory?: NodeJS.MemoryUsage }).memory;
        if (!usage) return;
        forked.off('message', onMessage);
        const mib = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
        resolve({ heapMiB: mib(usage.heapUsed), rssMiB: mib(usage.rss) });
      };
      forked.on('message', onMessage);
      forked.send('memory');
    });
  return { base: `http://127.0.0.1:${port}`, paysimUrl: paysim.url, pid: child.pid!, memory, stop };
}

/**
 * CPU time (user + system, in clock ticks of 10 ms) used so far by the processes of this machine, grouped: the
 * store's process, paysim, PostgreSQL's backends, this benchmark, the rest. Read from /proc (Linux); empty elsewhere.
 */
export function cpuTicks(storePid: number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [, { key, ticks }] of cpuByProcess(new Map(storePid === undefined ? [] : [[storePid, 'store']])))
    out[key] = (out[key] ?? 0) + ticks;
  return out;
}

/**
 * CPU milliseconds each group of processes used from this call until the returned function is called, counting only
 * processes alive at both ends (a PostgreSQL backend that ended meanwhile would otherwise subtract its whole life).
 * The processes in `named` (pid → group) are counted under their own group names; the rest as in cpuTicks.
 */
export function cpuSince(named: Map<number, string>): () => Record<string, number> {
  const before = cpuByProcess(named);
  return () => {
    const used: Record<string, number> = {};
    for (const [pid, { key, ticks }] of cpuByProcess(named)) {
      const was = before.get(pid);
      if (was && key !== 'other') used[key] = (used[key] ?? 0) + (ticks - was.ticks) * 10;
    }
    return used;
  };
}

/**
 * CPU milliseconds per second each group of processes spent over `ms` of wall time, counting only processes alive
 * at both ends (a PostgreSQL backend that ended meanwhile would otherwise subtract its whole life).
 */
export async function cpuMsPerSecond(storePid: number, ms: number): Promise<Record<string, number>> {
  const used = cpuSince(new Map([[storePid, 'store']]));
  await new Promise((r) => setTimeout(r, ms));
  return Object.fromEntries(Object.entries(used()).map(([k, v]) => [k, Math.round((v * 1000) / ms)]));
}

function cpuByProcess(named: Map<number, string>): Map<string, { key: string; ticks: number }> {
  const out = new Map<string, { key: string; ticks: number }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key =
        Number(pid) === process.pid
          ? 'bench'
          : (named.get(Number(pid)) ??
            (cmd.includes('paysim') ? 'paysim' : cmd.includes('postgres') ? 'postgres' : cmd.includes('redis-server') ? 'redis' : 'other'));
      out.set(pid, { key, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** A new account on the store; `operator` makes it one (by SQL, as the console's first operator is made). */
export async function benchAccount(
  base: string,
  db: pg.Client,
  opts: { name: string; country: string; operator?: boolean },
): Promise<{ client: Client; id: string }> {
  const client = new Client(base);
  const email = `${opts.name}-${randomBytes(3).toString('hex')}@bench.test`;
  const r = await client.post('/api/accounts', {
    email,
    password: 'correct horse battery',
    name: opts.name,
    country: opts.country,
    language: 'en',
  });
  if (r.status !== 201) throw new Error(`sign-up failed: ${r.status} ${JSON.stringify(r.body)}`);
  if (opts.operator) await db.query(`update account_profiles set role = 'operator' where user_id = $1`, [r.body.id]);
  return { client, id: r.body.id as string };
}
