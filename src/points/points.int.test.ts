import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/harness.ts';
import { createPool, kyselyFor, migrate, type Pool } from '../platform/db/database.ts';
import { ManualClock } from '../platform/clock.ts';
import { pointsMigrations } from './migrations/index.ts';
import { PointsStore, type PointsTables } from './store.ts';
import { PointsService } from './service.ts';
import { Transactions } from '../platform/db/tx.ts';
import { ledgerMismatches } from '../../test/checkout.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
let points: PointsService;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 30);
  await migrate(pool, pointsMigrations, { info: () => undefined });
  points = new PointsService(new PointsStore(kyselyFor<PointsTables>(pool)), new ManualClock('2026-11-24T00:00:00Z'), 5);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('points ledger (S1.8, S1.10, S1.14, D4)', () => {
  it('S1.10 S1.8 earning and spending move the balance and the ledger explains it', async () => {
    await points.earn('u1', 'KRW', 3000, 'order:o1:earn');
    expect(await points.spend('u1', 'KRW', 1200, 'order:o2:spend')).toBe(1800);
    expect(await points.balance('u1', 'KRW')).toEqual({ balance: 1800, currency: 'KRW' });
    expect((await points.history('u1')).map((r) => [r.kind, r.delta, r.balance_after])).toEqual([
      ['spend', -1200, 1800],
      ['earn', 3000, 3000],
    ]);
  });

  it('S1.8 spending more than the balance is refused with a reason; the same reference twice applies once', async () => {
    await expect(points.spend('u1', 'KRW', 999999, 'order:o3:spend')).rejects.toMatchObject({ code: 'insufficient_points' });
    expect(await points.spend('u1', 'KRW', 100, 'order:o4:spend')).toBe(1700);
    expect(await points.spend('u1', 'KRW', 100, 'order:o4:spend')).toBe(1700);
    expect((await points.balance('u1', 'KRW')).balance).toBe(1700);
  });

  it('D4 S1.8 fifty concurrent spends of the same points never take the balance below zero', async () => {
    await points.earn('race', 'USD', 1000, 'grant:race');
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => points.spend('race', 'USD', 70, `order:race-${i}:spend`)),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBe(14); // 14 × 70 = 980 ≤ 1000 < 15 × 70
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason.code === 'insufficient_points')).toBe(true);
    expect((await points.balance('race', 'USD')).balance).toBe(20);
    expect(await ledgerMismatches(pool)).toEqual([]);
  });

  it('D4 the same reference posted concurrently applies once', async () => {
    await points.earn('dupe', 'USD', 500, 'grant:dupe');
    await Promise.all(Array.from({ length: 10 }, () => points.spend('dupe', 'USD', 100, 'order:same:spend')));
    expect((await points.balance('dupe', 'USD')).balance).toBe(400);
  });

  it('S1.14 a refund takes back earned points; what was already spent is reported as a shortfall', async () => {
    await points.earn('u2', 'JPY', 500, 'order:p1:earn');
    await points.spend('u2', 'JPY', 350, 'order:p2:spend');
    const tx = new Transactions(pool);
    expect(await tx.run((t) => points.revokeEarned(t, 'u2', 'JPY', 500, 'order:p1:revoke'))).toEqual({ revoked: 150, shortfall: 350 });
    expect(await tx.run((t) => points.revokeEarned(t, 'u2', 'JPY', 500, 'order:p1:revoke'))).toEqual({ revoked: 150, shortfall: 350 });
    expect((await points.balance('u2', 'JPY')).balance).toBe(0);
  });

  it('S1.8 points in one currency cannot pay a price in another: each currency is its own wallet', async () => {
    const krw = (await points.balance('u1', 'KRW')).balance;
    expect(krw).toBeGreaterThan(10);
    await expect(points.spend('u1', 'USD', 10, 'order:x:spend')).rejects.toMatchObject({ code: 'insufficient_points' });
    // Earning in another currency opens that wallet beside the first; neither moves the other.
    await points.earn('u1', 'USD', 40, 'order:y:earn');
    expect(await points.spend('u1', 'USD', 10, 'order:z:spend')).toBe(30);
    expect(await points.balance('u1', 'KRW')).toEqual({ balance: krw, currency: 'KRW' });
    expect(await points.wallets('u1')).toEqual([
      { currency: 'KRW', balance: krw },
      { currency: 'USD', balance: 30 },
    ]);
    expect(await ledgerMismatches(pool)).toEqual([]);
  });

  it('S1.14 the ledger is append-only', async () => {
    await expect(pool.query(`update points_ledger set delta = 1`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`delete from points_ledger`)).rejects.toThrow(/append-only/);
  });
});
