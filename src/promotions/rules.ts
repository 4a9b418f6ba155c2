/**
 * The promotion engine (R5): promotions are data, compiled once into closures over sets, evaluated in memory at every
 * price. Nothing here touches a database or a clock of its own: the caller hands in the rule set, the item, who buys
 * and when. Pure, so the stacking matrix is a unit test.
 *
 * Stacking is explicit per promotion:
 * - `exclusive` — never combined with another promotion;
 * - `best` — competes with the other `best` ones: only the one best for the customer applies;
 * - `priority` — stacks: applied one after another, highest priority first, on the running price, after the best one.
 * The customer gets the lower of two candidates: the best exclusive promotion alone, or the best `best` promotion
 * followed by every `priority` one. Percentages are taken of the running price and rounded down to a whole minor unit
 * in the customer's favour; a price never goes below zero, and a promotion never raises a price.
 */
import type { Money } from '../platform/money.ts';
import type { OfferItem } from '../catalog/service.ts';

export type Stacking = 'exclusive' | 'best' | 'priority';

export type Effect =
  | { kind: 'percent_off'; percent: number }
  | { kind: 'amount_off'; amounts: Record<string, number> }
  | { kind: 'fixed_price'; prices: Record<string, Money> }
  /** "Buy N of these, X % off each": the games of the set bought together in one cart (`Context.basket`) and those already owned count; alone, it is "complete the set" (the N-th game of the set bought is discounted, and every one after it). */
  | { kind: 'bundle'; games: string[]; minItems: number; percent: number };

export interface Targets {
  games?: string[];
  editions?: string[];
  genres?: string[];
  tags?: string[];
  developers?: string[];
  publishers?: string[];
  /** The shopper's country (their residence, the one prices are resolved for). */
  countries?: string[];
  /** Only while the game is not released: the pre-order discount (S1.6), which ends by itself on release day (S1.16). */
  preorderOnly?: boolean;
  segment?: {
    /** Accounts created at most this many days ago. */
    newAccountDays?: number;
    /** Owners of any of these games. */
    ownersOf?: string[];
    /** A points balance (in the price's currency) of at least this many points. */
    minPoints?: number;
  };
}

/** One promotion as the engine sees it. */
export interface Rule {
  id: string;
  name: string;
  effect: Effect;
  targets: Targets;
  stacking: Stacking;
  priority: number;
  startsAt: Date;
  endsAt: Date | null;
  paused: boolean;
  /** Applies only with one of its coupon codes. */
  couponRequired: boolean;
  /** A redemption budget (first N purchases); counted at checkout (store.ts), not here. */
  budget: number | null;
  /** The budget was used up when the rules were loaded: no longer offered. */
  exhausted?: boolean;
}

/** A game as the engine sees it: the catalogue's own description (its targets can name these fields). */
export type Item = OfferItem;

/** What segments and bundles need to know about the buyer; absent for an anonymous visitor. */
export interface BuyerFacts {
  accountCreatedAt: Date;
  ownedGameIds: ReadonlySet<string>;
  /** Points balance per currency. */
  points: Readonly<Record<string, number>>;
}

export interface Context {
  country: string;
  at: Date;
  buyer?: BuyerFacts;
  /** Promotions whose coupon the buyer entered (a valid code with uses left). */
  coupons?: ReadonlySet<string>;
  /** The other games bought in the same checkout (a cart): they count towards a bundle like games owned. */
  basket?: ReadonlySet<string>;
}

export interface Applied {
  id: string;
  name: string;
  off: Money;
  budget: number | null;
  couponRequired: boolean;
}

export interface Priced {
  list: Money;
  price: Money;
  discount: Money;
  /** What the badge shows: the discount as a whole percent of the list price, rounded (5 % of 19.99 is 0.99 off: "−5 %"). */
  percentOff: number;
  applied: Applied[];
  /** The earliest end of the promotions applied: the countdown. */
  endsAt: Date | null;
}

interface Compiled {
  rule: Rule;
  matches(item: Item, ctx: Context): boolean;
  /** The price after this promotion, from `running`; undefined when it does not apply to this price. */
  apply(running: Money, item: Item, ctx: Context): number | undefined;
  needsBuyer: boolean;
}

export interface RuleSet {
  readonly version: number;
  readonly rules: readonly Rule[];
  /** Whether any live rule needs buyer facts (segments, bundles): callers skip the lookup otherwise. */
  readonly needsBuyer: boolean;
  price(item: Item, ctx: Context): Priced;
  /** The promotions live at `at` (for the sale page and the console). */
  live(at: Date): Rule[];
  /** The next instant after `at` (epoch ms) at which a rule starts or ends: prices stay as they are until then. */
  nextChange(at: Date): number;
  /** Rules that threw while evaluating since the set was compiled (each skipped, never failing a price). */
  readonly errors: number;
  /** Prices whose evaluation ran out of its time budget (the remaining rules were not considered). */
  readonly overBudget: number;
}

const DAY_MS = 86_400_000;
const set = (xs: readonly string[] | undefined) => (xs && xs.length ? new Set(xs) : undefined);
const anyIn = (s: Set<string>, xs: readonly string[]) => xs.some((x) => s.has(x));

function compileOne(rule: Rule): Compiled {
  const t = rule.targets;
  const games = set(t.games);
  const editions = set(t.editions);
  const genres = set(t.genres);
  const tags = set(t.tags);
  const developers = set(t.developers);
  const publishers = set(t.publishers);
  const countries = set(t.countries);
  const owners = set(t.segment?.ownersOf);
  const seg = t.segment;
  const bundle = rule.effect.kind === 'bundle' ? new Set(rule.effect.games) : undefined;
  const needsBuyer = Boolean(seg && (seg.newAccountDays !== undefined || owners || seg.minPoints !== undefined)) || Boolean(bundle);

  const matches = (item: Item, ctx: Context): boolean => {
    if (rule.paused || rule.exhausted || ctx.at < rule.startsAt || (rule.endsAt && ctx.at >= rule.endsAt)) return false;
    if (rule.couponRequired && !ctx.coupons?.has(rule.id)) return false;
    if (t.preorderOnly && item.released) return false;
    if (games && !games.has(item.gameId)) return false;
    if (editions && !(item.editionId && editions.has(item.editionId))) return false;
    if (genres && !anyIn(genres, item.genres)) return false;
    if (tags && !anyIn(tags, item.tags)) return false;
    if (developers && !developers.has(item.developer)) return false;
    if (publishers && !publishers.has(item.publisher)) return false;
    if (countries && !countries.has(ctx.country)) return false;
    if (needsBuyer) {
      const b = ctx.buyer;
      if (!b) return false;
      if (seg?.newAccountDays !== undefined && ctx.at.getTime() - b.accountCreatedAt.getTime() > seg.newAccountDays * DAY_MS) return false;
      if (owners && ![...owners].some((g) => b.ownedGameIds.has(g))) return false;
      if (seg?.minPoints !== undefined && (b.points[item.list.currency] ?? 0) < seg.minPoints) return false;
    }
    if (bundle && rule.effect.kind === 'bundle') {
      if (!bundle.has(item.gameId)) return false;
      const owned = [...bundle].filter((g) => g !== item.gameId && (ctx.buyer?.ownedGameIds.has(g) || ctx.basket?.has(g))).length;
      if (owned + 1 < rule.effect.minItems) return false;
    }
    return true;
  };

  const e = rule.effect;
  const apply = (running: Money, _item: Item, ctx: Context): number | undefined => {
    switch (e.kind) {
      case 'percent_off':
      case 'bundle':
        return running.amountMinor - Math.floor((running.amountMinor * e.percent) / 100);
      case 'amount_off': {
        const off = e.amounts[running.currency];
        return off === undefined ? undefined : Math.max(0, running.amountMinor - off);
      }
      case 'fixed_price': {
        const p = e.prices[ctx.country];
        return p && p.currency === running.currency ? Math.min(running.amountMinor, p.amountMinor) : undefined;
      }
    }
  };
  return { rule, matches, apply, needsBuyer };
}

/** Compiles a rule set; `version` is the promotions' version it was read at (for the console and the hot-apply test). */
export function compile(rules: readonly Rule[], version = 0, budgetMs = 5): RuleSet {
  const compiled = rules.map(compileOne);
  const boundaries = rules.flatMap((r) => (r.endsAt ? [r.startsAt.getTime(), r.endsAt.getTime()] : [r.startsAt.getTime()]));
  let errors = 0;
  let overBudget = 0;
  const safely = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch {
      // A rule that throws is skipped: nothing a promotion does may fail a price (R5).
      errors += 1;
      return fallback;
    }
  };

  const price = (item: Item, ctx: Context): Priced => {
    const list = item.list;
    // A time budget per price: matching stops when it is spent, and the price is computed from what matched so far
    // (never more than the list price). Matching is set lookups, so this trips only on a pathological rule set.
    const started = performance.now();
    const live: Compiled[] = [];
    for (const c of compiled) {
      if (performance.now() - started > budgetMs) {
        overBudget += 1;
        break;
      }
      if (safely(() => c.matches(item, ctx), false)) live.push(c);
    }
    type Step = { c: Compiled; after: number };
    const stepFrom = (c: Compiled, from: number): Step | undefined => {
      const after = safely(() => c.apply({ amountMinor: from, currency: list.currency }, item, ctx), undefined);
      return after !== undefined && after < from ? { c, after } : undefined;
    };
    const better = (a: Step | undefined, b: Step | undefined) =>
      !a ? b : !b ? a : b.after < a.after || (b.after === a.after && b.c.rule.priority > a.c.rule.priority) ? b : a;

    const exclusive = live
      .filter((c) => c.rule.stacking === 'exclusive')
      .map((c) => stepFrom(c, list.amountMinor))
      .reduce(better, undefined);

    const combo: Step[] = [];
    const best = live
      .filter((c) => c.rule.stacking === 'best')
      .map((c) => stepFrom(c, list.amountMinor))
      .reduce(better, undefined);
    if (best) combo.push(best);
    const stacked = live
      .filter((c) => c.rule.stacking === 'priority')
      .sort((a, b) => b.rule.priority - a.rule.priority || a.rule.id.localeCompare(b.rule.id));
    for (const c of stacked) {
      const step = stepFrom(c, combo.at(-1)?.after ?? list.amountMinor);
      if (step) combo.push(step);
    }
    const comboPrice = combo.at(-1)?.after ?? list.amountMinor;
    const chosen: Step[] = exclusive && exclusive.after < comboPrice ? [exclusive] : combo;

    let from = list.amountMinor;
    const applied: Applied[] = chosen.map((s) => {
      const off = from - s.after;
      from = s.after;
      const r = s.c.rule;
      return {
        id: r.id,
        name: r.name,
        off: { amountMinor: off, currency: list.currency },
        budget: r.budget,
        couponRequired: r.couponRequired,
      };
    });
    const ends = chosen.map((s) => s.c.rule.endsAt).filter((d): d is Date => d !== null);
    const discount = list.amountMinor - from;
    return {
      list,
      price: { amountMinor: from, currency: list.currency },
      discount: { amountMinor: discount, currency: list.currency },
      percentOff: list.amountMinor > 0 ? Math.round((discount * 100) / list.amountMinor) : 0,
      applied,
      endsAt: ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null,
    };
  };

  return {
    version,
    rules,
    needsBuyer: compiled.some((c) => c.needsBuyer),
    price,
    live: (at) => rules.filter((r) => !r.paused && !r.exhausted && r.startsAt <= at && (!r.endsAt || at < r.endsAt)),
    nextChange: (at) => {
      const t = at.getTime();
      let next = Infinity;
      for (const b of boundaries) if (b > t && b < next) next = b;
      return next;
    },
    get errors() {
      return errors;
    },
    get overBudget() {
      return overBudget;
    },
  };
}

/** An empty rule set: the price is the list price. */
export const noPromotions: RuleSet = compile([], 0);
