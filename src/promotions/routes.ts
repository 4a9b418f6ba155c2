import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import { expectedVersion, versionTag } from '../platform/http/etag.ts';
import type { Guards } from '../accounts/guards.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { PromotionService } from './service.ts';
import { GameCard } from '../catalog/schemas.ts';
import { CountryCode } from '../platform/schemas.ts';
import { PricePreview, PreviewRequest, Promotion, PromotionDetail, PromotionInput } from './schemas.ts';

export function promotionRoutes(app: FastifyInstance, deps: { promotions: PromotionService; catalog: CatalogService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { promotions, guards } = deps;
  const ops = ['operator'];
  const Discount = Type.Object({ percentOff: Type.Integer({ minimum: 1, maximum: 90 }) }, { additionalProperties: false });
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

  r.get(
    '/api/store/sale',
    {
      schema: {
        tags: ['storefront'],
        summary: "What is on sale in the visitor's country now, most popular first (R5)",
        response: { 200: Type.Object({ country: CountryCode, items: Type.Array(GameCard) }) },
      },
    },
    async (req) => {
      const shopper = await guards.shopper(req);
      return { country: shopper.country, items: await deps.catalog.onSale(promotions.saleTargets(shopper.country), shopper) };
    },
  );

  r.get(
    '/api/operator/games/:id/preorder-discount',
    {
      schema: {
        tags: ops,
        summary: 'The pre-order discount of a game (S1.6); percentOff null when it has none',
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Object({ percentOff: Type.Union([Type.Integer(), Type.Null()]) }), ...errors },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      await deps.catalog.operatorGame(req.params.id);
      return { percentOff: (await promotions.preorderPercent(req.params.id)) ?? null };
    },
  );

  r.put(
    '/api/operator/games/:id/preorder-discount',
    {
      schema: {
        tags: ops,
        summary: 'Set the pre-order discount of a game (S1.6); it ends by itself on release day (S1.16)',
        params: Type.Object({ id: Type.String() }),
        body: Discount,
        response: { 200: Discount, ...errors },
      },
    },
    async (req) => {
      const op = await guards.requireOperator(req);
      await deps.catalog.operatorGame(req.params.id);
      await promotions.setPreorderDiscount(req.params.id, req.body.percentOff, op.userId);
      return req.body;
    },
  );

  r.delete(
    '/api/operator/games/:id/preorder-discount',
    {
      schema: {
        tags: ops,
        summary: 'Remove the pre-order discount of a game',
        params: Type.Object({ id: Type.String() }),
        response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const op = await guards.requireOperator(req);
      await deps.catalog.operatorGame(req.params.id);
      await promotions.clearPreorderDiscount(req.params.id, op.userId);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/operator/promotions',
    { schema: { tags: ops, summary: 'Promotions, newest start first (R5)', response: { 200: Type.Array(Promotion), ...errors } } },
    async (req) => {
      await guards.requireOperator(req);
      return promotions.list();
    },
  );

  r.post(
    '/api/operator/promotions',
    {
      schema: {
        tags: ops,
        summary: 'Create a promotion; it is priced on every node within about a second, no restart (R5)',
        body: PromotionInput,
        response: { 201: PromotionDetail, ...errors, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const op = await guards.requireOperator(req);
      const p = await promotions.create(req.body, op.userId);
      return reply.status(201).header('etag', versionTag(p.version)).send(p);
    },
  );

  r.get(
    '/api/operator/promotions/:id',
    {
      schema: {
        tags: ops,
        summary: 'A promotion with its coupons and its audit trail (who changed what, when, before and after)',
        params: Type.Object({ id: Type.String() }),
        response: { 200: PromotionDetail, ...errors },
      },
    },
    async (req, reply) => {
      await guards.requireOperator(req);
      const p = await promotions.detail(req.params.id);
      return reply.header('etag', versionTag(p.version)).send(p);
    },
  );

  r.put(
    '/api/operator/promotions/:id',
    {
      schema: {
        tags: ops,
        summary:
          'Replace a promotion (If-Match: its ETag; a stale version gets 409). Codes sent are added; a promotion that needs a coupon keeps needing one',
        params: Type.Object({ id: Type.String() }),
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: PromotionInput,
        response: { 200: PromotionDetail, ...errors, 409: ErrorBody, 428: ErrorBody },
      },
    },
    async (req, reply) => {
      const op = await guards.requireOperator(req);
      const p = await promotions.update(req.params.id, expectedVersion(req.headers['if-match']), req.body, op.userId);
      return reply.header('etag', versionTag(p.version)).send(p);
    },
  );

  for (const action of ['pause', 'resume', 'end'] as const) {
    r.post(
      `/api/operator/promotions/:id/${action}`,
      {
        schema: {
          tags: ops,
          summary: {
            pause: 'Pause a promotion (resume continues it)',
            resume: 'Resume a paused promotion',
            end: 'End a promotion now, for good',
          }[action],
          params: Type.Object({ id: Type.String() }),
          response: { 200: PromotionDetail, ...errors, 409: ErrorBody },
        },
      },
      async (req) => {
        const op = await guards.requireOperator(req);
        return promotions.setStatus(req.params.id, action, op.userId);
      },
    );
  }

  r.post(
    '/api/operator/promotions/preview',
    {
      schema: {
        tags: ops,
        summary: 'What a game costs in a country, at a moment, for a user (and with a draft promotion): the console preview',
        body: PreviewRequest,
        response: { 200: PricePreview, ...errors },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return promotions.preview(req.body);
    },
  );
}
