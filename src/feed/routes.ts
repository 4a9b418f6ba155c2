import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { FeedService } from './service.ts';
import { shareCardPng } from './card.ts';
import { FeedItem, Visibility } from './schemas.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };
const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function feedRoutes(app: FastifyInstance, deps: { feed: FeedService; guards: Guards; publicUrl: string }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['feed'];
  /** The public pages show a shared item or say it is not shared (never why: private and missing look the same). */
  const sharedOrNothing = (id: string, language: string) =>
    deps.feed.shared(id, language).catch((err: unknown) => {
      if (err instanceof AppError && err.status === 404) return undefined;
      throw err;
    });
  r.get(
    '/api/feed',
    {
      schema: {
        tags,
        summary: 'R14: what your friends did (bought, reviewed, posted) and let friends see, newest first',
        response: { 200: Type.Array(FeedItem), ...errors },
      },
    },
    async (req) => {
      const v = await deps.guards.requireUser(req);
      return deps.feed.feed(v.userId, v.profile.language);
    },
  );
  r.get(
    '/api/feed/mine',
    { schema: { tags, summary: 'Your own activity, with who may see each item', response: { 200: Type.Array(FeedItem), ...errors } } },
    async (req) => {
      const v = await deps.guards.requireUser(req);
      return deps.feed.mine(v.userId, v.profile.language);
    },
  );
  r.put(
    '/api/feed/items/:id/visibility',
    {
      schema: {
        tags,
        summary: 'Who may see one of your activity items; everyone makes it shareable by link (R11)',
        params: Type.Object({ id: Type.String() }),
        body: Type.Object({ visibility: Visibility }, { additionalProperties: false }),
        response: { 200: FeedItem, ...errors },
      },
    },
    async (req) => {
      const v = await deps.guards.requireUser(req);
      return deps.feed.setVisibility(v.userId, req.params.id, req.body.visibility, v.profile.language);
    },
  );
  r.get(
    '/api/share/:id',
    {
      schema: {
        tags,
        summary: 'R11: an activity item its owner shares with everyone (404 for anything else)',
        params: Type.Object({ id: Type.String() }),
        response: { 200: FeedItem, ...errors },
      },
    },
    async (req) => deps.feed.shared(req.params.id, (await deps.guards.shopper(req)).language),
  );
  // R11: the picture social networks show for a shared link (PNG: they do not take SVG).
  r.get('/share/:id/image.png', { schema: { hide: true, params: Type.Object({ id: Type.String() }) } }, async (req, reply) => {
    const item = await sharedOrNothing(req.params.id, 'en');
    if (!item) return reply.status(404).type('text/plain').send('This activity is not shared.');
    const png = await shareCardPng(item.game.slug, deps.feed.sentence(item), `${item.game.title} · Game Store`);
    return reply.type('image/png').header('cache-control', 'public, max-age=3600').send(png);
  });
  // R11: the page a shared link opens. Social networks read its Open Graph and Twitter card tags (title, text, the
  // game's cover), people get a link to the game. Server-rendered: crawlers do not run the web app.
  r.get('/share/:id', { schema: { hide: true, params: Type.Object({ id: Type.String() }) } }, async (req, reply) => {
    const item = await sharedOrNothing(req.params.id, (await deps.guards.shopper(req)).language);
    if (!item)
      return reply.status(404).type('text/html').send('<!doctype html><title>Not shared</title><p>This activity is not shared.</p>');
    const title = deps.feed.sentence(item);
    const gameUrl = `${deps.publicUrl}/games/${item.game.slug}`;
    const image = `${deps.publicUrl}/share/${item.id}/image.png`;
    const text = `${item.game.title} on Game Store`;
    return reply.type('text/html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<meta property="og:type" content="website">
<meta property="og:site_name" content="Game Store">
<meta property="og:title" content="${esc(title)}">
<meta property="og:description" content="${esc(text)}">
<meta property="og:image" content="${esc(image)}">
<meta property="og:image:type" content="image/png">
<meta property="og:image:width" content="1200">
<meta property="og:image:height" content="630">
<meta property="og:url" content="${esc(item.shareUrl!)}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="${esc(title)}">
<meta name="twitter:image" content="${esc(image)}">
</head><body><main class="share">
<img src="${esc(image)}" alt="">
<h1>${esc(title)}</h1>
<p><a href="${esc(gameUrl)}">See ${esc(item.game.title)} in the store</a></p>
</main></body></html>`);
  });
}
