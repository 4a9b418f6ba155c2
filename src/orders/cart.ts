import { AppError, notFound } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import { isUuid } from '../platform/ids.ts';
import { etagOf } from '../platform/http/etag.ts';
import type { Money } from '../platform/money.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { PaymentMethodCatalogue } from '../payments/methods.ts';
import { chargeUrls } from '../payments/gateway.ts';
import type { PointsService } from '../points/service.ts';
import { orderError, failureText } from './errors.ts';
import type { CartContext, CartLine } from './sagas.ts';
import type { CartCheckout, CartLineView, CartView, CheckoutView } from './schemas.ts';
import { orderIdFor, requireIdempotencyKey, type Buyer, type OrderService, type SagaStarter } from './service.ts';
import { CART_LIMIT, type OrderRow, type OrderStore } from './store.ts';

/** A game of the cart that cannot be bought now, and why (in the buyer's language). */
export interface Unavailable {
  gameId: string;
  title: string;
  code: string;
  message: string;
}

/**
 * Splits `points` over prices in proportion (largest remainder), never more than a price: each game's order records
 * its own share, so refunding one game returns exactly its points. `points` is at most the sum.
 */
export function allocate(points: number, prices: readonly number[]): number[] {
  const total = prices.reduce((a, b) => a + b, 0);
  if (points <= 0 || total <= 0) return prices.map(() => 0);
  const exact = prices.map((p) => (points * p) / total);
  const shares = exact.map(Math.floor);
  let left = points - shares.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left <= 0) break;
    if (shares[i]! < prices[i]!) {
      shares[i]!++;
      left--;
    }
  }
  return shares;
}

/** A game of the cart priced (with what its price redeems and what became of the coupon), or why it cannot be bought. */
type PricedLine =
  { line: CartLineView; redemptions: NonNullable<CartLine['redemptions']>; coupon?: CartView['coupon'] } | { unavailable: Unavailable };

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The cart (R5): games put aside and bought in one checkout with one payment — which is what makes a bundle ("buy
 * these 2, 15 % off each") a single purchase. Each game is priced with the others of the cart in its basket (they
 * count towards bundles as games owned do), with the same checks as buying it alone (region, price, promotions,
 * signed quotes: orders/service.ts). The checkout places one order per game (each refundable on its own) under one
 * checkout id, the PG's order reference of the one payment (flows/buy-cart.ts).
 */
export class CartService {
  constructor(
    private readonly d: {
      orders: OrderStore;
      checkout: OrderService;
      catalog: CatalogService;
      points: PointsService;
      methods: PaymentMethodCatalogue;
      sagas: SagaStarter;
      clock: Clock;
      publicUrl: string;
    },
  ) {}

  /** Puts a game in the cart once its checkout would price it for this buyer (published, sold where they are). */
  async add(buyer: Buyer, gameId: string, editionId?: string): Promise<CartView> {
    await this.d.checkout.quote(buyer, gameId, editionId);
    const has = await this.d.orders.having(buyer.userId, [gameId]);
    if (has.get(gameId) === 'library') throw orderError(409, 'already_owned.library');
    if (has.get(gameId) === 'order') throw orderError(409, 'already_owned.order');
    if (!(await this.d.orders.addToCart(buyer.userId, gameId, editionId ?? null, this.d.clock.now())))
      throw orderError(409, 'cart_full', { limit: CART_LIMIT });
    return this.view(buyer);
  }

  /** The games in the cart, unpriced (one query). */
  async items(buyer: Buyer): Promise<{ gameIds: string[] }> {
    return { gameIds: (await this.d.orders.cart(buyer.userId)).map((i) => i.game_id) };
  }

  async remove(buyer: Buyer, gameId: string): Promise<CartView> {
    if (isUuid(gameId)) await this.d.orders.removeFromCart(buyer.userId, gameId);
    return this.view(buyer);
  }

  /** The cart as the checkout would charge it now: each game's price with the others in its basket. */
  async view(buyer: Buyer, coupon?: string): Promise<CartView> {
    const { lines, unavailable, coupons } = await this.priced(buyer, coupon);
    const currencies = [...new Set(lines.map((l) => l.price.currency))];
    const one = currencies.length === 1 ? currencies[0]! : undefined;
    const money = (pick: (l: CartLineView) => Money) =>
      one ? { amountMinor: sum(lines.map((l) => pick(l).amountMinor)), currency: one } : null;
    const total = money((l) => l.price);
    const balance = one ? (await this.d.points.balance(buyer.userId, one)).balance : 0;
    return {
      items: lines,
      unavailable,
      listTotal: money((l) => l.listPrice),
      total,
      savings: money((l) => l.discount),
      currencies,
      ...(coupons ? { coupon: coupons } : {}),
      points: { balance, usable: Math.min(balance, total?.amountMinor ?? 0) },
      pointsEarnRatePercent: this.d.points.earnRatePercent,
      paymentMethods: this.d.methods.choicesFor(buyer.shopper.country),
    };
  }

  /** Every game of the cart priced for the checkout (or why it cannot be bought), with the redemptions of each price. */
  private async priced(buyer: Buyer, coupon?: string, tokens: Record<string, string> = {}) {
    const items = await this.d.orders.cart(buyer.userId);
    const ids = items.map((i) => i.game_id);
    const has = await this.d.orders.having(buyer.userId, ids);
    const price = (item: (typeof items)[number], coupon: string | undefined) =>
      this.line(buyer, item, ids, has, coupon, tokens[item.game_id]);
    const results = await Promise.all(items.map((item) => price(item, coupon)));
    // A coupon is one use per checkout (as on Steam: one item): the first game it discounts keeps it, the others are
    // priced without it — so a single-use code never refuses a cart of two games it could discount.
    const first = results.findIndex((r) => 'line' in r && r.coupon?.status === 'applied');
    for (let i = first + 1; first >= 0 && i < results.length; i++) {
      const r = results[i]!;
      if ('line' in r && r.coupon?.status === 'applied') results[i] = await price(items[i]!, undefined);
    }
    const lines: CartLineView[] = [];
    const redemptions = new Map<string, NonNullable<CartLine['redemptions']>>();
    const unavailable: Unavailable[] = [];
    let coupons: CartView['coupon'];
    for (const r of results) {
      if ('line' in r) {
        lines.push(r.line);
        if (r.redemptions.length) redemptions.set(r.line.gameId, r.redemptions);
        // The cart's coupon: applied if any game took it, else what the first game said of it.
        if (r.coupon && (!coupons || r.coupon.status === 'applied')) coupons = r.coupon;
      } else unavailable.push(r.unavailable);
    }
    return { lines, unavailable, redemptions, coupons };
  }

  /** One game of the cart priced with the others in its basket, or why it cannot be bought. */
  private async line(
    buyer: Buyer,
    item: { game_id: string; edition_id: string | null },
    ids: readonly string[],
    has: Map<string, 'library' | 'order'>,
    coupon: string | undefined,
    quoteToken: string | undefined,
  ): Promise<PricedLine> {
    const language = buyer.shopper.language;
    const basket = ids.filter((g) => g !== item.game_id);
    try {
      const [facts, { quote: q, redemptions }] = await Promise.all([
        this.d.catalog.facts(item.game_id, language),
        this.d.checkout.checkoutPrice(
          buyer,
          {
            gameId: item.game_id,
            editionId: item.edition_id ?? undefined,
            coupon,
            quoteToken,
            pointsToUse: 0,
            paymentMethod: '',
          },
          'buy',
          basket,
        ),
      ]);
      const owned = has.get(item.game_id);
      if (owned) {
        const e = orderError(409, owned === 'library' ? 'already_owned.library' : 'already_owned.order');
        return { unavailable: { gameId: item.game_id, title: facts.title, code: e.code, message: e.in(language) } };
      }
      const line: CartLineView = {
        gameId: item.game_id,
        editionId: q.editionId,
        slug: facts.slug,
        title: q.title,
        kind: q.kind,
        listPrice: q.listPrice,
        discountPercent: q.discountPercent,
        discount: q.discount,
        price: q.price,
        promotions: q.promotions,
        offerEndsAt: q.offerEndsAt,
        quoteToken: q.quoteToken,
      };
      return { line, redemptions, coupon: q.coupon };
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const title = await this.d.catalog.facts(item.game_id, language).then(
        (f) => f.title,
        () => '',
      );
      return { unavailable: { gameId: item.game_id, title, code: err.code, message: err.in(language) } };
    }
  }

  /**
   * Buys the cart: checks everything that has no side effect — the cart is the one the buyer saw, every game can be
   * bought, one currency, a payment method of their country, points they have — then starts the buy-cart saga and
   * answers once its first step placed (or refused) the orders.
   */
  async checkout(buyer: Buyer, idempotencyKey: string | undefined, req: CartCheckout): Promise<CheckoutView> {
    const key = requireIdempotencyKey(idempotencyKey);
    const checkoutId = orderIdFor(buyer.userId, `cart:${key}`);
    const language = buyer.shopper.language;
    const existing = await this.d.orders.byCheckout(checkoutId);
    if (existing.length) return this.viewOf(checkoutId, existing, language);

    const { lines, unavailable, redemptions } = await this.priced(buyer, req.coupon, req.quoteTokens);
    if (!lines.length && !unavailable.length) throw orderError(409, 'cart_empty');
    const seen = [...new Set(req.games)].sort().join();
    if (
      seen !==
      [...lines, ...unavailable]
        .map((l) => l.gameId)
        .sort()
        .join()
    )
      throw orderError(409, 'cart_changed');
    const blocked = unavailable[0];
    if (blocked) throw orderError(409, 'cart_unavailable', { title: blocked.title, reason: blocked.message });
    const currencies = [...new Set(lines.map((l) => l.price.currency))];
    if (currencies.length > 1) {
      const counts = currencies.map((c) => [c, lines.filter((l) => l.price.currency === c).length] as const).sort((a, b) => a[1] - b[1]);
      throw orderError(409, 'cart_currencies', { currencies: currencies.join(', '), other: counts[0]![0] });
    }
    const currency = currencies[0]!;
    const prices = lines.map((l) => l.price.amountMinor);
    const total = sum(prices);
    if (!this.d.methods.offered(req.paymentMethod, buyer.shopper.country)) {
      throw orderError(400, 'payment_method_not_offered', {
        method: req.paymentMethod,
        methods: this.d.methods
          .forCountry(buyer.shopper.country)
          .map((m) => m.id)
          .join(', '),
      });
    }
    const { balance } = await this.d.points.balance(buyer.userId, currency);
    const usable = Math.min(balance, total);
    if (req.pointsToUse > usable) throw orderError(409, 'insufficient_points', { usable, balance });
    const points = allocate(req.pointsToUse, prices);
    const cartLines: CartLine[] = lines.map((l, i) => {
      const idempotencyKey = `cart:${key}:${String(i).padStart(2, '0')}`;
      const r = redemptions.get(l.gameId);
      return {
        orderId: orderIdFor(buyer.userId, idempotencyKey),
        idempotencyKey,
        gameId: l.gameId,
        editionId: l.editionId,
        gameTitle: l.title,
        kind: l.kind,
        listMinor: l.listPrice.amountMinor,
        discountMinor: l.discount.amountMinor,
        priceMinor: l.price.amountMinor,
        pointsUsed: points[i]!,
        paidMinor: l.price.amountMinor - points[i]!,
        ...(r ? { redemptions: r } : {}),
      };
    });
    // Last before the saga: an admission is used only by a checkout that passed every other check.
    for (const l of cartLines)
      await this.d.checkout.admit({ gameId: l.gameId, userId: buyer.userId, orderId: l.orderId, admission: req.admissions?.[l.gameId] });
    const input: CartContext = {
      checkoutId,
      userId: buyer.userId,
      email: buyer.email,
      language,
      storeCountry: buyer.shopper.country,
      currency,
      paymentMethod: req.paymentMethod,
      pointsUsed: req.pointsToUse,
      paidMinor: total - req.pointsToUse,
      lines: cartLines,
      ...chargeUrls(this.d.publicUrl, `/checkouts/${checkoutId}`),
    };
    await this.d.sagas.cart(`buy-cart:${checkoutId}`, input);
    // The answer describes the orders the saga's first step wrote (placed, or refused with the reason).
    const rows = await this.d.orders.changes.until(
      checkoutId,
      () => this.d.orders.byCheckout(checkoutId),
      (r) => r.length > 0,
      2000,
      200,
    );
    return rows.length ? this.viewOf(checkoutId, rows, language) : this.pendingView(input);
  }

  /**
   * One checkout of the buyer's. With `follow`, a long poll like an order's: answered as soon as it differs from the
   * version `etag`.
   */
  async get(buyer: Buyer, checkoutId: string, follow?: { etag: string; waitSeconds: number }): Promise<CheckoutView> {
    const read = async () => {
      const rows = isUuid(checkoutId) ? await this.d.orders.byCheckout(checkoutId) : [];
      if (!rows.length || rows[0]!.user_id !== buyer.userId)
        throw notFound({ en: 'This purchase', ko: '이 구매', ja: 'この購入' }, 'checkout_not_found');
      return this.viewOf(checkoutId, rows, buyer.shopper.language);
    };
    if (!follow) return read();
    return this.d.orders.changes.until(checkoutId, read, (v) => etagOf(v) !== follow.etag, follow.waitSeconds * 1000);
  }

  private async viewOf(id: string, rows: OrderRow[], language: string): Promise<CheckoutView> {
    const first = rows[0]!;
    const status = rows.some((r) => r.status === 'pending')
      ? 'pending'
      : rows.every((r) => r.status === 'cancelled')
        ? 'cancelled'
        : 'paid';
    const failed = rows.find((r) => r.failure_code);
    const money = (amountMinor: number) => ({ amountMinor, currency: first.currency });
    return {
      id,
      status,
      total: money(sum(rows.map((r) => r.price_minor))),
      pointsUsed: sum(rows.map((r) => r.points_used)),
      paid: money(sum(rows.map((r) => r.paid_minor))),
      paymentMethodName: this.d.methods.nameOf(first.payment_method),
      approvalUrl: status === 'pending' ? first.approval_url : null,
      approvalExpiresAt: status === 'pending' || status === 'cancelled' ? (first.approval_expires_at?.toISOString() ?? null) : null,
      failure:
        status === 'cancelled' && failed?.failure_code
          ? { code: failed.failure_code, message: failureText(language, failed.failure_code, failed.failure_message ?? '') }
          : null,
      orders: await Promise.all(rows.map((r) => this.d.checkout.view(r, language))),
      createdAt: first.created_at.toISOString(),
    };
  }

  /** Before the saga's first step wrote the orders (it answers within 2 s almost always). */
  private pendingView(c: CartContext): CheckoutView {
    const money = (amountMinor: number) => ({ amountMinor, currency: c.currency });
    return {
      id: c.checkoutId,
      status: 'pending',
      total: money(sum(c.lines.map((l) => l.priceMinor))),
      pointsUsed: c.pointsUsed,
      paid: money(c.paidMinor),
      paymentMethodName: this.d.methods.nameOf(c.paymentMethod),
      approvalUrl: null,
      approvalExpiresAt: null,
      failure: null,
      orders: [],
      createdAt: this.d.clock.now().toISOString(),
    };
  }
}
