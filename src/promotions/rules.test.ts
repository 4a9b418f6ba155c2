import { describe, expect, it } from 'vitest';
import { compile, type Item, type Rule } from './rules.ts';
import { zonedToInstant } from '../platform/zoned-time.ts';

const G1 = '00000000-0000-4000-a000-000000000001';
const G2 = '00000000-0000-4000-a000-000000000002';
const G3 = '00000000-0000-4000-a000-000000000003';

const rule = (id: string, over: Partial<Rule>): Rule => ({
  id,
  name: id,
  effect: { kind: 'percent_off', percent: 10 },
  targets: {},
  stacking: 'best',
  priority: 0,
  startsAt: new Date('2026-12-01T00:00:00Z'),
  endsAt: null,
  paused: false,
  couponRequired: false,
  budget: null,
  ...over,
});

const item = (over: Partial<Item> = {}): Item => ({
  gameId: G1,
  genres: ['RPG'],
  tags: ['Open World'],
  developer: 'Studio A',
  publisher: 'Pub A',
  released: true,
  list: { amountMinor: 10000, currency: 'KRW' },
  ...over,
});
const at = new Date('2026-12-10T12:00:00Z');
const price = (rules: Rule[], it: Item = item(), ctx: Partial<Parameters<ReturnType<typeof compile>['price']>[1]> = {}) =>
  compile(rules).price(it, { country: 'KR', at, ...ctx });

describe('promotion engine (R5)', () => {
  it('R5 stacking matrix: exclusive alone, best competes, priority stacks in order, the customer gets the lower candidate', () => {
    const pct = (id: string, percent: number, stacking: Rule['stacking'], priority = 0) =>
      rule(id, { effect: { kind: 'percent_off', percent }, stacking, priority });
    // best × best: only the better one.
    expect(price([pct('a', 10, 'best'), pct('b', 25, 'best')]).applied.map((a) => a.id)).toEqual(['b']);
    // best then priority stacks on the running price: 10000 → 7500 → 6750.
    const stacked = price([pct('a', 25, 'best'), pct('p', 10, 'priority')]);
    expect(stacked.price.amountMinor).toBe(6750);
    expect(stacked.applied.map((a) => a.id)).toEqual(['a', 'p']);
    // priority order: higher first. amount-off 1000 then 50 %: (10000−1000)/2 = 4500; the other order would give 4000.
    const ordered = price([
      rule('amt', { effect: { kind: 'amount_off', amounts: { KRW: 1000 } }, stacking: 'priority', priority: 9 }),
      pct('half', 50, 'priority', 1),
    ]);
    expect(ordered.price.amountMinor).toBe(4500);
    expect(ordered.applied.map((a) => a.id)).toEqual(['amt', 'half']);
    // exclusive 30 % vs best 25 % + priority 10 % (= 32.5 %): the combination is better for the customer.
    expect(price([pct('x', 30, 'exclusive'), pct('a', 25, 'best'), pct('p', 10, 'priority')]).applied.map((a) => a.id)).toEqual(['a', 'p']);
    // exclusive 40 % beats that combination, and then applies alone.
    const ex = price([pct('x', 40, 'exclusive'), pct('a', 25, 'best'), pct('p', 10, 'priority')]);
    expect(ex.applied.map((a) => a.id)).toEqual(['x']);
    expect(ex.price.amountMinor).toBe(6000);
    expect(ex.percentOff).toBe(40);
    // two exclusives: the better one.
    expect(price([pct('x', 40, 'exclusive'), pct('y', 45, 'exclusive')]).applied.map((a) => a.id)).toEqual(['y']);
  });

  it('R5 targets: games, editions, genres, tags, developer, publisher, countries — all listed dimensions must match', () => {
    const r = (targets: Rule['targets']) => price([rule('r', { targets })]).applied.length;
    expect(r({ games: [G1] })).toBe(1);
    expect(r({ games: [G2] })).toBe(0);
    expect(r({ genres: ['RPG', 'Action'] })).toBe(1);
    expect(r({ genres: ['Action'] })).toBe(0);
    expect(r({ tags: ['Open World'] })).toBe(1);
    expect(r({ developers: ['Studio A'] })).toBe(1);
    expect(r({ publishers: ['Pub B'] })).toBe(0);
    expect(r({ countries: ['KR', 'JP'] })).toBe(1);
    expect(r({ countries: ['JP'] })).toBe(0);
    expect(r({ genres: ['RPG'], countries: ['JP'] })).toBe(0);
    expect(price([rule('e', { targets: { editions: ['ed-1'] } })], item({ editionId: 'ed-1' })).applied.length).toBe(1);
    expect(price([rule('e', { targets: { editions: ['ed-1'] } })], item({ editionId: 'ed-2' })).applied.length).toBe(0);
  });

  it('R5 S1.6 S1.16 the pre-order discount applies only before release', () => {
    const pre = rule('pre', { targets: { games: [G1], preorderOnly: true }, effect: { kind: 'percent_off', percent: 20 } });
    expect(price([pre], item({ released: false })).price.amountMinor).toBe(8000);
    expect(price([pre], item({ released: true })).applied).toEqual([]);
  });

  it('R5 schedules in a chosen time zone: a sale from 20:00 Tokyo time starts at 11:00 UTC and ends when it says', () => {
    const starts = zonedToInstant('2026-12-10T20:00', 'Asia/Tokyo');
    const ends = zonedToInstant('2026-12-11T20:00', 'Asia/Tokyo');
    const flash = rule('flash', { startsAt: starts, endsAt: ends });
    const when = (iso: string) => price([flash], item(), { at: new Date(iso) }).applied.length;
    expect(when('2026-12-10T10:59:59Z')).toBe(0);
    expect(when('2026-12-10T11:00:00Z')).toBe(1);
    expect(when('2026-12-11T10:59:59Z')).toBe(1);
    expect(when('2026-12-11T11:00:00Z')).toBe(0);
    expect(price([flash], item(), { at: new Date('2026-12-10T12:00:00Z') }).endsAt?.toISOString()).toBe('2026-12-11T11:00:00.000Z');
    // Berlin in summer time vs winter time: the same wall-clock start is a different instant.
    expect(zonedToInstant('2026-07-01T20:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T18:00:00.000Z');
    expect(zonedToInstant('2026-12-01T20:00', 'Europe/Berlin').toISOString()).toBe('2026-12-01T19:00:00.000Z');
    expect(price([{ ...flash, paused: true }], item(), { at: new Date('2026-12-10T12:00:00Z') }).applied).toEqual([]);
  });

  it('R5 amount off per currency, fixed price per country: never raises a price, never below zero', () => {
    const amt = rule('amt', { effect: { kind: 'amount_off', amounts: { KRW: 3000, USD: 500 } } });
    expect(price([amt]).price.amountMinor).toBe(7000);
    expect(price([amt], item({ list: { amountMinor: 999, currency: 'JPY' } })).applied).toEqual([]);
    expect(price([rule('big', { effect: { kind: 'amount_off', amounts: { KRW: 50000 } } })]).price.amountMinor).toBe(0);
    const fixed = rule('fix', { effect: { kind: 'fixed_price', prices: { KR: { amountMinor: 4900, currency: 'KRW' } } } });
    expect(price([fixed]).price.amountMinor).toBe(4900);
    expect(price([fixed], item(), { country: 'JP' }).applied).toEqual([]);
    expect(price([fixed], item({ list: { amountMinor: 3000, currency: 'KRW' } })).applied).toEqual([]);
    // Percentages round down in the customer's favour: 15 % of 999 is 149.85 → 149 off.
    expect(
      price([rule('p', { effect: { kind: 'percent_off', percent: 15 } })], item({ list: { amountMinor: 999, currency: 'USD' } })).price
        .amountMinor,
    ).toBe(850);
  });

  it('R5 segments and bundles need the buyer: new accounts, owners of a game, points, complete-the-set', () => {
    const buyer = { accountCreatedAt: new Date('2026-12-05T00:00:00Z'), ownedGameIds: new Set([G2]), points: { KRW: 500 } };
    const seg = (s: NonNullable<Rule['targets']['segment']>) =>
      price([rule('s', { targets: { segment: s } })], item(), { buyer }).applied.length;
    expect(seg({ newAccountDays: 7 })).toBe(1);
    expect(seg({ newAccountDays: 3 })).toBe(0);
    expect(seg({ ownersOf: [G2] })).toBe(1);
    expect(seg({ ownersOf: [G3] })).toBe(0);
    expect(seg({ minPoints: 500 })).toBe(1);
    expect(seg({ minPoints: 501 })).toBe(0);
    // Anonymous: no segment rule applies.
    expect(price([rule('s', { targets: { segment: { newAccountDays: 7 } } })]).applied).toEqual([]);
    const bundle = rule('b', { effect: { kind: 'bundle', games: [G1, G2, G3], minItems: 2, percent: 15 } });
    expect(price([bundle], item(), { buyer }).price.amountMinor).toBe(8500);
    expect(price([bundle], item(), { buyer: { ...buyer, ownedGameIds: new Set() } }).applied).toEqual([]);
    expect(compile([bundle]).needsBuyer).toBe(true);
    expect(compile([rule('plain', {})]).needsBuyer).toBe(false);
  });

  it('R5 coupons and budgets: a coupon promotion needs its code; a budgeted one applies and says its budget (its saga counts it)', () => {
    const coupon = rule('c', { couponRequired: true, effect: { kind: 'percent_off', percent: 30 } });
    expect(price([coupon]).applied).toEqual([]);
    expect(price([coupon], item(), { coupons: new Set(['c']) }).price.amountMinor).toBe(7000);
    const budget = rule('first100', { budget: 100 });
    expect(price([budget]).applied[0]?.budget).toBe(100);
  });

  it('R5 a price has a time budget: a pathologically slow rule set stops matching when it is spent, and the price never goes above the list', () => {
    const slowPaused = {
      get() {
        const until = performance.now() + 3;
        while (performance.now() < until);
        return false;
      },
    };
    const rules = [0, 1, 2, 3].map((i) => Object.defineProperty(rule(`r${i}`, {}), 'paused', slowPaused));
    rules.push(rule('r4', { effect: { kind: 'percent_off', percent: 50 } }));
    const set = compile(rules, 0, 5);
    const p = set.price(item(), { country: 'KR', at });
    expect(set.overBudget).toBe(1);
    expect(p.price.amountMinor).toBeLessThanOrEqual(10000);
    expect(p.applied.some((a) => a.id === 'r4')).toBe(false);
  });

  it('R5 stacking matrix against an oracle: every triple of modes × overlapping or disjoint targets × in or out of country × before or after a Tokyo start', () => {
    const modes: Rule['stacking'][] = ['exclusive', 'best', 'priority'];
    const tokyoStart = zonedToInstant('2026-12-10T20:00', 'Asia/Tokyo');
    let cases = 0;
    for (const m1 of modes)
      for (const m2 of modes)
        for (const m3 of modes)
          for (const overlap of [true, false])
            for (const inCountry of [true, false])
              for (const afterStart of [true, false]) {
                const rs: Rule[] = [
                  rule('a', { stacking: m1, effect: { kind: 'percent_off', percent: 30 }, priority: 1, targets: { games: [G1] } }),
                  rule('b', {
                    stacking: m2,
                    effect: { kind: 'amount_off', amounts: { KRW: 2500 } },
                    priority: 3,
                    targets: { games: [overlap ? G1 : G2], countries: ['KR'] },
                  }),
                  rule('c', {
                    stacking: m3,
                    effect: { kind: 'percent_off', percent: 15 },
                    priority: 2,
                    targets: { genres: ['RPG'] },
                    startsAt: tokyoStart,
                  }),
                ];
                const ctx = { country: inCountry ? 'KR' : 'JP', at: new Date(tokyoStart.getTime() + (afterStart ? 1 : -1) * 60_000) };
                // The oracle: which rules apply, then every allowed combination; the cheapest wins.
                const applies = rs.filter((r) => (r.id !== 'b' || (overlap && inCountry)) && (r.id !== 'c' || afterStart));
                const step = (from: number, r: Rule) =>
                  r.effect.kind === 'percent_off' ? from - Math.floor((from * r.effect.percent) / 100) : Math.max(0, from - 2500);
                const candidates: number[] = [10000];
                for (const r of applies.filter((r) => r.stacking === 'exclusive')) candidates.push(step(10000, r));
                const stackers = applies.filter((r) => r.stacking === 'priority').sort((x, y) => y.priority - x.priority);
                for (const best of [undefined, ...applies.filter((r) => r.stacking === 'best')]) {
                  let p = best ? step(10000, best) : 10000;
                  for (const st of stackers) p = step(p, st);
                  candidates.push(p);
                }
                const got = compile(rs).price(item(), ctx).price.amountMinor;
                expect(got, `${m1}/${m2}/${m3} overlap=${overlap} KR=${inCountry} after=${afterStart}`).toBe(Math.min(...candidates));
                cases++;
              }
    expect(cases).toBe(216);
  });

  it('R5 a rule that throws is skipped and counted; the price stands', () => {
    const evil = rule('evil', { effect: { kind: 'amount_off', amounts: {} } });
    Object.defineProperty(evil.effect, 'amounts', {
      get() {
        throw new Error('boom');
      },
    });
    const set = compile([evil, rule('ok', { effect: { kind: 'percent_off', percent: 10 } })]);
    const p = set.price(item(), { country: 'KR', at });
    expect(p.price.amountMinor).toBe(9000);
    expect(set.errors).toBeGreaterThan(0);
  });
});
