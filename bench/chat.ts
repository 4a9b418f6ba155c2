/**
 * npm run bench:chat (R14, R3) — chat across two store nodes sharing Redis, against a bare relay (`ws` + Redis
 * pub/sub, bench/relay.ts) measured in the same run on the same machine with the same clients.
 *
 * BENCH_CONNECTIONS (1,000) players in groups of BENCH_ROOM_SIZE (10), each connected to one of two nodes
 * (alternating), send at a fixed total rate so that the room members receive BENCH_DELIVERIES (10,000) messages a
 * second, for BENCH_SECONDS (10). Every message carries its send time; each receipt's latency is measured in this
 * process (one clock). Halfway through the store's run, 10 % of the connections are cut and come back with their
 * last seen position: afterwards every member must have every message its group's members sent (acknowledged by
 * the store) exactly once — the missing and duplicated ones are counted (missing after the drain limit means lost or late:
 * `drained` says whether the store caught up). The relay has no storage and no resume, so it is
 * measured without the cut; the store's latencies are also reported split into `live` (the recipient's connection
 * was ready when the message was sent, as the relay's always are) and `resumed` (sent while it was cut off). Both
 * systems first run BENCH_WARMUP_SECONDS unmeasured. Deliveries/s = deliveries received ÷ the time from the first
 * measured send until the last expected delivery (or the drain limit). Last line: JSON with the ratios (goal: p99 ≤ 1.2 × the relay's,
 * deliveries ≥ 0.8 × the relay's, 0 lost), and for both runs the CPU each group of processes used per 1,000 deliveries
 * (relays or store nodes, this benchmark's clients, Redis, PostgreSQL). 127.0.0.1 only; bounded by the counts and BENCH_SECONDS + 30 s of drain.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import pino from 'pino';
import { benchDatabase } from './database.ts';
import { spawnPaysim } from '../src/paysim/spawn.ts';
import { freePort } from '../test/ports.ts';
import { Client } from '../test/harness.ts';
import { percentile } from './stats.ts';
import { cpuSince } from './store.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1000);
const ROOM_SIZE = Number(process.env.BENCH_ROOM_SIZE ?? 10);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/**
 * Both systems first run this long at the same rate, not measured: measured without it, the store's first 2–3 s
 * (caches of names, members and friends filling for 1,000 users, code not yet optimised) made its p99 — one run:
 * the highest latency per quarter second fell from 1–2 s in the first 2.5 s to 10–20 ms from 3 s on.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const DRAIN_MS = 30_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = pino({ level: 'warn' });

const ROOMS = Math.floor(CONNECTIONS / ROOM_SIZE);
const USERS = ROOMS * ROOM_SIZE;
/** Messages sent per second in all, so that their copies to the room members reach DELIVERIES a second. */
const MESSAGES_PER_SECOND = DELIVERIES / ROOM_SIZE;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilTrue(what: string, check: () => boolean, ms: number): Promise<void> {
  for (const until = Date.now() + ms; !check();) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function forkChild(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(script, [], {
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each child (store nodes, relays) there.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  // A profiled child writes its profile when it exits: give it longer.
  await Promise.race([exited, sleep(process.env.BENCH_CPU_PROF ? 60_000 : 10_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** One sender's schedule: every client sends in turn so that the total rate is MESSAGES_PER_SECOND. */
async function sendAtRate(
  send: (client: number, n: number) => void,
  opts: { seconds: number; onHalf?: () => void; after?: number },
): Promise<number> {
  const { onHalf, after = 0 } = opts;
  const total = Math.round(MESSAGES_PER_SECOND * opts.seconds);
  const started = performance.now();
  let sent = 0;
  let halfDone = false;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * MESSAGES_PER_SECOND));
    // `after`: messages an earlier call sent, so that the senders go on in turn and each (client, n) is new.
    for (; sent < due; sent++) send((after + sent) % USERS, Math.floor((after + sent) / USERS));
    if (!halfDone && sent >= total / 2) {
      halfDone = true;
      onHalf?.();
    }
    await sleep(5);
  }
  return total;
}

const percentiles = (latencies: number[]) => {
  latencies.sort((a, b) => a - b);
  return { p50: Math.round(percentile(latencies, 50) * 10) / 10, p99: Math.round(percentile(latencies, 99) * 10) / 10 };
};
const summary = (latencies: number[], deliveries: number, ms: number) => ({
  deliveries,
  deliveriesPerSecond: Math.round(deliveries / (ms / 1000)),
  latencyMs: percentiles(latencies),
});

/**
 * CPU spent by each group of processes (the relays or the store's nodes, this benchmark's clients, Redis,
 * PostgreSQL) from this call until the function it returns is called with the deliveries counted: milliseconds per
 * 1,000 deliveries, and cores busy on average over that time.
 */
function cpuMeter(named: Map<number, string>) {
  const since = cpuSince(named);
  const t0 = performance.now();
  return (deliveries: number) => {
    const wall = performance.now() - t0;
    const used = Object.entries(since()).filter(([k]) => k !== 'paysim');
    return {
      msPer1000Deliveries: Object.fromEntries(used.map(([k, ms]) => [k, Math.round((ms / Math.max(1, deliveries / 1000)) * 10) / 10])),
      coresBusy: Object.fromEntries(used.map(([k, ms]) => [k, Math.round((ms / wall) * 100) / 100])),
    };
  };
}

/** The bare relay: two processes on Redis, the same clients and rate. */
async function runRelay() {
  const ports = [await freePort(), await freePort()];
  const relays: ChildProcess[] = [];
  const sockets: WebSocket[] = [];
  try {
    for (const port of ports) relays.push(await forkChild('bench/relay.ts', { PORT: String(port), REDIS_URL }));
    const latencies: number[] = [];
    let deliveries = 0;
    let lastAt = 0;
    /** Messages sent before this instant (the warm-up) are not measured. */
    let measuredFrom = Infinity;
    await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const ws = new WebSocket(`ws://127.0.0.1:${ports[i % 2]}`);
        sockets[i] = ws;
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        const ready = new Promise<void>((resolve) =>
          ws.on('message', (raw) => {
            const m = JSON.parse(String(raw)) as { type: string; body?: string };
            if (m.type === 'ready') return resolve();
            const sentAt = Number(m.body!.split(':')[2]);
            if (sentAt < measuredFrom) return;
            latencies.push(Date.now() - sentAt);
            deliveries++;
            lastAt = performance.now();
          }),
        );
        ws.send(JSON.stringify({ type: 'join', rooms: [`r${Math.floor(i / ROOM_SIZE)}`] }));
        await ready;
      }),
    );
    const send = (i: number, n: number) =>
      sockets[i]!.send(JSON.stringify({ type: 'send', room: `r${Math.floor(i / ROOM_SIZE)}`, body: `${i}:${n}:${Date.now()}` }));
    const warm = await sendAtRate(send, { seconds: WARMUP_SECONDS });
    measuredFrom = Date.now();
    const started = performance.now();
    const cpu = cpuMeter(new Map(relays.map((r) => [r.pid!, 'relay'])));
    const total = await sendAtRate(send, { seconds: SECONDS, after: warm });
    const expected = total * ROOM_SIZE;
    await untilTrue('the relay to deliver', () => deliveries >= expected, DRAIN_MS).catch(() => undefined);
    return {
      ...summary(latencies, deliveries, (deliveries >= expected ? lastAt : performance.now()) - started),
      expected,
      cpu: cpu(deliveries),
    };
  } finally {
    for (const ws of sockets) ws?.terminate();
    for (const r of relays) await stopChild(r);
  }
}

type Frame = { type: string; ref?: string; message?: { seq: number; body: string; conversationId: string }; code?: string };

/** A player's connection to the store's chat gateway: keeps what it received by position. */
class Member {
  ws!: WebSocket;
  lastSeq = 0;
  readonly seen = new Set<number>();
  duplicates = 0;
  ready = false;
  constructor(
    readonly url: string,
    readonly cookie: string,
    /** `readyAt`: when the connection it came on was ready (Infinity while it is still resuming). */
    readonly onMessage: (m: NonNullable<Frame['message']>, readyAt: number) => void,
    readonly onAck: (ref: string, ok: boolean, seq?: number) => void,
  ) {}

  async connect(): Promise<void> {
    this.ready = false;
    const ws = new WebSocket(`${this.url.replace('http', 'ws')}/api/chat/ws`, { headers: { cookie: this.cookie } });
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    let readyAt = Infinity;
    const ready = new Promise<void>((resolve) => {
      ws.on('message', (raw) => {
        const f = JSON.parse(String(raw)) as Frame;
        if (f.type === 'ready') {
          readyAt = Date.now();
          return resolve();
        }
        if (f.type === 'message') {
          const m = f.message!;
          if (this.seen.has(m.seq)) this.duplicates++;
          else {
            this.seen.add(m.seq);
            this.onMessage(m, readyAt);
          }
          this.lastSeq = Math.max(this.lastSeq, m.seq);
        } else if (f.type === 'ack') this.onAck(f.ref!, true, f.message!.seq);
        else if (f.type === 'error' && f.ref) this.onAck(f.ref, false);
      });
    });
    ws.send(JSON.stringify({ type: 'hello', v: 1, ...(this.lastSeq ? { after: this.lastSeq } : {}) }));
    await ready;
    this.ready = true;
  }
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

async function runStore() {
  const dataDir = process.env.DATA_DIR ?? '.data';
  const database = await benchDatabase('store_chat_bench', dataDir, log);
  const paysim = await spawnPaysim({
    port: await freePort(),
    apiKey: 'test-key',
    webhookSecret: 'whsec_test',
    stateFile: join(dataDir, 'bench', `paysim-chat-${Date.now()}.json`),
  });
  const ports = [await freePort(), await freePort()];
  const nodes: ChildProcess[] = [];
  const members: Member[] = [];
  const authSecret = randomBytes(32).toString('hex');
  try {
    for (const [i, port] of ports.entries()) {
      nodes.push(
        await forkChild('test/fixtures/store-process.ts', {
          DATABASE_URL: database.url,
          PORT: String(port),
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          PAYSIM_URL: paysim.url,
          AUTH_SECRET: authSecret,
          NODE_ID: `chat-bench-${i + 1}`,
          REDIS_URL,
          LOG_LEVEL: 'warn',
          DEMO_CATALOG: 'off',
          OPERATOR_REQUIRE_2FA: 'false',
          AUTH_RATE_LIMIT: 'off',
          LINK_PREVIEWS: 'off',
          DATA_DIR: join(dataDir, 'bench'),
        }),
      );
      // The second node migrates nothing new, but must not race the first one's migrations.
    }
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);

    // Players, friendships (each group's owner befriends its members) and groups, through the API.
    const t0 = performance.now();
    const clients: { client: Client; id: string }[] = [];
    await pool(
      Array.from({ length: USERS }, (_, i) => i),
      8,
      async (i) => {
        const client = new Client(urls[i % 2]!);
        const r = await client.post('/api/accounts', {
          email: `chat${i}-${randomBytes(3).toString('hex')}@bench.test`,
          password: 'correct horse battery',
          name: `Player ${i}`,
          country: 'US',
          language: 'en',
        });
        if (r.status !== 201) throw new Error(`sign-up failed: ${r.status} ${JSON.stringify(r.body)}`);
        clients[i] = { client, id: r.body.id };
      },
    );
    const conversations: string[] = [];
    await pool(
      Array.from({ length: ROOMS }, (_, r) => r),
      8,
      async (r) => {
        const owner = clients[r * ROOM_SIZE]!;
        const others = clients.slice(r * ROOM_SIZE + 1, (r + 1) * ROOM_SIZE);
        for (const o of others) {
          const asked = await owner.client.post('/api/friends/requests', { userId: o.id });
          const accepted = await o.client.post(`/api/friends/requests/${owner.id}/accept`);
          if (asked.status !== 201 || accepted.status !== 204) throw new Error(`friendship failed: ${asked.status}/${accepted.status}`);
        }
        const g = await owner.client.post('/api/chat/groups', { name: `Room ${r}`, memberIds: others.map((o) => o.id) });
        if (g.status !== 201) throw new Error(`group failed: ${g.status} ${JSON.stringify(g.body)}`);
        conversations[r] = g.body.id;
      },
    );
    const setupSeconds = Math.round((performance.now() - t0) / 100) / 10;

    /** Deliveries to a connection that was ready when the message was sent (the relay's case) … */
    const live: number[] = [];
    /** … and those it got on resuming: sent while it was cut off, so late by its absence, not by the store. */
    const resumed: number[] = [];
    let lastAt = 0;
    let started = 0;
    /** Messages sent before this instant (the warm-up) are not measured; they still count for loss. */
    let measuredFrom = Infinity;
    /** Acknowledged sends: reference → the position the store gave the message. */
    const acked = new Map<string, number>();
    let refused = 0;
    const pendingRefs = new Map<string, number>();
    let cutUnanswered = 0;
    for (let i = 0; i < USERS; i++) {
      const { client } = clients[i]!;
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      members[i] = new Member(
        urls[i % 2]!,
        cookie,
        (m, readyAt) => {
          // The send time is the body's last part (the filter may hide a part that reads as a word to a non-friend:
          // sender 455's "455:…" reaches the others as "♥♥♥:…").
          const sentAt = Number(m.body.split(':').at(-1));
          if (started && sentAt >= measuredFrom) {
            (sentAt >= readyAt ? live : resumed).push(Date.now() - sentAt);
            lastAt = performance.now();
          }
        },
        (ref, ok, seq) => {
          pendingRefs.delete(ref);
          if (ok) acked.set(ref, seq!);
          else refused++;
        },
      );
    }
    await pool(members, 16, (m) => m.connect());

    // The cut: 10 % of the connections dropped at once, each back with its last seen position.
    const isCut = (i: number) => i % 10 === 5;
    const cut = members.filter((_, i) => isCut(i));
    let reconnected = 0;
    let reconnecting: Promise<void> = Promise.resolve();
    const send = (i: number, n: number) => {
      const m = members[i]!;
      if (!m.ready) return; // a cut connection sends nothing until it is back
      const ref = `${i}:${n}`;
      pendingRefs.set(ref, i);
      m.ws.send(
        JSON.stringify({ type: 'send', conversationId: conversations[Math.floor(i / ROOM_SIZE)], body: `${i}:${n}:${Date.now()}`, ref }),
      );
    };
    const warm = await sendAtRate(send, { seconds: WARMUP_SECONDS });
    measuredFrom = Date.now();
    started = performance.now();
    const cpu = cpuMeter(new Map(nodes.map((n) => [n.pid!, 'store'])));
    const total = await sendAtRate(send, {
      seconds: SECONDS,
      after: warm,
      onHalf: () => {
        for (const m of cut) m.ws.terminate();
        for (const m of cut) m.ready = false;
        // A cut connection's unanswered sends will never be answered on it: not waited for (stored or not, their
        // copies to the group are not expected; one stored anyway arrives as an extra, never as a duplicate).
        for (const [ref, i] of pendingRefs) {
          if (!isCut(i)) continue;
          pendingRefs.delete(ref);
          cutUnanswered++;
        }
        reconnecting = pool(cut, 16, async (m) => {
          await m.connect();
          reconnected++;
        });
      },
    });
    await reconnecting;
    // Every message the store acknowledged must reach all members of its group (the sender included), once.
    await untilTrue('the acknowledgements', () => pendingRefs.size === 0, DRAIN_MS).catch(() => undefined);
    const expected = acked.size * ROOM_SIZE;
    // Counted by message, not in sum: a message stored whose acknowledgement was lost with its connection also
    // arrives, and must not hide one that is missing.
    const ackedByRoom = new Map<number, number[]>();
    for (const [ref, seq] of acked) {
      const room = Math.floor(Number(ref.split(':')[0]) / ROOM_SIZE);
      const seqs = ackedByRoom.get(room);
      if (seqs) seqs.push(seq);
      else ackedByRoom.set(room, [seq]);
    }
    const missingOf = (which: (i: number) => boolean) => {
      let n = 0;
      for (const [room, seqs] of ackedByRoom)
        for (let i = room * ROOM_SIZE; i < (room + 1) * ROOM_SIZE; i++)
          if (which(i)) for (const seq of seqs) if (!members[i]!.seen.has(seq)) n++;
      return n;
    };
    const missingNow = () => missingOf(() => true);
    // Checked four times a second, not at every poll: counting takes milliseconds the store could use.
    let checkedAt = 0;
    const allThere = () => {
      if (performance.now() - checkedAt < 250) return false;
      checkedAt = performance.now();
      return received() >= expected && missingNow() === 0;
    };
    const received = () => members.reduce((n, m) => n + m.seen.size, 0);
    const drained = await untilTrue('the store to deliver', allThere, DRAIN_MS).then(
      () => true,
      () => false,
    );
    const done = drained ? lastAt : performance.now();
    const latencies = [...live, ...resumed];
    const cpuUsed = cpu(latencies.length);
    const duplicates = members.reduce((n, m) => n + m.duplicates, 0);
    return {
      ...summary(latencies, latencies.length, done - started),
      // The same latencies split: `live` is what the relay measures (its clients are never cut).
      live: { deliveries: live.length, latencyMs: percentiles(live) },
      resumed: { deliveries: resumed.length, latencyMs: percentiles(resumed) },
      offered: total,
      // From here to `missing`: every message, the warm-up's too (all must arrive, once).
      acknowledged: acked.size,
      refused,
      unanswered: pendingRefs.size,
      unansweredOnCutConnections: cutUnanswered,
      expected,
      // Not received when the drain limit ended the wait: lost, or only late (a store behind the offered rate).
      missing: missingNow(),
      missingOnCutConnections: missingOf(isCut),
      drained,
      duplicates,
      reconnected,
      setupSeconds,
      cpu: cpuUsed,
    };
  } finally {
    for (const m of members) m?.ws?.terminate();
    for (const n of nodes) await stopChild(n);
    await paysim.stop();
    await database.stop();
  }
}

async function main() {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    throw new Error(`bench:chat needs Redis at ${REDIS_URL} (set REDIS_URL): the store's nodes and the relay both fan out through it.`);
  } finally {
    probe.disconnect();
  }
  const relay = await runRelay();
  const store = await runStore();
  const result = {
    bench: 'chat',
    machine: { cpus: os.cpus().length, node: process.version },
    connections: USERS,
    rooms: ROOMS,
    roomSize: ROOM_SIZE,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    offeredDeliveriesPerSecond: DELIVERIES,
    relay,
    store,
    p99ToRelay: Math.round((store.latencyMs.p99 / Math.max(0.1, relay.latencyMs.p99)) * 100) / 100,
    // Without the deliveries a cut connection got on resuming (the relay's clients are never cut): not the goal's
    // ratio, which counts every delivery, but what it is made of.
    liveP99ToRelay: Math.round((store.live.latencyMs.p99 / Math.max(0.1, relay.latencyMs.p99)) * 100) / 100,
    deliveriesToRelay: Math.round((store.deliveriesPerSecond / Math.max(1, relay.deliveriesPerSecond)) * 100) / 100,
    goal: { p99ToRelay: '≤ 1.2', deliveriesToRelay: '≥ 0.8', missing: 0 },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/chat-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
}

await main();
