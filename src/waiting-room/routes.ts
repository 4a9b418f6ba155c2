import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { WaitingRoomService } from './service.ts';
import { RoomInput, RoomView, TicketView } from './schemas.ts';

export function waitingRoomRoutes(app: FastifyInstance, deps: { rooms: WaitingRoomService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { rooms, guards } = deps;
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
  const Id = Type.Object({ id: Type.String() });

  r.get(
    '/api/games/:id/waiting-room',
    {
      schema: {
        tags: ['storefront'],
        summary: "The waiting room in front of a game's checkout, now or next (R6); null when there is none",
        params: Id,
        response: { 200: Type.Union([RoomView, Type.Null()]) },
      },
    },
    async (req) => rooms.forGame(req.params.id),
  );

  r.post(
    '/api/waiting-rooms/:id/ticket',
    {
      schema: {
        tags: ['waiting-room'],
        summary: 'Join the queue (one place per account; before the start, places are drawn at random at the start)',
        params: Id,
        response: { 200: TicketView, ...errors },
      },
    },
    async (req, reply) => {
      const v = await guards.requireUser(req);
      const t = await rooms.join(req.params.id, v.userId);
      return reply.header('retry-after', String(t.retryAfterSeconds)).send(t);
    },
  );

  r.get(
    '/api/waiting-rooms/:id/ticket',
    {
      schema: {
        tags: ['waiting-room'],
        summary: 'Your place: position, ETA, and the admission once it is your turn (poll after Retry-After)',
        params: Id,
        response: { 200: TicketView, ...errors },
      },
    },
    async (req, reply) => {
      const v = await guards.requireUser(req);
      const t = await rooms.mine(req.params.id, v.userId);
      return reply.header('retry-after', String(t.retryAfterSeconds)).header('cache-control', 'no-store').send(t);
    },
  );

  r.get(
    '/api/operator/waiting-rooms',
    {
      schema: {
        tags: ['operator'],
        summary: 'Waiting rooms with how many joined and checked out',
        response: { 200: Type.Array(Type.Intersect([RoomView, Type.Object({ joined: Type.Integer(), used: Type.Integer() })])), ...errors },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return rooms.list();
    },
  );

  r.post(
    '/api/operator/waiting-rooms',
    {
      schema: {
        tags: ['operator'],
        summary: "Put a game's checkout behind a waiting room from an instant, letting visitors in at a rate (R6)",
        body: RoomInput,
        response: { 201: RoomView, ...errors },
      },
    },
    async (req, reply) => {
      const op = await guards.requireOperator(req);
      return reply.status(201).send(await rooms.create(req.body, op.userId));
    },
  );

  r.post(
    '/api/operator/waiting-rooms/:id/end',
    {
      schema: {
        tags: ['operator'],
        summary: 'Close a waiting room now: checkout works as usual',
        params: Id,
        response: { 200: RoomView, ...errors },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return rooms.end(req.params.id);
    },
  );
}
