import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AdjustableClock } from '../clock.ts';
import { platformError } from '../errors.ts';

const ClockView = Type.Object({
  now: Type.String({ description: "The store's now (ISO 8601)" }),
  offsetMs: Type.Integer({ description: 'How far it is from the real time; 0 = real time' }),
});

/**
 * Development only (DEV_CLOCK=on, refused by the configuration when NODE_ENV=production): an operator moves the store
 * clock to check release day, a sale's end or a refund window without waiting. Every answer then carries
 * x-store-clock-shift, and the web client shows a banner on every page. The offset lives in this process (one
 * development node; a restart is back to real time). Due timers fire at once after a move (`moved`).
 */
export function devClockRoutes(
  app: FastifyInstance,
  d: { clock: AdjustableClock; requireOperator(req: FastifyRequest): Promise<unknown>; moved(): void },
) {
  const view = () => ({ now: d.clock.now().toISOString(), offsetMs: Math.round(d.clock.offsetMs()) });
  const tags = ['development'];
  app.get(
    '/api/dev/clock',
    { schema: { tags, summary: "The store's clock and how far it was moved (development only)", response: { 200: ClockView } } },
    async () => view(),
  );
  app.put(
    '/api/dev/clock',
    {
      schema: {
        tags,
        summary: 'Move the store clock to an instant (operators, development only); due timers fire at once',
        body: Type.Object(
          { at: Type.String({ format: 'date-time', examples: ['2027-01-15T09:00:00Z'] }) },
          { additionalProperties: false },
        ),
        response: { 200: ClockView },
      },
    },
    async (req) => {
      await d.requireOperator(req);
      const at = new Date((req.body as { at: string }).at);
      const years = Math.abs(at.getTime() - Date.now()) / (365.25 * 86_400_000);
      if (!Number.isFinite(at.getTime()) || years > 10) throw platformError(400, 'clock_out_of_range');
      d.clock.moveTo(at);
      d.moved();
      return view();
    },
  );
  app.delete(
    '/api/dev/clock',
    { schema: { tags, summary: 'Back to the real time (operators, development only)', response: { 200: ClockView } } },
    async (req) => {
      await d.requireOperator(req);
      d.clock.reset();
      d.moved();
      return view();
    },
  );
}
