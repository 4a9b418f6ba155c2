import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import { isUuid } from '../platform/ids.ts';
import type { Guards } from '../accounts/guards.ts';
import { GameCard } from '../catalog/schemas.ts';
import type { RecommendationService } from './service.ts';

const Reason = Type.Union([
  Type.Object({
    kind: Type.Union([Type.Literal('because_played'), Type.Literal('because_wishlisted'), Type.Literal('because_owned')]),
    gameId: Type.String(),
    title: Type.String(),
  }),
  Type.Object({ kind: Type.Literal('popular_in_country'), country: Type.String() }),
  Type.Object({ kind: Type.Literal('popular') }),
]);
const Recommendation = Type.Object({ game: GameCard, reason: Reason });
const Model = Type.Object({
  id: Type.String(),
  status: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  users: Type.Union([Type.Integer(), Type.Null()]),
  games: Type.Union([Type.Integer(), Type.Null()]),
  interactions: Type.Union([Type.Integer(), Type.Null()]),
  trainMs: Type.Union([Type.Integer(), Type.Null()]),
  metrics: Type.Unknown({ description: 'Leave-one-out NDCG@10, HR@10, coverage and the popularity baseline on this store’s data' }),
  error: Type.Union([Type.String(), Type.Null()]),
});

export function recommendationRoutes(app: FastifyInstance, deps: { recommendations: RecommendationService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { recommendations, guards } = deps;
  r.get(
    '/api/recommendations',
    {
      schema: {
        tags: ['storefront'],
        summary:
          'Recommended for you: games you do not own, sold in your country, each with its reason (visitors: popular in their country)',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 12 })) }),
        response: { 200: Type.Array(Recommendation) },
      },
    },
    async (req) => recommendations.forUser((await guards.viewer(req))?.userId, await guards.shopper(req), req.query.limit ?? 12),
  );
  r.get(
    '/api/games/:id/similar',
    {
      schema: {
        tags: ['storefront'],
        summary: 'More like this: games players of this game also have',
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 8 })) }),
        response: { 200: Type.Array(GameCard) },
      },
    },
    async (req) =>
      isUuid(req.params.id)
        ? recommendations.similar(req.params.id, (await guards.viewer(req))?.userId, await guards.shopper(req), req.query.limit ?? 8)
        : [],
  );
  r.get(
    '/api/operator/recommendations/models',
    {
      schema: {
        tags: ['operator'],
        summary: 'Recommendation models: when they trained, on what, and their offline metrics',
        response: { 200: Type.Array(Model), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return (await recommendations.models()).map((m) => ({
        id: m.id,
        status: m.status,
        startedAt: m.started_at.toISOString(),
        finishedAt: m.finished_at?.toISOString() ?? null,
        users: m.users,
        games: m.games,
        interactions: m.interactions,
        trainMs: m.train_ms,
        metrics: m.metrics,
        error: m.error,
      }));
    },
  );
  r.post(
    '/api/operator/recommendations/train',
    {
      schema: {
        tags: ['operator'],
        summary: 'Train a model now (it also trains on its schedule); answers when the new lists are served',
        response: { 200: Type.Object({ modelId: Type.String() }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return { modelId: await recommendations.trainNow() };
    },
  );
}
