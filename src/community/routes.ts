import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { CommunityService } from './service.ts';

const Person = Type.Object({ id: Type.String(), name: Type.String() });
const Thread = Type.Object({
  id: Type.String(),
  gameId: Type.String(),
  title: Type.String(),
  author: Person,
  pinned: Type.Boolean(),
  locked: Type.Boolean(),
  posts: Type.Integer(),
  createdAt: Type.String(),
  lastPostAt: Type.String(),
});
const Post = Type.Object({ id: Type.String(), author: Person, body: Type.String(), createdAt: Type.String() });

export function communityRoutes(app: FastifyInstance, deps: { community: CommunityService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { community, guards } = deps;
  const tags = ['community'];
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
  const reader = async (req: Parameters<typeof guards.viewer>[0]) => (await guards.viewer(req))?.userId;

  r.get(
    '/api/games/:id/discussions',
    {
      schema: {
        tags,
        summary: "A game's discussion board: pinned threads first, then the latest active (R14)",
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        querystring: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: Type.Array(Thread), ...errors },
      },
    },
    async (req) => community.threads(req.params.id, req.query.page ?? 1, await reader(req)),
  );

  r.post(
    '/api/games/:id/discussions',
    {
      schema: {
        tags,
        summary: 'Start a thread on a game’s board',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        body: Type.Object(
          { title: Type.String({ minLength: 1, maxLength: 200 }), body: Type.String({ minLength: 1, maxLength: 8000 }) },
          { additionalProperties: false },
        ),
        response: { 201: Thread, ...errors },
      },
    },
    async (req, reply) => {
      const v = await guards.requireUser(req);
      return reply.status(201).send(await community.start(v.userId, req.params.id, req.body.title, req.body.body));
    },
  );

  r.get(
    '/api/discussions/:id',
    {
      schema: {
        tags,
        summary: 'A thread and its posts, oldest first (page with ?after=<createdAt>_<id> of the last post)',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        querystring: Type.Object({ after: Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 200: Type.Object({ thread: Thread, posts: Type.Array(Post) }), ...errors },
      },
    },
    async (req) => community.thread(req.params.id, await reader(req), req.query.after),
  );

  r.post(
    '/api/discussions/:id/posts',
    {
      schema: {
        tags,
        summary: 'Reply in a thread (not in a locked one)',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 8000 }) }, { additionalProperties: false }),
        response: { 201: Post, ...errors },
      },
    },
    async (req, reply) => {
      const v = await guards.requireUser(req);
      return reply.status(201).send(await community.reply(v.userId, req.params.id, req.body.body));
    },
  );

  r.put(
    '/api/operator/discussions/:id',
    {
      schema: {
        tags: ['operator'],
        summary: 'Pin or lock a thread',
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        body: Type.Object(
          { pinned: Type.Optional(Type.Boolean()), locked: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: Thread, ...errors },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return community.moderate(req.params.id, req.body);
    },
  );
}
