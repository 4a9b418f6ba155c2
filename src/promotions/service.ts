import { randomBytes, randomUUID } from 'node:crypto';
import { signJson, verifyJson } from '../platform/signed.ts';
import { notFound } from '../platform/errors.ts';
import { promotionError } from './errors.ts';
import type { Clock } from '../platform/clock.ts';
import { isUuid } from '../platform/ids.ts';
import { isCurrency, type Money } from '../platform/money.ts';
import { isCountry, isTimeZone } from '../platform/countries.ts';
import { instantToZoned, zonedToInstant } from '../platform/zoned-time.ts';
import { compile, type BuyerFacts, type Item, type Priced, type Rule } from './rules.ts';
import type { LivePromotions } from './live.ts';
import type { SaleTargets } from '../catalog/service.ts';
import { toRule, type PromotionRow, type PromotionStore } from './store.ts';
import type { PricePreview, PreviewRequest, Promotion, PromotionDetail, PromotionInput } from './schemas.ts';

export type { Item as OfferItem, Priced } from './rules.ts';

export type { SaleTargets } from '../catalog/service.ts';

/** What the promotions context asks of the others, wired in its module.ts (it reads no other context's tables). */
export interface PromotionPorts {
  /** Account age, owned games and points of a buyer: for segments and bundles. */
  buyerFacts(userId: string): Promise<BuyerFacts>;
  /** Which of these ids are games of the catalogue (a promotion naming a game that does not exist is refused). */
  existingGames(ids: string[]): Promise<Set<string>>;
  /** A game as the engine sees it, priced for a country (the console's preview). */
  itemFor(gameId: string, editionId: string | undefined, country: string, currency: string | undefined): Promise<Item>;
  /** How the audit trail names who changed a promotion: name and email per operator id. */
  people(ids: string[]): Promise<{ id: string; name: string; email: string }[]>;
}

export type CouponStatus = 'applied' | 'unknown' | 'used_up' | 'not_applicable' | 'unavailable';

/** A priced checkout: what the quote shows, and what the checkout saga must redeem (budgets, coupons). */
export interface PromotionQuote extends Priced {
  coupon?: { code: string; status: CouponStatus };
  redemptions: { id: string; budget: number | null; couponCode?: string }[];
}

/** The fields a signed quote promises (S1.5: the price shown is the price charged). */
export interface QuotePromise {
  userId: string;
  gameId: string;
  editionId: string;
  action: 'buy' | 'gift';
  list: Money;
  price: Money;
  redemptions: PromotionQuote['redemptions'];
  /** A cart's quote: the other games of the cart, sorted (a bundle's price holds only with them). */
  basket?: string[];
  expiresAt: string;
}

const normalizeCode = (code: string) => code.trim().toUpperCase();
export class PromotionService {
  constructor(
    private readonly d: {
      store: PromotionStore;
      live: LivePromotions;
      clock: Clock;
      ports: PromotionPorts;
      /** Signs quotes; derived from AUTH_SECRET. */
      quoteSecret: string;
      /** How long a quoted price is honoured at checkout. */
      quoteTtlMs: number;
    },
  ) {}

  get version(): number {
    return this.d.live.rules.version;
  }

  health() {
    return this.d.live.health();
  }

  /**
   * The storefront's price (cards, game page): synchronous, from the rules in memory, never waiting on the
   * database. Public promotions only: no coupons; segments need a buyer and are priced at checkout.
   */
  offer(item: Item, country: string): Priced {
    return this.d.live.rules.price(item, { country, at: this.d.clock.now() });
  }

  /** Which prices `offer` gives now: the same for the same version until `until` (epoch ms), when a rule starts or ends. */
  epoch(): { version: number; until: number } {
    const rules = this.d.live.rules;
    return { version: rules.version, until: rules.nextChange(this.d.clock.now()) };
  }

  /**
   * What the public promotions live now in a country name, for the sale page (each card is then priced through
   * `offer`, so a target listed here that does not discount a game leaves it out). Coupon, segment and bundle
   * promotions are personal: they show at checkout, not on the sale page.
   */
  saleTargets(country: string): SaleTargets {
    const t: SaleTargets = { everything: false, games: [], genres: [], tags: [], developers: [], publishers: [] };
    for (const r of this.d.live.rules.live(this.d.clock.now())) {
      const x = r.targets;
      if (r.couponRequired || x.segment || r.effect.kind === 'bundle' || x.editions) continue;
      if (x.countries && !x.countries.includes(country)) continue;
      const named = [x.games, x.genres, x.tags, x.developers, x.publishers].some((v) => v?.length);
      if (!named) t.everything = true;
      else if (x.games) t.games.push(...x.games);
      else if (x.genres) t.genres.push(...x.genres);
      else if (x.tags) t.tags.push(...x.tags);
      else if (x.developers) t.developers.push(...x.developers);
      else if (x.publishers) t.publishers.push(...x.publishers);
    }
    return t;
  }

  /**
   * Checkout's price for one buyer (S1.5–S1.7): public, segment and bundle promotions, and a coupon if one was
   * entered. Anything that fails on the way — the buyer facts, the coupon lookup — prices without it: nothing a
   * promotion does may fail a purchase (R5).
   */
  async quote(q: {
    userId: string;
    item: Item;
    country: string;
    action: 'buy' | 'gift';
    coupon?: string;
    /** The other games of the same checkout (a cart). */
    basket?: readonly string[];
  }): Promise<PromotionQuote> {
    const rules = this.d.live.rules;
    const buyer = rules.needsBuyer ? await this.d.ports.buyerFacts(q.userId).catch(() => undefined) : undefined;
    let coupon: PromotionQuote['coupon'];
    const coupons = new Set<string>();
    const code = q.coupon ? normalizeCode(q.coupon) : '';
    if (code) {
      const found = await this.d.store.coupon(code).then(
        (c) => c ?? ('unknown' as const),
        () => 'unavailable' as const,
      );
      if (typeof found === 'string') coupon = { code, status: found };
      else if (found.usesLeft <= 0) coupon = { code, status: 'used_up' };
      else coupons.add(found.promotionId);
    }
    // A gift is priced like a purchase: its saga counts budgets and coupons too (flows/send-gift.ts).
    const basket = q.basket?.length ? new Set(q.basket) : undefined;
    const priced = rules.price(q.item, { country: q.country, at: this.d.clock.now(), buyer, coupons, ...(basket ? { basket } : {}) });
    if (code && !coupon) {
      const hit = priced.applied.some((a) => a.couponRequired && coupons.has(a.id));
      coupon = { code, status: hit ? 'applied' : 'not_applicable' };
    }
    const redemptions = priced.applied
      .filter((a) => a.budget !== null || a.couponRequired)
      .map((a) => ({ id: a.id, budget: a.budget, ...(a.couponRequired ? { couponCode: code } : {}) }));
    return { ...priced, ...(coupon ? { coupon } : {}), redemptions };
  }

  // ---------- signed quotes: the price shown is the price charged ----------

  sign(p: Omit<QuotePromise, 'expiresAt'>): { token: string; expiresAt: string } {
    const expiresAt = new Date(this.d.clock.now().getTime() + this.d.quoteTtlMs).toISOString();
    return { token: signJson(this.d.quoteSecret, { ...p, expiresAt }), expiresAt };
  }

  /**
   * The promise a quote token carries, if it is genuine, unexpired and for this buyer, game and basket (a cart's
   * bundle price is not a price for the game alone); otherwise undefined.
   */
  verify(
    token: string | undefined,
    expect: { userId: string; gameId: string; action: 'buy' | 'gift'; basket?: readonly string[] },
  ): QuotePromise | undefined {
    const p = verifyJson<QuotePromise>(this.d.quoteSecret, token);
    if (!p) return undefined;
    if (p.userId !== expect.userId || p.gameId !== expect.gameId || p.action !== expect.action) return undefined;
    if ((p.basket ?? []).join() !== [...(expect.basket ?? [])].sort().join()) return undefined;
    if (Date.parse(p.expiresAt) <= this.d.clock.now().getTime()) return undefined;
    return p;
  }

  // ---------- the pre-order discount of a game (S1.6), one promotion per game ----------

  async preorderPercent(gameId: string): Promise<number | undefined> {
    const r = await this.d.store.bySystemKey(`preorder:${gameId}`);
    return r && r.status === 'active' && r.effect.kind === 'percent_off' ? r.effect.percent : undefined;
  }

  async setPreorderDiscount(gameId: string, percentOff: number, actorId: string | null = null): Promise<void> {
    const now = this.d.clock.now();
    await this.d.store.change(async (trx) => {
      const before = await this.d.store.bySystemKey(`preorder:${gameId}`, trx);
      const effect = { kind: 'percent_off' as const, percent: percentOff };
      const after = before
        ? await this.d.store.update(trx, before.id, { effect, status: 'active', version: before.version + 1, updated_at: now })
        : await this.d.store.insert(trx, {
            id: randomUUID(),
            name: 'Pre-order discount',
            system_key: `preorder:${gameId}`,
            effect,
            targets: { games: [gameId], preorderOnly: true },
            stacking: 'best',
            priority: 0,
            starts_at: new Date('2000-01-01T00:00:00Z'),
            ends_at: null,
            time_zone: 'UTC',
            status: 'active',
            coupon_required: false,
            budget: null,
            version: 1,
            created_by: actorId,
            created_at: now,
            updated_at: now,
          });
      await this.d.store.audit(trx, {
        promotionId: after.id,
        actorId,
        action: before ? 'update' : 'create',
        before: before ?? null,
        after,
        at: now,
      });
    });
  }

  async clearPreorderDiscount(gameId: string, actorId: string | null = null): Promise<void> {
    const now = this.d.clock.now();
    await this.d.store.change(async (trx) => {
      const before = await this.d.store.bySystemKey(`preorder:${gameId}`, trx);
      if (!before || before.status === 'ended') return;
      // Ended, not deleted: orders and the audit trail still refer to it; a new discount later reactivates it.
      const after = await this.d.store.update(trx, before.id, { status: 'ended', version: before.version + 1, updated_at: now });
      await this.d.store.audit(trx, { promotionId: before.id, actorId, action: 'end', before, after, at: now });
    });
  }

  // ---------- the console (R5): create, edit, pause, resume, end, preview, audit ----------

  async list(): Promise<Promotion[]> {
    const rows = await this.d.store.list();
    return rows.map((r) => this.view(r, r.used ?? 0));
  }

  async detail(id: string): Promise<PromotionDetail> {
    const row = isUuid(id) ? await this.d.store.byId(id) : undefined;
    if (!row || row.system_key)
      throw notFound({ en: 'This promotion', ko: '이 프로모션', ja: 'このプロモーション' }, 'promotion_not_found');
    const [used, coupons, audit] = await Promise.all([this.d.store.usage(id), this.d.store.couponsOf(id), this.d.store.auditOf(id)]);
    const actors = new Map(
      (await this.d.ports.people(audit.flatMap((a) => (a.actor_id ? [a.actor_id] : [])))).map((p) => [p.id, `${p.name} <${p.email}>`]),
    );
    return {
      ...this.view(row, used),
      coupons: coupons.map((c) => ({ code: c.code, maxUses: c.max_uses, uses: c.uses })),
      audit: audit.map((a) => ({
        action: a.action,
        actorId: a.actor_id,
        actor: a.actor_id ? (actors.get(a.actor_id) ?? null) : null,
        at: a.at.toISOString(),
        before: a.before,
        after: a.after,
      })),
    };
  }

  async create(input: PromotionInput, actorId: string): Promise<PromotionDetail> {
    const fields = await this.validate(input);
    const now = this.d.clock.now();
    const id = randomUUID();
    const codes = this.couponCodes(input);
    await this.d.store.change(async (trx) => {
      const row = await this.d.store.insert(trx, {
        id,
        ...fields,
        system_key: null,
        status: 'active',
        version: 1,
        created_by: actorId,
        created_at: now,
        updated_at: now,
      });
      if (codes.length && input.coupon) {
        const added = await this.d.store.addCoupons(trx, id, codes, input.coupon.maxUses, now);
        if (added.length !== codes.length) {
          const taken = codes.filter((c) => !added.some((a) => a.code === c));
          throw promotionError(409, 'coupon_code_taken', { codes: taken.slice(0, 10).join(', ') });
        }
      }
      await this.d.store.audit(trx, { promotionId: id, actorId, action: 'create', before: null, after: row, at: now });
    });
    return this.detail(id);
  }

  /** Replaces a promotion's definition (If-Match: its version). Coupons are added, never taken away. */
  async update(id: string, expectedVersion: number | undefined, input: PromotionInput, actorId: string): Promise<PromotionDetail> {
    const fields = await this.validate(input);
    const now = this.d.clock.now();
    const codes = this.couponCodes(input);
    await this.d.store.change(async (trx) => {
      const before = await this.editable(trx, id, expectedVersion);
      // A promotion that needs a coupon keeps needing one: an edit that does not send codes (the console changes the
      // percent) must not open a members-only offer to everyone. Opening it up is a new promotion, decided on purpose.
      const couponRequired = fields.coupon_required || before.coupon_required;
      const after = await this.d.store.update(trx, id, {
        ...fields,
        coupon_required: couponRequired,
        version: before.version + 1,
        updated_at: now,
      });
      if (codes.length && input.coupon) await this.d.store.addCoupons(trx, id, codes, input.coupon.maxUses, now);
      await this.d.store.audit(trx, { promotionId: id, actorId, action: 'update', before, after, at: now });
    });
    return this.detail(id);
  }

  async setStatus(id: string, action: 'pause' | 'resume' | 'end', actorId: string): Promise<PromotionDetail> {
    const now = this.d.clock.now();
    await this.d.store.change(async (trx) => {
      const before = await this.editable(trx, id, undefined);
      const patch: Partial<PromotionRow> =
        action === 'pause'
          ? { status: 'paused' }
          : action === 'resume'
            ? { status: 'active' }
            : // Ending keeps the record and stops it now: its end is now if it was later.
              { status: 'ended', ends_at: before.ends_at && before.ends_at < now ? before.ends_at : now < before.starts_at ? null : now };
      const after = await this.d.store.update(trx, id, { ...patch, version: before.version + 1, updated_at: now });
      await this.d.store.audit(trx, { promotionId: id, actorId, action, before, after, at: now });
    });
    return this.detail(id);
  }

  private async editable(trx: Parameters<Parameters<PromotionStore['change']>[0]>[0], id: string, expectedVersion: number | undefined) {
    const before = isUuid(id) ? await this.d.store.byId(id, trx, true) : undefined;
    if (!before || before.system_key)
      throw notFound({ en: 'This promotion', ko: '이 프로모션', ja: 'このプロモーション' }, 'promotion_not_found');
    if (expectedVersion !== undefined && before.version !== expectedVersion) {
      throw promotionError(409, 'edit_conflict', { edited: expectedVersion, current: before.version });
    }
    if (before.status === 'ended') throw promotionError(409, 'promotion_ended');
    return before;
  }

  /**
   * "What does game X cost in KR for this user at 20:00 Tokyo time?" — the live promotions (and a draft, if given)
   * priced for a country, a moment and optionally a user and a coupon.
   */
  async preview(req: PreviewRequest): Promise<PricePreview> {
    const zone = req.timeZone ?? 'UTC';
    if (!isTimeZone(zone)) throw promotionError(400, 'unknown_time_zone', { zone });
    const at = req.at ? zonedToInstant(req.at, zone) : this.d.clock.now();
    const item = await this.d.ports.itemFor(req.gameId, req.editionId, req.country, req.currency);
    let rules: Rule[] = [...this.d.live.rules.rules];
    if (req.draft) {
      const fields = await this.validate(req.draft);
      rules = [
        ...rules,
        toRule({
          ...fields,
          id: 'draft',
          system_key: null,
          status: 'active',
          version: 0,
          created_by: null,
          created_at: at,
          updated_at: at,
        }),
      ];
    }
    const buyer = req.userId ? await this.d.ports.buyerFacts(req.userId).catch(() => undefined) : undefined;
    const coupons = new Set<string>();
    if (req.coupon) {
      const c = await this.d.store.coupon(normalizeCode(req.coupon));
      if (c) coupons.add(c.promotionId);
      else if (req.draft?.coupon) coupons.add('draft');
    }
    const p = compile(rules, this.d.live.rules.version).price(item, { country: req.country, at, buyer, coupons });
    return {
      at: at.toISOString(),
      country: req.country,
      listPrice: p.list,
      price: p.price,
      discount: p.discount,
      percentOff: p.percentOff,
      applied: p.applied.map((a) => ({ id: a.id, name: a.name, off: a.off })),
      endsAt: p.endsAt?.toISOString() ?? null,
    };
  }

  /**
   * Everything that would make a promotion impossible to evaluate is refused here, with the field and the reason —
   * never discovered at checkout. The trial compile and evaluation at the end catch what the checks above missed.
   */
  private async validate(input: PromotionInput) {
    const t = input.targets ?? {};
    const e = input.effect;
    if (!isTimeZone(input.timeZone)) throw promotionError(400, 'unknown_time_zone', { zone: input.timeZone });
    const startsAt = zonedToInstant(input.startsAt, input.timeZone);
    const endsAt = input.endsAt ? zonedToInstant(input.endsAt, input.timeZone) : null;
    if (endsAt && endsAt <= startsAt) throw promotionError(400, 'ends_before_start');
    for (const c of t.countries ?? []) if (!isCountry(c)) throw promotionError(400, 'unknown_country', { country: c });
    if (e.kind === 'amount_off') {
      const currencies = Object.keys(e.amounts);
      if (!currencies.length) throw promotionError(400, 'amount_required');
      for (const c of currencies) if (!isCurrency(c)) throw promotionError(400, 'unknown_currency', { currency: c });
    }
    if (e.kind === 'fixed_price') {
      const entries = Object.entries(e.prices);
      if (!entries.length) throw promotionError(400, 'price_required');
      for (const [country, m] of entries) {
        if (!isCountry(country)) throw promotionError(400, 'unknown_country', { country });
        if (!isCurrency(m.currency)) throw promotionError(400, 'unknown_currency', { currency: m.currency });
      }
    }
    if (e.kind === 'bundle') {
      if (new Set(e.games).size !== e.games.length) throw promotionError(400, 'duplicate_game');
      if (e.minItems > e.games.length) throw promotionError(400, 'bundle_too_small', { games: e.games.length, needed: e.minItems });
    }
    if (t.segment && !Object.keys(t.segment).length) throw promotionError(400, 'empty_segment');
    if (input.coupon && !input.coupon.codes?.length && !input.coupon.generate) {
      throw promotionError(400, 'coupon_codes_required');
    }
    const games = [...(t.games ?? []), ...(t.segment?.ownersOf ?? []), ...(e.kind === 'bundle' ? e.games : [])];
    if (games.length) {
      const known = await this.d.ports.existingGames([...new Set(games)]);
      const unknown = games.filter((g) => !known.has(g));
      if (unknown.length) throw promotionError(400, 'unknown_game', { id: unknown[0]! });
    }
    const fields = {
      name: input.name.trim(),
      effect: e,
      targets: t,
      stacking: input.stacking,
      priority: input.priority ?? 0,
      starts_at: startsAt,
      ends_at: endsAt,
      time_zone: input.timeZone,
      coupon_required: Boolean(input.coupon),
      budget: input.budget ?? null,
    };
    // A trial run over a sample item: a rule that throws here would be skipped at checkout; refuse it now instead.
    const trial = compile([
      toRule({
        ...fields,
        id: 'trial',
        system_key: null,
        status: 'active',
        version: 0,
        created_by: null,
        created_at: startsAt,
        updated_at: startsAt,
      }),
    ]);
    trial.price(
      {
        gameId: t.games?.[0] ?? '',
        genres: t.genres ?? [],
        tags: t.tags ?? [],
        developer: '',
        publisher: '',
        released: true,
        list: { amountMinor: 10_000, currency: 'USD' },
      },
      { country: t.countries?.[0] ?? 'US', at: startsAt, coupons: new Set(['trial']) },
    );
    if (trial.errors) throw promotionError(400, 'promotion_not_evaluable');
    return fields;
  }

  private couponCodes(input: PromotionInput): string[] {
    if (!input.coupon) return [];
    const listed = (input.coupon.codes ?? []).map(normalizeCode);
    if (new Set(listed).size !== listed.length) throw promotionError(400, 'duplicate_coupon_code');
    // 10 characters of an alphabet without look-alikes (0/O, 1/I): about 49 bits, not guessable at checkout's rate limit.
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    const generated = Array.from({ length: input.coupon.generate ?? 0 }, () =>
      Array.from(randomBytes(10), (b) => alphabet[b % alphabet.length]).join(''),
    );
    return [...listed, ...generated];
  }

  private view(r: PromotionRow, used: number): Promotion {
    const now = this.d.clock.now();
    const state =
      r.status === 'ended'
        ? 'ended'
        : r.status === 'paused'
          ? 'paused'
          : now < r.starts_at
            ? 'scheduled'
            : r.ends_at && now >= r.ends_at
              ? 'expired'
              : 'running';
    return {
      id: r.id,
      name: r.name,
      effect: r.effect,
      targets: r.targets,
      stacking: r.stacking,
      priority: r.priority,
      timeZone: r.time_zone,
      startsAt: instantToZoned(r.starts_at, r.time_zone),
      endsAt: r.ends_at ? instantToZoned(r.ends_at, r.time_zone) : null,
      startsAtUtc: r.starts_at.toISOString(),
      endsAtUtc: r.ends_at?.toISOString() ?? null,
      status: r.status,
      state,
      couponRequired: r.coupon_required,
      budget: r.budget,
      used,
      version: r.version,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }
}
