import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import { isUuid } from '../platform/ids.ts';
import type { Guards } from '../accounts/guards.ts';
import { GameCard } from '../catalog/schemas.ts';
import { Recommendation } from './schemas.ts';
import type { RecommendationService } from './service.ts';
import type { ReleaseMailer } from './release-mail.ts';

const Model = Type.Object({
  id: Type.String(),
  status: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  users: Type.Union([Type.Integer(), Type.Null()]),
  games: Type.Union([Type.Integer(), Type.Null()]),
  interactions: Type.Union([Type.Integer(), Type.Null()]),
  trainMs: Type.Union([Type.Integer(), Type.Null()]),
  metrics: Type.Unknown({ description: 'Leave-one-out NDCG@10, HR@10, coverage and the popularity baseline on this store’s data' }),
  error: Type.Union([Type.String(), Type.Null()]),
});

export function recommendationRoutes(app: FastifyInstance, deps: { recommendations: RecommendationService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { recommendations, guards } = deps;
  r.get(
    '/api/recommendations',
    {
      schema: {
        tags: ['storefront'],
        summary:
          'Recommended for you: games you do not own, sold in your country, each with its reason (visitors: popular in their country)',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 12 })) }),
        response: { 200: Type.Array(Recommendation) },
      },
    },
    async (req) => recommendations.forUser((await guards.viewer(req))?.userId, await guards.shopper(req), req.query.limit ?? 12),
  );
  const Genres = Type.Object(
    { genres: Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 10, description: 'Genres you like (cold start)' }) },
    { additionalProperties: false },
  );
  r.get(
    '/api/me/genres',
    { schema: { tags: ['storefront'], summary: 'The genres you said you like', response: { 200: Genres, 401: ErrorBody } } },
    async (req) => ({ genres: await recommendations.genrePicks((await guards.requireUser(req)).userId) }),
  );
  r.put(
    '/api/me/genres',
    {
      schema: {
        tags: ['storefront'],
        summary: 'Say which genres you like: new players get recommendations from them at once',
        body: Genres,
        response: { 200: Genres, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => ({ genres: await recommendations.pickGenres((await guards.requireUser(req)).userId, req.body.genres) }),
  );
  r.get(
    '/api/discovery-queue',
    {
      schema: {
        tags: ['storefront'],
        summary: 'Your discovery queue: up to 12 recommended games you have not stepped past this week, each with its reason',
        response: { 200: Type.Array(Recommendation), 401: ErrorBody },
      },
    },
    async (req) => recommendations.queue((await guards.requireUser(req)).userId, await guards.shopper(req)),
  );
  r.post(
    '/api/discovery-queue/:gameId',
    {
      schema: {
        tags: ['storefront'],
        summary: 'Step past a game in your queue (seen) or say you are not interested (never recommended again)',
        params: Type.Object({ gameId: Type.String() }),
        body: Type.Object({ mark: Type.Union([Type.Literal('seen'), Type.Literal('not_interested')]) }, { additionalProperties: false }),
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const { userId } = await guards.requireUser(req);
      if (!isUuid(req.params.gameId))
        return reply.status(404).send({ error: { code: 'game_not_found', message: 'This game does not exist or is not visible to you.' } });
      await recommendations.markInQueue(userId, req.params.gameId, req.body.mark);
      return reply.status(204).send(null);
    },
  );
  r.get(
    '/api/games/:id/similar',
    {
      schema: {
        tags: ['storefront'],
        summary: 'More like this: games players of this game also have',
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 8 })) }),
        response: { 200: Type.Array(GameCard) },
      },
    },
    async (req) =>
      isUuid(req.params.id)
        ? recommendations.similar(req.params.id, (await guards.viewer(req))?.userId, await guards.shopper(req), req.query.limit ?? 8)
        : [],
  );
  r.get(
    '/api/operator/recommendations/models',
    {
      schema: {
        tags: ['operator'],
        summary: 'Recommendation models: when they trained, on what, and their offline metrics',
        response: { 200: Type.Array(Model), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return (await recommendations.models()).map((m) => ({
        id: m.id,
        status: m.status,
        startedAt: m.started_at.toISOString(),
        finishedAt: m.finished_at?.toISOString() ?? null,
        users: m.users,
        games: m.games,
        interactions: m.interactions,
        trainMs: m.train_ms,
        metrics: m.metrics,
        error: m.error,
      }));
    },
  );
  r.post(
    '/api/operator/recommendations/train',
    {
      schema: {
        tags: ['operator'],
        summary: 'Train a model now (it also trains on its schedule); answers when the new lists are served',
        response: { 200: Type.Object({ modelId: Type.String() }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return { modelId: await recommendations.trainNow() };
    },
  );
}

/** The new-release mail's public links (unsubscribe, tracked click), the player's preference and the operator's view. */
export function releaseMailRoutes(app: FastifyInstance, deps: { mailer: ReleaseMailer; guards: Guards; now: () => Date }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { mailer, guards } = deps;
  const Preferences = Type.Object({ releaseMails: Type.Boolean({ description: 'Mails about new games that match your taste (S1.2)' }) });
  r.get(
    '/api/me/mail-preferences',
    { schema: { tags: ['accounts'], summary: 'Which optional mails you get', response: { 200: Preferences, 401: ErrorBody } } },
    async (req) => ({ releaseMails: await mailer.releaseMails((await guards.requireUser(req)).userId) }),
  );
  r.put(
    '/api/me/mail-preferences',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Choose which optional mails you get',
        body: Preferences,
        response: { 200: Preferences, 401: ErrorBody },
      },
    },
    async (req) => {
      const { userId } = await guards.requireUser(req);
      await mailer.setReleaseMails(userId, req.body.releaseMails, deps.now());
      return { releaseMails: req.body.releaseMails };
    },
  );
  const Token = Type.Object({ token: Type.String() });
  const badLink = {
    error: {
      code: 'invalid_link',
      message: 'This link is not valid. Open it again from the mail, or change your mail settings on your account page.',
    },
  };
  r.get(
    '/api/mail/unsubscribe/:token',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The unsubscribe page of a new-release mail (asks before it changes anything)',
        params: Token,
        querystring: Type.Object({ done: Type.Optional(Type.String()) }),
      },
    },
    async (req, reply) => {
      const userId = mailer.unsubscriber(req.params.token);
      if (!userId) return reply.status(404).send(badLink);
      if (req.query.done && !(await mailer.releaseMails(userId))) {
        return reply
          .type('text/html; charset=utf-8')
          .send(
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Unsubscribed</title><main style="font-family:sans-serif;max-width:32rem;margin:4rem auto"><h1>You are unsubscribed</h1><p>You will get no more new-release mails. You can turn them on again on your account page.</p></main></html>',
          );
      }
      const action = `/api/mail/unsubscribe/${encodeURIComponent(req.params.token)}`;
      return reply
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><html lang="en"><meta charset="utf-8"><title>Unsubscribe</title><main style="font-family:sans-serif;max-width:32rem;margin:4rem auto"><h1>Stop new-release mails?</h1><p>You will no longer get mails about new games that match your taste. Order and gift mails are not affected.</p><form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form></main></html>`,
        );
    },
  );
  // One-click unsubscribe (RFC 8058): mail clients POST `List-Unsubscribe=One-Click` as a form, without cookies.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/mail/unsubscribe/:token',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Unsubscribe from new-release mails (one click, from the mail)',
          params: Token,
          response: { 200: Type.Object({ releaseMails: Type.Boolean() }), 404: ErrorBody },
        },
      },
      async (req, reply) => {
        const userId = mailer.unsubscriber(req.params.token);
        if (!userId) return reply.status(404).send(badLink);
        await mailer.setReleaseMails(userId, false, deps.now());
        // A browser (the form on the page above) is sent back to the page, which now confirms it.
        if ((req.headers.accept ?? '').includes('text/html'))
          return reply.redirect(`/api/mail/unsubscribe/${encodeURIComponent(req.params.token)}?done=1`, 303);
        return { releaseMails: false };
      },
    );
  });
  r.get(
    '/api/mail/release/:token',
    {
      schema: {
        tags: ['storefront'],
        summary: 'The link of a new-release mail: counts the click, then opens the game’s pre-order page',
        params: Token,
      },
    },
    async (req, reply) => {
      const to = await mailer.click(req.params.token, deps.now());
      if (!to) return reply.status(404).send(badLink);
      return reply.redirect(to, 302);
    },
  );
  r.get(
    '/api/operator/games/:id/release-audience',
    {
      schema: {
        tags: ['operator'],
        summary: 'Before publishing: how many users the new-release mail would reach now',
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Object({ scored: Type.Integer(), wouldMail: Type.Integer() }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return isUuid(req.params.id) ? mailer.preview(req.params.id, deps.now()) : { scored: 0, wouldMail: 0 };
    },
  );
  r.get(
    '/api/operator/release-mails',
    {
      schema: {
        tags: ['operator'],
        summary: 'New-release mail campaigns: scored, chosen, sent, skipped and clicked per game',
        response: {
          200: Type.Array(
            Type.Object({
              gameId: Type.String(),
              slug: Type.String(),
              status: Type.String(),
              scored: Type.Union([Type.Integer(), Type.Null()]),
              chosen: Type.Union([Type.Integer(), Type.Null()]),
              sent: Type.Integer(),
              skipped: Type.Integer(),
              clicked: Type.Integer(),
              createdAt: Type.String(),
              finishedAt: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (req) => {
      await guards.requireOperator(req);
      return (await mailer.campaigns()).map((c) => ({
        gameId: c.game_id,
        slug: c.slug,
        status: c.status,
        scored: c.scored,
        chosen: c.chosen,
        sent: c.sent,
        skipped: c.skipped,
        clicked: c.clicked,
        createdAt: c.created_at.toISOString(),
        finishedAt: c.finished_at?.toISOString() ?? null,
      }));
    },
  );
}
