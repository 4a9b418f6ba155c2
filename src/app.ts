import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from './platform/config.ts';
import type { Clock } from './platform/clock.ts';
import { AppError, installErrorHandler } from './platform/errors.ts';
import { createPool, kyselyFor, migrate, ping, type Pool } from './platform/db/database.ts';
import { observability } from './platform/http/observability.ts';
import { createAuth, migrateAuth, type Auth } from './accounts/auth.ts';
import { accountMigrations } from './accounts/migrations/index.ts';
import { AccountStore, type AccountTables } from './accounts/store.ts';
import { AccountService } from './accounts/service.ts';
import { Guards } from './accounts/guards.ts';
import { accountRoutes } from './accounts/routes.ts';
import { catalogMigrations } from './catalog/migrations/index.ts';
import { CatalogStore, type CatalogTables } from './catalog/store.ts';
import { CatalogService } from './catalog/service.ts';
import { catalogRoutes } from './catalog/routes.ts';
import { mediaRoutes } from './catalog/media.ts';

/** Every context's migrations; names start with a date, so they apply in one global order. */
export const migrations = { ...catalogMigrations, ...accountMigrations };

export interface StoreDeps {
  config: Config;
  databaseUrl: string;
  clock: Clock;
  authSecret: string;
}

export interface Store {
  app: FastifyInstance;
  pool: Pool;
  auth: Auth;
  accounts: AccountService;
  catalog: CatalogService;
  close(): Promise<void>;
}

const WEB_DIST = resolve(import.meta.dirname, '../web/dist');

/** The composition root: builds every context over one pool and wires their routes into one Fastify app. */
export async function createStore(deps: StoreDeps): Promise<Store> {
  const { config, clock } = deps;
  const pool = createPool(deps.databaseUrl);
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    bodyLimit: 2 * 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    // Unknown fields are refused, not silently dropped: a misspelt field must not look like a saved one.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  try {
    await migrateAuth(config, pool, deps.authSecret);
    await migrate(pool, migrations, app.log);

    const auth = createAuth(config, pool, deps.authSecret);
    const accounts = new AccountService(auth, new AccountStore(kyselyFor<AccountTables>(pool)), clock, {
      country: config.defaultCountry,
      language: config.defaultLanguage,
    });
    const catalog = new CatalogService(new CatalogStore(kyselyFor<CatalogTables>(pool)), clock);
    const guards = new Guards(accounts);

    installErrorHandler(app);
    // Graceful shutdown (close() below): stop accepting requests, let those in flight finish, then close the pool.
    let inFlight = 0;
    app.addHook('onRequest', async () => {
      inFlight++;
    });
    app.addHook('onResponse', async () => {
      inFlight--;
    });
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'Game Store API', version: '0.1.0', description: 'Storefront, accounts and operator console API. Errors are { error: { code, message } }.' },
        tags: [
          { name: 'storefront', description: 'What visitors and players see' },
          { name: 'accounts', description: 'Sign-up and profile (sign-in, sign-out and sessions live under /api/auth/*, served by Better Auth)' },
          { name: 'operator', description: 'Operator console: games, prices, regions (operator role required)' },
        ],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

    // Cookie sessions are CSRF-safe only if cross-site writes are refused: browsers send Origin on them.
    app.addHook('onRequest', async (req) => {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
      const origin = req.headers.origin;
      if (origin && origin !== config.publicUrl && origin !== `${req.protocol}://${req.host}`) {
        throw new AppError(403, 'cross_site_request', 'This request came from another site and was refused.');
      }
    });

    observability(app, () => ping(pool));
    accountRoutes(app, { accounts, guards, auth, publicUrl: config.publicUrl });
    catalogRoutes(app, { catalog, guards });
    await mediaRoutes(app, { guards, mediaDir: join(config.dataDir, 'media'), maxBytes: config.maxUploadBytes });
    await serveWeb(app);

    return {
      app,
      pool,
      auth,
      accounts,
      catalog,
      async close() {
        await app.close();
        for (let waited = 0; inFlight > 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
        await pool.end();
      },
    };
  } catch (err) {
    await app.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw err;
  }
}

/** The built React storefront and console (web/dist); unknown non-API paths get index.html (client routing). */
async function serveWeb(app: FastifyInstance) {
  const built = existsSync(join(WEB_DIST, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: false, maxAge: '1h' });
  app.setNotFoundHandler((req, reply) => {
    const isPage = req.method === 'GET' && !/^\/(api|media|covers)\//.test(req.url) && (req.headers.accept ?? '').includes('text/html');
    if (!isPage) {
      return reply.status(404).send({ error: { code: 'route_not_found', message: `There is no ${req.method} ${req.url.split('?')[0]} endpoint. See /docs for the API.` } });
    }
    if (!built) return reply.status(503).type('text/plain').send('The web UI is not built yet: run `npm run build:web` (npm start does it for you).');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', WEB_DIST);
  });
}
