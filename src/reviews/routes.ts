import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { ReviewService } from './service.ts';
import { ReviewInput, ReviewPage, ReviewView, VoteInput } from './schemas.ts';

export function reviewRoutes(app: FastifyInstance, deps: { reviews: ReviewService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { reviews, guards } = deps;
  const tags = ['reviews'];
  const GameParams = Type.Object({ id: Type.String({ description: 'Game id (UUID)' }) });
  r.get(
    '/api/games/:id/reviews',
    {
      schema: {
        tags,
        summary: 'A game’s reviews with its score line (most helpful or newest first); signed in: your own review and votes',
        params: GameParams,
        querystring: Type.Object({
          sort: Type.Optional(Type.Union([Type.Literal('helpful'), Type.Literal('recent')], { default: 'helpful' })),
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
        }),
        response: { 200: ReviewPage, 404: ErrorBody },
      },
    },
    async (req) =>
      reviews.page(
        req.params.id,
        (await guards.viewer(req))?.userId,
        req.query.sort ?? 'helpful',
        req.query.page ?? 1,
        req.query.pageSize ?? 10,
      ),
  );
  r.put(
    '/api/games/:id/reviews/mine',
    {
      schema: {
        tags,
        summary: 'Write or rewrite your review (owners only): recommended or not, and why',
        params: GameParams,
        body: ReviewInput,
        response: { 200: ReviewView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const v = await guards.requireUser(req);
      return reviews.write(v.userId, v.profile.language, req.params.id, req.body);
    },
  );
  r.delete(
    '/api/games/:id/reviews/mine',
    { schema: { tags, summary: 'Delete your review', params: GameParams, response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody } } },
    async (req, reply) => {
      await reviews.remove((await guards.requireUser(req)).userId, req.params.id);
      return reply.status(204).send(null);
    },
  );
  r.put(
    '/api/reviews/:id/vote',
    {
      schema: {
        tags,
        summary: 'Was this review helpful (yes, no, or null to take it back), and was it funny',
        params: Type.Object({ id: Type.String() }),
        body: VoteInput,
        response: { 200: ReviewView, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => reviews.vote((await guards.requireUser(req)).userId, req.params.id, req.body),
  );
}
