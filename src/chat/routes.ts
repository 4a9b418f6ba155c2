import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { ChatService } from './service.ts';
import { ConversationView, MessageView, MuteInForce, ReportedMessage } from './schemas.ts';

export function chatRoutes(app: FastifyInstance, deps: { chat: ChatService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { chat, guards } = deps;
  const tags = ['chat'];
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody };
  const Id = Type.Object({ id: Type.String({ maxLength: 100 }) });
  const me = async (req: Parameters<typeof guards.requireUser>[0]) => (await guards.requireUser(req)).userId;

  r.get(
    '/api/chat/conversations',
    {
      schema: { tags, summary: 'Your conversations with unread counts (R14)', response: { 200: Type.Array(ConversationView), ...errors } },
    },
    async (req) => chat.list(await me(req)),
  );

  const Presence = Type.Object({
    id: Type.String(),
    name: Type.String(),
    state: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]),
    playing: Type.Union([Type.Object({ gameId: Type.String(), title: Type.String() }), Type.Null()]),
  });
  r.get(
    '/api/chat/presence',
    {
      schema: {
        tags,
        summary: 'Your friends: online, away or offline, and what they play (as each one allows)',
        response: { 200: Type.Array(Presence), ...errors },
      },
    },
    async (req) => chat.presence(await me(req)),
  );
  r.put(
    '/api/chat/presence/privacy',
    {
      schema: {
        tags,
        summary: 'Who may see whether you are online and what you play',
        body: Type.Object(
          { privacy: Type.Union([Type.Literal('everyone'), Type.Literal('friends'), Type.Literal('nobody')]) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await chat.setPrivacy(await me(req), req.body.privacy);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/chat/direct',
    {
      schema: {
        tags,
        summary: 'The conversation with a friend (created the first time)',
        body: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 200: ConversationView, ...errors },
      },
    },
    async (req) => chat.direct(await me(req), req.body.userId),
  );

  r.post(
    '/api/chat/groups',
    {
      schema: {
        tags,
        summary: 'A group chat with friends; you own it',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 80 }),
            memberIds: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 49 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ConversationView, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await chat.createGroup(await me(req), req.body.name, req.body.memberIds)),
  );

  r.post(
    '/api/chat/conversations/:id/members',
    {
      schema: {
        tags,
        summary: 'Add a friend to your group',
        params: Id,
        body: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 200: ConversationView, ...errors },
      },
    },
    async (req) => chat.invite(await me(req), req.params.id, req.body.userId),
  );

  r.delete(
    '/api/chat/conversations/:id/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove someone from your group, or leave a group (your own id)',
        params: Type.Object({ id: Type.String({ maxLength: 100 }), userId: Type.String({ maxLength: 100 }) }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await chat.remove(await me(req), req.params.id, req.params.userId);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/chat/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'History, newest first; page with ?before=<seq of the oldest you have>',
        params: Id,
        querystring: Type.Object({
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        }),
        response: { 200: Type.Array(MessageView), ...errors },
      },
    },
    async (req) => chat.history(await me(req), req.params.id, req.query.before, req.query.limit ?? 50),
  );

  r.post(
    '/api/chat/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'Send a message (the WebSocket does the same with {"type":"send"})',
        params: Id,
        body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false }),
        response: { 201: MessageView, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await chat.send(await me(req), req.params.id, req.body.body)),
  );

  r.post(
    '/api/chat/messages/:id/report',
    {
      schema: {
        tags,
        summary: 'Report a message to the operators',
        params: Id,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ reported: Type.Boolean() }), ...errors },
      },
    },
    async (req) => chat.report(await me(req), req.params.id, req.body.reason),
  );

  r.get(
    '/api/operator/chat/reports',
    {
      schema: {
        tags: ['operator'],
        summary: 'Reported chat messages, most reported first, as written',
        response: {
          200: Type.Array(ReportedMessage),
          ...errors,
        },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return chat.reports();
    },
  );

  r.post(
    '/api/operator/chat/reports/:id/handled',
    {
      schema: {
        tags: ['operator'],
        summary: 'Mark a message’s reports handled (dismissed or acted on): they leave the list',
        params: Id,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await guards.requireOperator(req);
      await chat.handleReports(req.params.id);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/operator/chat/mutes',
    {
      schema: {
        tags: ['operator'],
        summary: 'Mutes and bans in force now, newest first',
        response: {
          200: Type.Array(MuteInForce),
          ...errors,
        },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return chat.mutes();
    },
  );

  r.put(
    '/api/operator/chat/mutes/:userId',
    {
      schema: {
        tags: ['operator'],
        summary: 'Mute a user in chat for some minutes, or ban them (minutes: null)',
        params: Type.Object({ userId: Type.String({ maxLength: 100 }) }),
        body: Type.Object(
          {
            minutes: Type.Union([Type.Integer({ minimum: 1, maximum: 525_600 }), Type.Null()]),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      const op = await guards.requireOperator(req);
      await chat.mute(op.userId, req.params.userId, req.body.minutes, req.body.reason);
      return reply.status(204).send(null);
    },
  );

  r.delete(
    '/api/operator/chat/mutes/:userId',
    {
      schema: {
        tags: ['operator'],
        summary: 'Lift a mute or ban',
        params: Type.Object({ userId: Type.String({ maxLength: 100 }) }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await guards.requireOperator(req);
      await chat.unmute(req.params.userId);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/chat/conversations/:id/read',
    {
      schema: {
        tags,
        summary: 'Read receipt: you have read up to this message',
        params: Id,
        body: Type.Object({ seq: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await chat.markRead(await me(req), req.params.id, req.body.seq);
      return reply.status(204).send(null);
    },
  );
}
