import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadShedding } from './shedding.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('load shedding (R6)', () => {
  it('R6 a checkout flood beyond the bulkhead is answered at once with 503 and Retry-After, never a hang; browsing still answers; the queue drains in order', async () => {
    app = Fastify();
    const shed = loadShedding(app, {
      eventLoopDelayMs: 0,
      classes: [{ name: 'checkout', routes: ['POST /api/orders'], max: 2, queue: 2, maxWaitMs: 10_000 }],
    });
    const gates: Array<() => void> = [];
    const started: number[] = [];
    app.post('/api/orders', async (req) => {
      started.push(Number((req.body as { n: number }).n));
      await new Promise<void>((resolve) => gates.push(resolve));
      return { ok: true };
    });
    app.get('/api/games', async () => ({ items: [] }));
    await app.ready();

    // Promise.resolve starts each injected request now, in this order (an inject chain starts when first awaited).
    const orders = Array.from({ length: 6 }, (_, n) =>
      Promise.resolve(app!.inject({ method: 'POST', url: '/api/orders', payload: { n } })),
    );
    // Two run, two wait, two are shed at once — with a status and a time to come back.
    const t0 = Date.now();
    const shedReplies = await Promise.all(orders.slice(4));
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const r of shedReplies) {
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe('2');
      expect(r.json().error.code).toBe('busy');
    }
    await expect.poll(() => started.length).toBe(2);
    expect(shed.stats().checkout).toEqual({ inFlight: 2, waiting: 2, shed: 2 });
    // Browsing is not behind the checkouts.
    const browse = await app.inject({ method: 'GET', url: '/api/games' });
    expect(browse.statusCode).toBe(200);
    // As checkouts finish, the waiting ones run, first come first served.
    gates.shift()!();
    gates.shift()!();
    await expect.poll(() => started.length).toBe(4);
    expect(started.slice(2)).toEqual([2, 3]);
    gates.shift()!();
    gates.shift()!();
    const done = await Promise.all(orders.slice(0, 4));
    expect(done.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(shed.stats().checkout).toEqual({ inFlight: 0, waiting: 0, shed: 2 });
  });

  it('R6 a request that waited too long for a slot is shed with 503, and the slot count stays right', async () => {
    app = Fastify();
    const shed = loadShedding(app, {
      eventLoopDelayMs: 0,
      classes: [{ name: 'checkout', routes: ['POST /api/orders'], max: 1, queue: 5, maxWaitMs: 100 }],
    });
    let release!: () => void;
    app.post('/api/orders', async () => {
      await new Promise<void>((r) => (release = r));
      return { ok: true };
    });
    await app.ready();
    const first = Promise.resolve(app.inject({ method: 'POST', url: '/api/orders' }));
    await expect.poll(() => shed.stats().checkout?.inFlight).toBe(1);
    const waited = await app.inject({ method: 'POST', url: '/api/orders' });
    expect(waited.statusCode).toBe(503);
    release();
    expect((await first).statusCode).toBe(200);
    expect(shed.stats().checkout).toMatchObject({ inFlight: 0, waiting: 0 });
  });
});
