import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { PointsService } from './service.ts';

export function pointsRoutes(app: FastifyInstance, deps: { points: PointsService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/api/points', {
    schema: {
      tags: ['points'],
      summary: 'Your points: balance (1 point = 1 minor unit of its currency) and the latest ledger entries',
      response: {
        200: Type.Object({
          balance: Type.Integer(),
          currency: Type.String(),
          history: Type.Array(Type.Object({ kind: Type.String(), delta: Type.Integer(), balanceAfter: Type.Integer(), reference: Type.String(), at: Type.String() })),
        }),
        401: ErrorBody,
      },
    },
  }, async (req) => {
    const v = await deps.guards.requireUser(req);
    const [bal, history] = await Promise.all([deps.points.balance(v.userId, v.profile.currency), deps.points.history(v.userId)]);
    return { ...bal, history: history.map((h) => ({ kind: h.kind, delta: h.delta, balanceAfter: h.balance_after, reference: h.reference, at: h.created_at.toISOString() })) };
  });
}
