import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { PointsService } from './service.ts';
import { PointsView } from './schemas.ts';

export function pointsRoutes(app: FastifyInstance, deps: { points: PointsService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/points',
    {
      schema: {
        tags: ['points'],
        summary:
          'Your points: one wallet per currency (1 point = 1 minor unit of it); balance and currency are those of your country’s currency; the latest ledger entries',
        response: {
          200: PointsView,
          401: ErrorBody,
        },
      },
    },
    async (req) => {
      const v = await deps.guards.requireUser(req);
      const [bal, wallets, history] = await Promise.all([
        deps.points.balance(v.userId, v.profile.currency),
        deps.points.wallets(v.userId),
        deps.points.history(v.userId),
      ]);
      return {
        ...bal,
        wallets: wallets.map((w) => ({ currency: w.currency, balance: Number(w.balance) })),
        history: history.map((h) => ({
          kind: h.kind,
          currency: h.currency,
          delta: h.delta,
          balanceAfter: h.balance_after,
          reference: h.reference,
          at: h.created_at.toISOString(),
        })),
      };
    },
  );
}
