import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built React storefront and console (`dist`); unknown non-API paths get index.html (client routing). */
export async function serveWeb(app: FastifyInstance, dist: string): Promise<void> {
  const built = existsSync(join(dist, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: dist, prefix: '/', wildcard: false, index: false, maxAge: '1h' });
  app.setNotFoundHandler((req, reply) => {
    const isPage = req.method === 'GET' && !/^\/(api|media|covers)\//.test(req.url) && (req.headers.accept ?? '').includes('text/html');
    if (!isPage) {
      return reply.status(404).send({
        error: {
          code: 'route_not_found',
          message: `There is no ${req.method} ${req.url.split('?')[0]} endpoint. See /docs for the API.`,
        },
      });
    }
    if (!built)
      return reply.status(503).type('text/plain').send('The web UI is not built yet: run `npm run build:web` (npm start does it for you).');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', dist);
  });
}
