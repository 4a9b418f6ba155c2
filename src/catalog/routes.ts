import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { CatalogService, StoreGamePage } from './service.ts';
import { coverSvg } from './covers.ts';
import { expectedVersion, versionTag } from '../platform/http/etag.ts';
import { GameInput, HomePage, OperatorGame, OperatorGameRow, Quote, SearchQuery, SearchResult, StoreGame } from './schemas.ts';

const etag = versionTag;

export function catalogRoutes(app: FastifyInstance, deps: { catalog: CatalogService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { catalog, guards } = deps;
  const store = ['storefront'];
  const ops = ['operator'];
  const serialized = new WeakMap<StoreGamePage, string>();

  r.get(
    '/api/store/home',
    { schema: { tags: store, summary: 'Storefront home: new releases, upcoming, popular, genres', response: { 200: HomePage } } },
    async (req) => catalog.home(await guards.shopper(req)),
  );

  r.get(
    '/api/store/genres',
    {
      schema: {
        tags: store,
        summary: 'Genres with the number of published games in each',
        response: { 200: Type.Array(Type.Object({ name: Type.String(), games: Type.Integer() })) },
      },
    },
    async () => catalog.genres(),
  );

  r.get(
    '/api/games',
    {
      schema: {
        tags: store,
        summary: 'Search or browse games (R8): words in any language, typo-tolerant, with filters',
        querystring: SearchQuery,
        response: { 200: SearchResult, 400: ErrorBody },
      },
    },
    async (req) => catalog.search(req.query, await guards.shopper(req)),
  );

  r.get(
    '/api/games/suggest',
    {
      schema: {
        tags: store,
        summary: 'Type-ahead (R8): games whose title or a word of it starts with what was typed, most popular first',
        querystring: Type.Object({
          q: Type.String({ maxLength: 100 }),
          limit: Type.Integer({ minimum: 1, maximum: 20, default: 8 }),
        }),
        response: { 200: Type.Array(Type.Object({ slug: Type.String(), title: Type.String() })) },
      },
    },
    async (req, reply) => {
      // The same letters give the same titles for a minute: the browser and any CDN may keep them.
      reply.header('cache-control', req.headers.cookie ? 'private, max-age=60' : 'public, max-age=60').header('vary', 'cookie');
      return catalog.suggest(req.query.q, await guards.shopper(req), req.query.limit);
    },
  );

  r.get(
    '/api/games/:key',
    {
      schema: {
        tags: store,
        summary: "A game page by slug or id, priced for the visitor's country",
        params: Type.Object({ key: Type.String({ maxLength: 120 }) }),
        response: { 200: StoreGame, 304: Type.Null({ description: 'Not modified (If-None-Match)' }), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const page = await catalog.storeGamePage(req.params.key, await guards.shopper(req));
      const { etag } = page;
      // A visitor without cookies sees what every such visitor sees: a CDN may keep it for half a minute. With a
      // session or a chosen country the page is personal: the browser keeps it and asks again (304 when unchanged).
      reply
        .header('etag', etag)
        .header('vary', 'cookie')
        .header('cache-control', req.headers.cookie ? 'private, no-cache' : 'public, max-age=30, stale-while-revalidate=30');
      if (req.headers['if-none-match'] === etag) return reply.status(304).send(null);
      // Serialized by the route's schema once per page kept in memory, not once per request.
      let body = serialized.get(page);
      if (body === undefined) serialized.set(page, (body = reply.serialize(page.game) as string));
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(body);
    },
  );

  r.get(
    '/api/games/:id/quote',
    {
      schema: {
        tags: store,
        summary: 'The price this shopper would pay; refused (403 with a reason code) where the game is not sold (R12, S1.4)',
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({ edition: Type.Optional(Type.String()) }),
        response: { 200: Quote, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => catalog.quote(req.params.id, req.query.edition, await guards.shopper(req)),
  );

  r.get(
    '/covers/:seed',
    {
      schema: {
        hide: true,
        params: Type.Object({ seed: Type.String({ maxLength: 120 }) }),
        querystring: Type.Object({ title: Type.String({ maxLength: 200 }) }),
      },
    },
    async (req, reply) => {
      reply
        .header('content-type', 'image/svg+xml')
        .header('cache-control', 'public, max-age=86400')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return coverSvg(req.params.seed, req.query.title);
    },
  );

  // ---------- operator console API (S1.1, D3, D4) ----------

  r.get(
    '/api/operator/games',
    {
      schema: {
        tags: ops,
        summary: 'Games for the operator console, most recently edited first',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 200 })),
          page: Type.Integer({ minimum: 1, default: 1 }),
          pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: { 200: Type.Array(OperatorGameRow), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return catalog.operatorList(req.query.page, req.query.pageSize, req.query.q);
    },
  );

  r.post(
    '/api/operator/games',
    {
      schema: {
        tags: ops,
        summary: 'Register a game (S1.1)',
        body: GameInput,
        response: { 201: OperatorGame, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      await guards.requireOperator(req);
      const game = await catalog.createGame(req.body);
      return reply.status(201).header('etag', etag(game.version)).send(game);
    },
  );

  r.get(
    '/api/operator/games/:id',
    {
      schema: {
        tags: ops,
        summary: 'A game with every language, edition, price and region rule; ETag carries its version',
        params: Type.Object({ id: Type.String() }),
        response: { 200: OperatorGame, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      await guards.requireOperator(req);
      const game = await catalog.operatorGame(req.params.id);
      return reply.header('etag', etag(game.version)).send(game);
    },
  );

  r.put(
    '/api/operator/games/:id',
    {
      schema: {
        tags: ops,
        summary: 'Replace a game (details, editions, prices, regions). Needs If-Match; a stale version gets 409 (D4)',
        params: Type.Object({ id: Type.String() }),
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: GameInput,
        response: { 200: OperatorGame, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 428: ErrorBody },
      },
    },
    async (req, reply) => {
      await guards.requireOperator(req);
      const game = await catalog.updateGame(req.params.id, req.body, expectedVersion(req.headers['if-match']));
      return reply.header('etag', etag(game.version)).send(game);
    },
  );
}
