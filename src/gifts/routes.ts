import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { GiftService } from './service.ts';
import { GiftList, GiftRecipients, GiftReport, GiftReportQuery, GiftView, SendGift } from './schemas.ts';

export function giftRoutes(app: FastifyInstance, deps: { gifts: GiftService; guards: Guards; now: () => Date }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['gifts'];
  const sender = async (req: FastifyRequest) => {
    const v = await deps.guards.requireUser(req);
    return { userId: v.userId, email: v.email, name: v.name, shopper: await deps.guards.shopper(req) };
  };
  const me = async (req: FastifyRequest) => {
    const v = await deps.guards.requireUser(req);
    return { userId: v.userId, language: v.profile.language };
  };
  const Id = Type.Object({ id: Type.String({ maxLength: 100 }) });
  const answer = { params: Id, response: { 200: GiftView, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } };

  r.get(
    '/api/gifts/recipients',
    {
      schema: {
        tags,
        summary: '“Buy as a gift”: friends who can receive this game; those who own it or have it on its way are left out (S2.3–S2.5, R12)',
        querystring: Type.Object({ gameId: Type.String() }),
        response: { 200: GiftRecipients, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => deps.gifts.recipients(await sender(req), req.query.gameId),
  );

  r.post(
    '/api/gifts',
    {
      schema: {
        tags,
        summary: 'Buy a game as a gift for a friend, now or at a chosen time, with a message (S2.1–S2.9). Needs an Idempotency-Key header',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: SendGift,
        response: { 202: GiftView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => reply.status(202).send(await deps.gifts.send(await sender(req), req.headers['idempotency-key'], req.body)),
  );

  r.get(
    '/api/gifts',
    {
      schema: {
        tags,
        summary: 'Gifts you sent (with their state and payment) and gifts you received',
        response: { 200: GiftList, 401: ErrorBody },
      },
    },
    async (req) => deps.gifts.list(await me(req)),
  );
  r.get(
    '/api/gifts/:id',
    {
      schema: {
        tags,
        summary: 'One gift; only its sender and (once delivered) its recipient can see it',
        params: Id,
        response: { 200: GiftView, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => deps.gifts.get(await me(req), req.params.id),
  );
  r.post(
    '/api/gifts/:id/accept',
    { schema: { tags, summary: 'Accept a gift: the game enters your library (S2.11)', ...answer } },
    async (req) => deps.gifts.accept(await me(req), req.params.id),
  );
  r.post(
    '/api/gifts/:id/decline',
    { schema: { tags, summary: 'Decline a gift: the sender is refunded at once (S2.12)', ...answer } },
    async (req) => deps.gifts.decline(await me(req), req.params.id),
  );
  r.post(
    '/api/gifts/:id/cancel',
    { schema: { tags, summary: 'Cancel a gift you sent that has not been delivered yet; you are refunded', ...answer } },
    async (req) => deps.gifts.cancel(await me(req), req.params.id),
  );

  r.get(
    '/api/operator/reports/gifts',
    {
      schema: {
        tags: ['operator'],
        summary:
          'Gift report (S2.14): filter by purchase dates, state, game, sender/recipient country; totals, gifts per day by state; format=csv for a CSV file',
        querystring: GiftReportQuery,
        response: { 200: Type.Union([GiftReport, Type.String()]), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      const op = await deps.guards.requireOperator(req);
      const language = op.profile.language;
      if (req.query.format === 'csv') {
        const day = deps.now().toISOString().slice(0, 10);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="gifts-${day}.csv"`)
          .send(await deps.gifts.reportCsv(req.query, language));
      }
      return deps.gifts.report(req.query, language);
    },
  );
}
