import type { FastifyInstance } from 'fastify';
import { STORE_CLOCK_SHIFT_HEADER, STORE_TIME_HEADER, type AdjustableClock, type Clock } from '../clock.ts';

/**
 * The store's clock (injected; a test's or a development shift) travels with every answer, so the web client judges
 * "the past" and "release day" by it, never by the browser's own clock. When the development clock was moved, every
 * answer also says by how much (0 while it runs on real time, so the console knows it can be moved; the header is
 * absent where there is no development clock), and every page shows a banner (web/src/components/Layout.tsx).
 */
export function storeTimeHeaders(app: FastifyInstance, clock: Clock, devClock: AdjustableClock | undefined): void {
  // Formatted once per millisecond of the clock, not once per answer.
  let last = { ms: NaN, iso: '' };
  app.addHook('onSend', (_req, reply, payload, done) => {
    const now = clock.now();
    if (now.getTime() !== last.ms) last = { ms: now.getTime(), iso: now.toISOString() };
    reply.header(STORE_TIME_HEADER, last.iso);
    if (devClock) {
      const shift = Math.round(devClock.offsetMs());
      reply.header(STORE_CLOCK_SHIFT_HEADER, String(Math.abs(shift) >= 60_000 ? shift : 0));
    }
    done(null, payload);
  });
}
