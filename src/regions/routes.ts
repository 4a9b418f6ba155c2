import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { RegionGate } from './gate.ts';
import { Decision } from './schemas.ts';

export function regionRoutes(app: FastifyInstance, deps: { gate: RegionGate; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/operator/region-decisions',
    {
      schema: {
        tags: ['operator'],
        summary: 'R12 audit log: every region decision that refused something (or warned), newest first',
        querystring: Type.Object(
          {
            gameId: Type.Optional(Type.String({ format: 'uuid' })),
            userId: Type.Optional(Type.String({ maxLength: 100 })),
            action: Type.Optional(Type.String({ maxLength: 40 })),
            outcome: Type.Optional(Type.Union([Type.Literal('refused'), Type.Literal('warned')])),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Decision), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      await deps.guards.requireOperator(req);
      return deps.gate.list(req.query);
    },
  );

  r.get(
    '/api/region',
    {
      schema: {
        tags: ['storefront'],
        summary: 'The country this request comes from (by IP), as the region policy sees it',
        response: { 200: Type.Object({ ipCountry: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (req) => ({ ipCountry: deps.guards.ipCountry(req) ?? null }),
  );
}
