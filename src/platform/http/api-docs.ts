import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ApiTag } from '../module.ts';

/** The OpenAPI document of every route registered after this (at /openapi.json) and Swagger UI at /docs. */
export async function apiDocs(app: FastifyInstance, tags: ApiTag[]): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Game Store API',
        version: '0.1.0',
        description: 'Storefront, accounts and operator console API. Errors are { error: { code, message } }.',
      },
      tags,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
