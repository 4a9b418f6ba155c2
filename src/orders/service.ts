import { createHash } from 'node:crypto';
import { signJson, verifyJson } from '../platform/signed.ts';
import { AppError, notFound } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import { isUuid } from '../platform/ids.ts';
import type { SagaOutcome } from '../platform/workflows.ts';
import { etagOf } from '../platform/http/etag.ts';
import type { CatalogService, Shopper } from '../catalog/service.ts';
import type { PointsService } from '../points/service.ts';
import type { PromotionService } from '../promotions/service.ts';
import type { PaymentMethodCatalogue } from '../payments/methods.ts';
import type { CartContext, PreorderContext, Purchase, RefundContext } from './sagas.ts';
import type { OrderRow, OrderStore } from './store.ts';
import { refundable, REFUND_WINDOW_DAYS } from './refund-policy.ts';
import { failureText, orderError } from './errors.ts';
import { chargeUrls } from '../payments/gateway.ts';
import { decide } from '../regions/policy.ts';
import type { RegionGate } from '../regions/gate.ts';
import type { CheckoutQuote, LibraryEntry, OrderView, PlaceOrder, RefundPreview } from './schemas.ts';

/** What a checkout asks for, buying or gifting. */
export type CheckoutRequest = Pick<PlaceOrder, 'gameId' | 'editionId' | 'pointsToUse' | 'paymentMethod' | 'coupon' | 'quoteToken'>;

type GameFacts = Awaited<ReturnType<CatalogService['facts']>>;

export interface Buyer {
  userId: string;
  email: string;
  shopper: Shopper;
}

/** The waiting room's gate (R6): while one is on for a game, an order needs the buyer's admission, used once. */
export interface AdmissionGate {
  admit(q: { gameId: string; userId: string; orderId: string; admission?: string }): Promise<void>;
}

/** Starts sagas under a deterministic id: the same id twice is one saga. */
export interface SagaStarter {
  preorder(workflowId: string, input: PreorderContext): Promise<unknown>;
  cart(workflowId: string, input: CartContext): Promise<unknown>;
  refund(
    workflowId: string,
    input: RefundContext,
  ): Promise<{
    getResult(): Promise<SagaOutcome<RefundContext>>;
    /** True once a step is parked for an operator (the PG refused outright); false after `ms`. */
    parkedWithin(ms: number, signal?: AbortSignal): Promise<boolean>;
  }>;
}

/** A UUID derived from the buyer and their Idempotency-Key: a retried request lands on the same order. */
export function orderIdFor(userId: string, key: string): string {
  const h = createHash('sha256').update(`${userId}\u0000${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function requireIdempotencyKey(key: string | undefined): string {
  if (!key || !/^[\w-]{8,100}$/.test(key)) {
    throw orderError(400, 'idempotency_key_required');
  }
  return key;
}

/** What a checkout saga (pre-order, purchase or gift) is told about what is bought and how it is paid. */
export function purchaseOf(
  idempotencyKey: string,
  req: { gameId: string; pointsToUse: number; paymentMethod: string },
  quote: CheckoutQuote,
  paidMinor: number,
  redemptions: NonNullable<Purchase['redemptions']>,
): Purchase {
  return {
    idempotencyKey,
    gameId: req.gameId,
    editionId: quote.editionId,
    gameTitle: quote.title,
    kind: quote.kind,
    currency: quote.price.currency,
    listMinor: quote.listPrice.amountMinor,
    discountMinor: quote.discount.amountMinor,
    priceMinor: quote.price.amountMinor,
    pointsUsed: req.pointsToUse,
    paidMinor,
    paymentMethod: req.paymentMethod,
    ...(redemptions.length ? { redemptions } : {}),
  };
}

export class OrderService {
  constructor(
    private readonly d: {
      orders: OrderStore;
      catalog: CatalogService;
      points: PointsService;
      promotions: PromotionService;
      methods: PaymentMethodCatalogue;
      sagas: SagaStarter;
      regions: RegionGate;
      admission: AdmissionGate;
      clock: Clock;
      downloadSecret: string;
      publicUrl: string;
      /** How long a refund request waits for its saga before answering with the order as it stands. */
      refundWaitMs?: number;
    },
  ) {}

  /**
   * S1.5–S1.8: what the checkout page shows. The region policy (R12) decides first — by residence, and by the
   * request's country per the game's setting — and refuses with 403 and its reason (recorded for operators).
   */
  async quote(buyer: Buyer, gameId: string, editionId?: string, action: 'buy' | 'gift' = 'buy', coupon?: string): Promise<CheckoutQuote> {
    return (await this.priced(buyer, gameId, editionId, action, coupon)).quote;
  }

  /**
   * The checkout quote, and the redemptions its price depends on (the saga counts them). `basket`: the other games
   * of the same checkout (a cart), which count towards bundles.
   */
  async priced(
    buyer: Buyer,
    gameId: string,
    editionId: string | undefined,
    action: 'buy' | 'gift',
    coupon?: string,
    basket: readonly string[] = [],
  ) {
    // Read in parallel; the region decision is judged (and a refusal recorded) before the price's own refusal.
    const [facts, quoted] = await Promise.all([
      this.d.catalog.facts(gameId, buyer.shopper.language),
      this.d.catalog.priceItem(gameId, editionId, buyer.shopper, action).then(
        (q) => ({ q }),
        (err: unknown) => ({ err }),
      ),
    ]);
    const region = await this.d.regions.check(
      action,
      facts.regions,
      { userId: buyer.userId, residence: buyer.shopper.country, ipCountry: buyer.shopper.ipCountry },
      gameId,
    );
    if ('err' in quoted) throw quoted.err;
    const q = quoted.q.quote;
    const priced = await this.d.promotions.quote({
      userId: buyer.userId,
      item: quoted.q.item,
      country: buyer.shopper.country,
      action,
      coupon,
      basket,
    });
    const signed = this.d.promotions.sign({
      userId: buyer.userId,
      gameId,
      editionId: q.editionId,
      action,
      list: priced.list,
      price: priced.price,
      redemptions: priced.redemptions,
      ...(basket.length ? { basket: [...basket].sort() } : {}),
    });
    const wallets = await this.d.points.wallets(buyer.userId);
    const pts = { balance: Number(wallets.find((w) => w.currency === q.price.currency)?.balance ?? 0) };
    const elsewhere = wallets
      .filter((w) => w.currency !== q.price.currency && Number(w.balance) > 0)
      .map((w) => ({ currency: w.currency, balance: Number(w.balance) }));
    const usable = Math.min(pts.balance, priced.price.amountMinor);
    const quote: CheckoutQuote = {
      gameId,
      editionId: q.editionId,
      title: facts.title,
      kind: facts.released ? 'purchase' : 'preorder',
      listPrice: priced.list,
      discountPercent: priced.percentOff,
      discount: priced.discount,
      price: priced.price,
      promotions: priced.applied.map((a) => ({ id: a.id, name: a.name, off: a.off })),
      offerEndsAt: priced.endsAt?.toISOString() ?? null,
      ...(priced.coupon ? { coupon: priced.coupon } : {}),
      quoteToken: signed.token,
      quoteExpiresAt: signed.expiresAt,
      points: { balance: pts.balance, usable, elsewhere },
      pointsEarnRatePercent: this.d.points.earnRatePercent,
      paymentMethods: this.d.methods.choicesFor(buyer.shopper.country),
      ...(region.warning ? { regionWarning: region.warning.text(buyer.shopper.language) } : {}),
    };
    return { quote, redemptions: priced.redemptions };
  }

  /**
   * The checkout's price, for buying and for gifting alike (one set of checks: region, price, promotions). A quote
   * token the buyer accepted is honoured while it is valid (S1.5: the price shown is the price charged), even if a
   * promotion ended meanwhile; a lower price now wins. A budget or coupon the price depends on is counted by the
   * saga's placing step (and refuses the order when used up).
   */
  async checkoutPrice(buyer: Buyer, req: CheckoutRequest, action: 'buy' | 'gift', basket: readonly string[] = []) {
    const now = await this.priced(buyer, req.gameId, req.editionId, action, req.coupon, basket);
    const promised = this.d.promotions.verify(req.quoteToken, { userId: buyer.userId, gameId: req.gameId, action, basket });
    const honour =
      promised &&
      promised.editionId === now.quote.editionId &&
      promised.price.currency === now.quote.price.currency &&
      promised.price.amountMinor < now.quote.price.amountMinor;
    if (!honour) return now;
    const q = now.quote;
    const usable = Math.min(q.points.balance, promised.price.amountMinor);
    return {
      quote: {
        ...q,
        listPrice: promised.list,
        price: promised.price,
        discount: { amountMinor: promised.list.amountMinor - promised.price.amountMinor, currency: promised.list.currency },
        points: { ...q.points, usable },
      },
      redemptions: promised.redemptions,
    };
  }

  /**
   * The checkout's payment, for buying and for gifting alike: a method offered in the buyer's country, points they
   * have (at most the price). Returns what the payment method is charged.
   */
  checkPayment(
    buyer: Buyer,
    req: CheckoutRequest,
    quote: CheckoutQuote,
    tooManyPoints: (v: { usable: number; balance: number }) => Error = (v) => orderError(409, 'insufficient_points', v),
  ): number {
    if (!this.d.methods.offered(req.paymentMethod, buyer.shopper.country)) {
      throw orderError(400, 'payment_method_not_offered', {
        method: req.paymentMethod,
        methods: quote.paymentMethods.map((m) => m.id).join(', '),
      });
    }
    if (req.pointsToUse > quote.points.usable) throw tooManyPoints({ usable: quote.points.usable, balance: quote.points.balance });
    return quote.price.amountMinor - req.pointsToUse;
  }

  /**
   * S1.3–S1.9: checks everything that has no side effect, then starts the pre-order saga. Answers at once;
   * the order's page follows it (and sends the buyer to the wallet's approval page when there is one).
   */
  async place(buyer: Buyer, idempotencyKey: string | undefined, req: PlaceOrder): Promise<OrderView> {
    const key = requireIdempotencyKey(idempotencyKey);
    const orderId = orderIdFor(buyer.userId, key);
    const { self, live, owned } = await this.d.orders.standing(orderId, buyer.userId, req.gameId);
    if (self) return this.view(self, buyer.shopper.language);

    const { quote, redemptions } = await this.checkoutPrice(buyer, req, 'buy');
    if (live) throw orderError(409, 'already_owned.order');
    // Owned without an order of one's own: a gift that was accepted.
    if (owned) throw orderError(409, 'already_owned.library');
    const paidMinor = this.checkPayment(buyer, req, quote);
    // Last before the saga: an admission is used only by an order that passed every other check.
    await this.admit({ gameId: req.gameId, userId: buyer.userId, orderId, admission: req.admission });
    // The saga's first step runs on this node and signals the order when it commits (placed, or refused with the
    // reason): listened for before the saga starts, so the answer reads the order once, when it is there.
    const written = this.d.orders.changes.next(orderId, 2000);
    await this.d.sagas
      .preorder(`preorder-game:${orderId}`, {
        ...purchaseOf(key, req, quote, paidMinor, redemptions),
        orderId,
        userId: buyer.userId,
        email: buyer.email,
        language: buyer.shopper.language,
        storeCountry: buyer.shopper.country,
        ...chargeUrls(this.d.publicUrl, `/orders/${orderId}`),
      })
      .catch((err: unknown) => {
        written.cancel();
        throw err;
      });
    await written.fired;
    const row = await this.d.orders.byId(orderId);
    return row ? this.view(row, buyer.shopper.language) : this.pendingView(orderId, req, quote, paidMinor);
  }

  /** The waiting room's gate, for every checkout (purchases here, gifts in their context). */
  admit(q: { gameId: string; userId: string; orderId: string; admission?: string }): Promise<void> {
    return this.d.admission.admit(q);
  }

  private pendingView(orderId: string, req: PlaceOrder, q: CheckoutQuote, paidMinor: number): OrderView {
    return {
      id: orderId,
      gameId: req.gameId,
      title: q.title,
      kind: q.kind,
      status: 'pending',
      price: q.price,
      discount: q.discount,
      pointsUsed: req.pointsToUse,
      paid: { amountMinor: paidMinor, currency: q.price.currency },
      pointsEarned: 0,
      paymentMethod: req.paymentMethod,
      paymentMethodName: this.d.methods.nameOf(req.paymentMethod),
      releaseDate: null,
      approvalUrl: null,
      approvalExpiresAt: null,
      failure: null,
      refunded: null,
      refundable: false,
      downloadable: false,
      createdAt: this.d.clock.now().toISOString(),
    };
  }

  private async owned(buyer: Buyer, orderId: string): Promise<OrderRow> {
    const o = isUuid(orderId) ? await this.d.orders.byId(orderId) : undefined;
    if (!o || o.user_id !== buyer.userId) throw notFound({ en: 'This order', ko: '이 주문', ja: 'この注文' }, 'order_not_found');
    return o;
  }

  /**
   * One order. With `follow`, a long poll: the caller has the version `etag` and waits up to `waitSeconds` for
   * another — the order changed status, a wallet's approval link appeared — answered as soon as it exists: one
   * request where a page would otherwise ask several times a second.
   */
  async get(buyer: Buyer, orderId: string, follow?: { etag: string; waitSeconds: number }): Promise<OrderView> {
    const read = async () => this.view(await this.owned(buyer, orderId), buyer.shopper.language);
    if (!follow) return read();
    return this.d.orders.changes.until(orderId, read, (v) => etagOf(v) !== follow.etag, follow.waitSeconds * 1000);
  }

  /**
   * S1.11 / S1.13: the purchase list holds the games bought or pre-ordered and not refunded (and orders
   * still being paid); with `history`, cancelled and refunded orders too.
   */
  async list(buyer: Buyer, history = false): Promise<OrderView[]> {
    const rows = (await this.d.orders.listForUser(buyer.userId)).filter(
      (r) => history || r.status === 'pending' || r.status === 'paid' || r.status === 'refund_pending',
    );
    // One catalog lookup per game, not per order.
    const games = new Map(
      await Promise.all(
        [...new Set(rows.map((r) => r.game_id))].map(async (id) => [id, await this.d.catalog.facts(id, buyer.shopper.language)] as const),
      ),
    );
    return Promise.all(rows.map((r) => this.view(r, buyer.shopper.language, games.get(r.game_id))));
  }

  async refundPreview(buyer: Buyer, orderId: string): Promise<RefundPreview> {
    const o = await this.owned(buyer, orderId);
    const facts = await this.d.catalog.facts(o.game_id);
    const rule = o.gift
      ? { refundable: false as const, code: 'gift_order' as const }
      : refundable({ status: o.status, createdAt: o.created_at }, facts.releaseDate, this.d.clock.now());
    const { balance } = await this.d.points.balance(buyer.userId, o.currency);
    const takeBack = Math.min(o.points_earned, balance);
    const shortfall = o.points_earned - takeBack;
    return {
      refundable: rule.refundable,
      ...(rule.refundable ? {} : { reason: orderError(409, rule.code, { days: REFUND_WINDOW_DAYS }).in(buyer.shopper.language) }),
      refund: { amountMinor: o.paid_minor - shortfall, currency: o.currency },
      pointsReturned: o.points_used,
      pointsTakenBack: takeBack,
      pointsShortfall: shortfall,
    };
  }

  /**
   * S1.12–S1.14: starts the refund saga, or follows the one already running for this order, and waits for it a
   * bounded time (`refundWaitMs`): a refund the PG is slow with, or one parked for an operator, answers with the
   * order as it stands (`refund_pending`) instead of holding the request. Each attempt is its own saga
   * (`refund-order:<id>:<attempt>`): a refused attempt puts the order back to paid and the next request starts anew.
   */
  async refund(buyer: Buyer, orderId: string): Promise<OrderView> {
    const o = await this.owned(buyer, orderId);
    if (o.gift) throw orderError(409, 'gift_order');
    const facts = await this.d.catalog.facts(o.game_id, buyer.shopper.language);
    if (o.status !== 'refund_pending' && o.status !== 'refunded') {
      const rule = refundable({ status: o.status, createdAt: o.created_at }, facts.releaseDate, this.d.clock.now());
      if (!rule.refundable) throw orderError(409, rule.code, { days: REFUND_WINDOW_DAYS });
    }
    const handle = await this.d.sagas.refund(`refund-order:${o.id}:${o.refund_attempts}`, {
      orderId: o.id,
      userId: o.user_id,
      email: buyer.email,
      language: buyer.shopper.language,
      gameTitle: facts.title,
      currency: o.currency,
      paidMinor: o.paid_minor,
      pointsUsed: o.points_used,
      pointsEarned: o.points_earned,
      paymentId: o.payment_id,
    });
    // Answered when the saga ends, when it is parked for an operator (nothing will change until one acts), or at the
    // latest after refundWaitMs — with the order as it stands.
    const waiting = new AbortController();
    const outcome = await Promise.race([
      handle.getResult(),
      handle.parkedWithin(this.d.refundWaitMs ?? 10_000, waiting.signal).then(() => undefined),
    ]).finally(() => waiting.abort());
    if (outcome?.status === 'compensated') {
      const { code, message } = outcome;
      throw new AppError(409, code, message, undefined, (language) => failureText(language, code, message));
    }
    return this.view(await this.owned(buyer, orderId), buyer.shopper.language, facts);
  }

  /** S1.15, S2.11: the games the player owns — bought, or received as a gift — with whether they can be downloaded. */
  async library(buyer: Buyer): Promise<LibraryEntry[]> {
    const rows = await this.d.orders.libraryOf(buyer.userId);
    return Promise.all(
      rows.map(async (r) => {
        const facts = await this.d.catalog.facts(r.game_id, buyer.shopper.language);
        return {
          gameId: r.game_id,
          slug: facts.slug,
          title: facts.title,
          acquiredAt: r.acquired_at.toISOString(),
          source: r.gift ? ('gift' as const) : ('purchase' as const),
          orderId: r.bought_by === buyer.userId ? r.order_id : null,
          releaseDate: facts.releaseDate,
          downloadable:
            facts.released &&
            decide('download', facts.regions, { residence: buyer.shopper.country, ipCountry: buyer.shopper.ipCountry }).allowed,
        };
      }),
    );
  }

  /** S1.15: a signed link, valid for 10 minutes, once the game is released and where it may be played. */
  async downloadLink(buyer: Buyer, gameId: string): Promise<{ url: string; expiresAt: string }> {
    if (!isUuid(gameId) || !(await this.d.orders.owns(buyer.userId, gameId)))
      throw notFound({ en: 'This game in your library', ko: '라이브러리의 이 게임', ja: 'ライブラリのこのゲーム' }, 'not_owned');
    const facts = await this.d.catalog.facts(gameId);
    if (!facts.released)
      throw facts.releaseDate ? orderError(409, 'not_released.date', { date: facts.releaseDate }) : orderError(409, 'not_released.tba');
    await this.d.regions.check(
      'download',
      facts.regions,
      { userId: buyer.userId, residence: buyer.shopper.country, ipCountry: buyer.shopper.ipCountry },
      gameId,
    );
    const exp = this.d.clock.now().getTime() + 10 * 60_000;
    return {
      url: `/api/downloads/${signJson(this.d.downloadSecret, { u: buyer.userId, g: gameId, exp })}`,
      expiresAt: new Date(exp).toISOString(),
    };
  }

  /** Checks a download token; returns the build to stream. */
  async download(token: string): Promise<{ filename: string; body: Buffer }> {
    const link = verifyJson<{ u: string; g: string; exp: number }>(this.d.downloadSecret, token);
    if (!link) throw orderError(403, 'invalid_download_link');
    const { u, g, exp } = link;
    if (this.d.clock.now().getTime() > exp) throw orderError(410, 'download_link_expired');
    if (!(await this.d.orders.owns(u, g))) throw orderError(403, 'not_owned');
    const facts = await this.d.catalog.facts(g);
    // The build is a small generated file in this demo store; a real one streams from object storage / a CDN.
    const body = Buffer.from(`GAME BUILD\ngame: ${facts.title}\nlicensed to: ${u}\n${'#'.repeat(4096)}\n`);
    return { filename: `${facts.slug}.bin`, body };
  }

  /** An order as its buyer sees it. */
  async view(o: OrderRow, language: string, known?: GameFacts): Promise<OrderView> {
    const facts = known ?? (await this.d.catalog.facts(o.game_id, language));
    const rule = o.gift
      ? { refundable: false }
      : refundable({ status: o.status, createdAt: o.created_at }, facts.releaseDate, this.d.clock.now());
    const money = (amountMinor: number) => ({ amountMinor, currency: o.currency });
    return {
      id: o.id,
      gameId: o.game_id,
      title: facts.title,
      kind: o.kind,
      status: o.status,
      price: money(o.price_minor),
      discount: money(o.discount_minor),
      pointsUsed: o.points_used,
      paid: money(o.paid_minor),
      pointsEarned: o.points_earned,
      paymentMethod: o.payment_method,
      paymentMethodName: this.d.methods.nameOf(o.payment_method),
      releaseDate: facts.releaseDate,
      approvalUrl: o.status === 'pending' ? o.approval_url : null,
      approvalExpiresAt: o.status === 'pending' || o.status === 'cancelled' ? (o.approval_expires_at?.toISOString() ?? null) : null,
      failure: o.failure_code ? { code: o.failure_code, message: failureText(language, o.failure_code, o.failure_message ?? '') } : null,
      refunded: o.refunded_minor === null ? null : money(o.refunded_minor),
      refundable: rule.refundable,
      downloadable: o.status === 'paid' && facts.released && !o.gift,
      createdAt: o.created_at.toISOString(),
    };
  }
}
