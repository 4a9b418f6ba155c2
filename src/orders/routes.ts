import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import { orderError } from './errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { GatewayEvent, PaymentGateway } from '../payments/gateway.ts';
import type { PaymentSignals } from '../payments/signals.ts';
import type { OrderStore } from './store.ts';
import type { Buyer, OrderService } from './service.ts';
import {
  CartCheckout,
  CartItemInput,
  CartItems,
  CartView,
  CheckoutQuote,
  CheckoutView,
  DownloadLink,
  LibraryEntry,
  OrderView,
  PlaceOrder,
  RefundPreview,
} from './schemas.ts';
import type { CartService } from './cart.ts';
import { etagOf, followable } from '../platform/http/etag.ts';

export function orderRoutes(
  app: FastifyInstance,
  deps: {
    orders: OrderService;
    cart: CartService;
    store: OrderStore;
    guards: Guards;
    gateway: PaymentGateway;
    signals: PaymentSignals;
    now: () => Date;
    /** Forward recovery: a capture the PG reports is checked against the order at once (refunded if none is live). */
    onCaptured?: (p: GatewayEvent['payment'] & { orderRef: string }) => Promise<unknown>;
  },
) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['orders'];
  const buyer = async (req: FastifyRequest): Promise<Buyer> => {
    const v = await deps.guards.requireUser(req);
    return { userId: v.userId, email: v.email, shopper: await deps.guards.shopper(req) };
  };
  const Id = Type.Object({ id: Type.String() });
  /** The version the client has and how long it will wait for another (see `followable`). */
  const FollowHeaders = Type.Object({
    'if-none-match': Type.Optional(Type.String({ maxLength: 100 })),
    prefer: Type.Optional(Type.String({ maxLength: 100 })),
  });

  r.get(
    '/api/checkout',
    {
      schema: {
        tags,
        summary: 'Checkout: price after promotions (and a coupon), points, payment methods of your country (S1.5–S1.8, R5)',
        querystring: Type.Object({
          gameId: Type.String(),
          editionId: Type.Optional(Type.String()),
          coupon: Type.Optional(Type.String({ maxLength: 32 })),
          action: Type.Optional(
            Type.Union([Type.Literal('buy'), Type.Literal('gift')], {
              description: 'gift: the price of giving it (its quote token is accepted by POST /api/gifts); default buy',
            }),
          ),
        }),
        response: { 200: CheckoutQuote, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => deps.orders.quote(await buyer(req), req.query.gameId, req.query.editionId, req.query.action ?? 'buy', req.query.coupon),
  );

  r.post(
    '/api/orders',
    {
      schema: {
        tags,
        summary: 'Pre-order or buy a game (S1.3–S1.9). Needs an Idempotency-Key header; a retry with the same key returns the same order',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: PlaceOrder,
        response: { 202: OrderView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const order = await deps.orders.place(await buyer(req), req.headers['idempotency-key'], req.body);
      return reply.status(202).header('etag', etagOf(order)).send(order);
    },
  );

  const GameParam = Type.Object({ gameId: Type.String() });

  r.get(
    '/api/cart',
    {
      schema: {
        tags,
        summary:
          'Your cart: each game priced with the others (bundles count the games bought together, R5), the total, points and payment methods',
        querystring: Type.Object({ coupon: Type.Optional(Type.String({ maxLength: 32 })) }),
        response: { 200: CartView, 401: ErrorBody },
      },
    },
    async (req, reply) => reply.header('cache-control', 'private, no-cache').send(await deps.cart.view(await buyer(req), req.query.coupon)),
  );

  r.get(
    '/api/cart/items',
    {
      schema: {
        tags,
        summary: 'Which games are in your cart (not priced: for the header and the game pages)',
        response: { 200: CartItems, 401: ErrorBody },
      },
    },
    async (req, reply) => reply.header('cache-control', 'private, no-cache').send(await deps.cart.items(await buyer(req))),
  );

  r.put(
    '/api/cart/items/:gameId',
    {
      schema: {
        tags,
        summary:
          'Put a game in your cart (again: change its edition). Refused when you own it, it is not sold where you are, or the cart is full',
        params: GameParam,
        body: CartItemInput,
        response: { 200: CartView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => deps.cart.add(await buyer(req), req.params.gameId, req.body.editionId),
  );

  r.delete(
    '/api/cart/items/:gameId',
    {
      schema: { tags, summary: 'Take a game out of your cart', params: GameParam, response: { 200: CartView, 401: ErrorBody } },
    },
    async (req) => deps.cart.remove(await buyer(req), req.params.gameId),
  );

  r.post(
    '/api/cart/checkout',
    {
      schema: {
        tags,
        summary:
          'Buy the cart with one payment: one order per game (each refunded on its own). Needs an Idempotency-Key header; a retry with the same key returns the same checkout. Follow it with GET /api/checkouts/{id}',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: CartCheckout,
        response: { 202: CheckoutView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const checkout = await deps.cart.checkout(await buyer(req), req.headers['idempotency-key'], req.body);
      return reply.status(202).header('etag', etagOf(checkout)).send(checkout);
    },
  );

  r.get(
    '/api/checkouts/:id',
    {
      schema: {
        tags,
        summary:
          'One cart checkout of yours with its orders, with an ETag; If-None-Match + Prefer: wait=N (at most 25 s) answers as soon as it changes (paid, cancelled, an approval link), or 304',
        params: Id,
        headers: FollowHeaders,
        response: {
          200: CheckoutView,
          304: Type.Null({ description: 'Not modified: the checkout is still the version you have' }),
          401: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const who = await buyer(req);
      return followable(req, reply, (follow) => deps.cart.get(who, req.params.id, follow));
    },
  );

  r.get(
    '/api/orders',
    {
      schema: {
        tags,
        summary: 'Your purchase list (S1.11, S1.13); history=true adds cancelled and refunded orders',
        querystring: Type.Object({ history: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Array(OrderView), 401: ErrorBody },
      },
    },
    async (req) => deps.orders.list(await buyer(req), req.query.history),
  );

  r.get(
    '/api/orders/:id',
    {
      schema: {
        tags,
        summary:
          'One of your orders, with an ETag. Following it: If-None-Match with the ETag you have and Prefer: wait=N (at most 25 s) answers as soon as the order changes — paid, cancelled, an approval link — or 304 when it did not within N seconds',
        params: Id,
        headers: FollowHeaders,
        response: {
          200: OrderView,
          304: Type.Null({ description: 'Not modified: the order is still the version you have' }),
          401: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const who = await buyer(req);
      return followable(req, reply, (follow) => deps.orders.get(who, req.params.id, follow));
    },
  );

  r.get(
    '/api/orders/:id/refund',
    {
      schema: {
        tags,
        summary: 'What a refund would give back (money, points) before you confirm',
        params: Id,
        response: { 200: RefundPreview, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => deps.orders.refundPreview(await buyer(req), req.params.id),
  );

  r.post(
    '/api/orders/:id/refund',
    {
      schema: {
        tags,
        summary:
          'Request refund (S1.12–S1.14): cancels the order and the payment together. 200 when done; 202 with the order still refund_pending when the payment company takes longer (follow GET /api/orders/{id}); repeating it follows the same refund',
        params: Id,
        response: { 200: OrderView, 202: OrderView, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const order = await deps.orders.refund(await buyer(req), req.params.id);
      return reply.status(order.status === 'refunded' ? 200 : 202).send(order);
    },
  );

  r.get(
    '/api/library',
    {
      schema: {
        tags,
        summary: 'Your library: games you bought and gifts you accepted (S1.15, S2.11)',
        response: { 200: Type.Array(LibraryEntry), 401: ErrorBody },
      },
    },
    async (req) => deps.orders.library(await buyer(req)),
  );

  r.post(
    '/api/library/:gameId/download',
    {
      schema: {
        tags,
        summary: 'A signed download link valid for 10 minutes, from the release day (S1.15)',
        params: Type.Object({ gameId: Type.String() }),
        response: { 200: DownloadLink, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => deps.orders.downloadLink(await buyer(req), req.params.gameId),
  );

  r.get(
    '/api/downloads/:token',
    {
      schema: {
        tags,
        summary: 'Download a game build with a signed link',
        params: Type.Object({ token: Type.String({ maxLength: 1000 }) }),
      },
    },
    async (req, reply) => {
      const file = await deps.orders.download(req.params.token);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .send(file.body);
    },
  );

  // PG webhooks: verify the signature on the raw body, record the event once (duplicates and late
  // redeliveries are no-ops), wake the saga that waits for it, and acknowledge at once.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post('/api/payments/webhooks/paysim', { schema: { hide: true } }, async (req, reply) => {
      let event;
      try {
        event = deps.gateway.parseWebhook(String(req.body), req.headers);
      } catch {
        throw orderError(400, 'invalid_webhook');
      }
      // Before recording: if this fails, the PG redelivers and it is tried again.
      if (event.type === 'payment.captured') await deps.onCaptured?.({ ...event.payment, orderRef: event.orderRef });
      await deps.store.recordEvent({ event_id: event.id, payment_id: event.payment.id, type: event.type }, deps.now());
      deps.signals.notify(event.payment.id);
      return reply.status(200).send({ received: true });
    });
  });
}
