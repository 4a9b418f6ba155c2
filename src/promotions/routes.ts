import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { PromotionService } from './service.ts';

export function promotionRoutes(app: FastifyInstance, deps: { promotions: PromotionService; catalog: CatalogService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const Discount = Type.Object({ percentOff: Type.Integer({ minimum: 1, maximum: 90 }) }, { additionalProperties: false });

  r.put(
    '/api/operator/games/:id/preorder-discount',
    {
      schema: {
        tags: ['operator'],
        summary: 'Set the pre-order discount of a game (S1.6); it ends by itself on release day (S1.16)',
        params: Type.Object({ id: Type.String() }),
        body: Discount,
        response: { 200: Discount, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      await deps.guards.requireOperator(req);
      await deps.catalog.operatorGame(req.params.id);
      await deps.promotions.setPreorderDiscount(req.params.id, req.body.percentOff);
      return req.body;
    },
  );

  r.delete(
    '/api/operator/games/:id/preorder-discount',
    {
      schema: {
        tags: ['operator'],
        summary: 'Remove the pre-order discount of a game',
        params: Type.Object({ id: Type.String() }),
        response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      await deps.guards.requireOperator(req);
      await deps.catalog.operatorGame(req.params.id);
      await deps.promotions.clearPreorderDiscount(req.params.id);
      return reply.status(204).send(null);
    },
  );
}
