import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { ActivityService } from './service.ts';
import { GameCard } from '../catalog/schemas.ts';

const GameId = Type.Object({ gameId: Type.String({ description: 'Game id (UUID)' }) });
const SessionId = Type.Object({ id: Type.String({ description: 'Play session id (UUID)' }) });
const PlaySession = Type.Object({
  id: Type.String(),
  gameId: Type.String(),
  startedAt: Type.String(),
  lastHeartbeatAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  seconds: Type.Integer(),
  heartbeatSeconds: Type.Integer({ description: 'Send a heartbeat at least this often, or the session ends at the last one' }),
});

export function activityRoutes(app: FastifyInstance, deps: { activity: ActivityService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const me = async (req: Parameters<Guards['requireUser']>[0]) => (await deps.guards.requireUser(req)).userId;
  const wishTags = ['wishlist'];
  r.get(
    '/api/wishlist',
    {
      schema: {
        tags: wishTags,
        summary: 'Your wishlist, newest first',
        response: {
          200: Type.Array(Type.Object({ gameId: Type.String(), addedAt: Type.String(), game: Type.Union([GameCard, Type.Null()]) })),
          401: ErrorBody,
        },
      },
    },
    async (req) => deps.activity.wishlist(await me(req), await deps.guards.shopper(req)),
  );
  r.put(
    '/api/wishlist/:gameId',
    {
      schema: {
        tags: wishTags,
        summary: 'Add a game you do not own to your wishlist (again: no change)',
        params: GameId,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      await deps.activity.wish(await me(req), req.params.gameId);
      return reply.status(204).send(null);
    },
  );
  r.delete(
    '/api/wishlist/:gameId',
    {
      schema: {
        tags: wishTags,
        summary: 'Remove a game from your wishlist',
        params: GameId,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      await deps.activity.unwish(await me(req), req.params.gameId);
      return reply.status(204).send(null);
    },
  );

  const playTags = ['play'];
  r.post(
    '/api/play/sessions',
    {
      schema: {
        tags: playTags,
        summary: 'A launcher starts a game you own: opens a play session (or resumes the open one)',
        body: Type.Object({ gameId: Type.String() }, { additionalProperties: false }),
        response: { 201: PlaySession, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => reply.status(201).send(await deps.activity.startPlaying(await me(req), req.body.gameId)),
  );
  r.post(
    '/api/play/sessions/:id/heartbeat',
    {
      schema: {
        tags: playTags,
        summary: 'The game is still running',
        params: SessionId,
        response: { 200: PlaySession, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => deps.activity.heartbeat(await me(req), req.params.id),
  );
  r.post(
    '/api/play/sessions/:id/stop',
    {
      schema: {
        tags: playTags,
        summary: 'The game was closed: ends the session (again: no change)',
        params: SessionId,
        response: { 200: PlaySession, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => deps.activity.stop(await me(req), req.params.id),
  );
  r.get(
    '/api/play/recent',
    {
      schema: {
        tags: playTags,
        summary: 'Recently played: per game, minutes played and the last time, newest first',
        response: {
          200: Type.Array(Type.Object({ gameId: Type.String(), minutesPlayed: Type.Integer(), lastPlayedAt: Type.String() })),
          401: ErrorBody,
        },
      },
    },
    async (req) => deps.activity.recentlyPlayed(await me(req)),
  );
}
