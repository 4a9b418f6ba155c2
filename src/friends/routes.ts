import type { FastifyInstance } from 'fastify';
import type { SharedRateLimiter } from '../platform/http/rate-limit.ts';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { FriendService } from './service.ts';
import { FriendsView, Person } from './schemas.ts';

const UserId = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 100 }) });

export function friendRoutes(
  app: FastifyInstance,
  deps: {
    friends: FriendService;
    guards: Guards;
    /** Friend requests per sender (each one mails someone): a flood is refused, shared by every node. */
    requestLimit: Pick<SharedRateLimiter, 'take'>;
    /** Look-ups by exact email per user: a list of addresses cannot be checked against the store's accounts. */
    emailLookupLimit: Pick<SharedRateLimiter, 'take'>;
  },
) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['friends'];
  const me = async (req: Parameters<Guards['requireUser']>[0]) => (await deps.guards.requireUser(req)).userId;
  const requestFriend = async (from: string, to: string) => {
    await deps.requestLimit.take(`friend-requests:${from}`, {
      en: 'friend requests in a short time',
      ko: '짧은 시간 동안의 친구 요청',
      ja: '短時間のフレンド申請',
    });
    return deps.friends.request(from, to);
  };

  r.get(
    '/api/users',
    {
      schema: {
        tags,
        summary: 'Find users by the start of their name or their exact email (S2.6 "Add friend"); email look-ups are limited per hour',
        querystring: Type.Object({ q: Type.String({ maxLength: 200 }) }),
        response: { 200: Type.Array(Person), 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req) => {
      const who = await me(req);
      // An exact email tells whether someone has an account here: a person adds a few friends, a script tries lists.
      if (req.query.q.includes('@'))
        await deps.emailLookupLimit.take(`email-lookups:${who}`, {
          en: 'look-ups by email',
          ko: '이메일로 찾기',
          ja: 'メールアドレスでの検索',
        });
      return deps.friends.search(who, req.query.q);
    },
  );
  r.get(
    '/api/friends',
    {
      schema: {
        tags,
        summary: 'Your friends and pending requests',
        response: {
          200: FriendsView,
          401: ErrorBody,
        },
      },
    },
    async (req) => deps.friends.list(await me(req)),
  );
  r.post(
    '/api/friends/requests',
    {
      schema: {
        tags,
        summary: 'Ask a user to be friends; they get a mail and a notification (S2.4, S2.6)',
        body: UserId,
        response: {
          201: Type.Object({ status: Type.Union([Type.Literal('requested'), Type.Literal('accepted')]) }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (req, reply) => reply.status(201).send({ status: await requestFriend(await me(req), req.body.userId) }),
  );
  r.post(
    '/api/friends/requests/:userId/accept',
    {
      schema: {
        tags,
        summary: 'Approve a friend request (S2.4)',
        params: UserId,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      await deps.friends.accept(await me(req), req.params.userId);
      return reply.status(204).send(null);
    },
  );
  r.post(
    '/api/friends/requests/:userId/decline',
    {
      schema: { tags, summary: 'Decline a friend request', params: UserId, response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody } },
    },
    async (req, reply) => {
      await deps.friends.decline(await me(req), req.params.userId);
      return reply.status(204).send(null);
    },
  );
  r.delete(
    '/api/friends/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a friend or withdraw your request',
        params: UserId,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      await deps.friends.remove(await me(req), req.params.userId);
      return reply.status(204).send(null);
    },
  );
  r.put(
    '/api/blocks/:userId',
    {
      schema: {
        tags,
        summary: 'Block a user: ends any friendship or request; they cannot ask again',
        params: UserId,
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      await deps.friends.block(await me(req), req.params.userId);
      return reply.status(204).send(null);
    },
  );
  r.delete(
    '/api/blocks/:userId',
    { schema: { tags, summary: 'Unblock a user', params: UserId, response: { 204: Type.Null(), 401: ErrorBody } } },
    async (req, reply) => {
      await deps.friends.unblock(await me(req), req.params.userId);
      return reply.status(204).send(null);
    },
  );
}
