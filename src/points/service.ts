import type { Clock } from '../platform/clock.ts';
import { newId } from '../platform/ids.ts';
import { Refusal } from '../platform/saga.ts';
import type { PointsKind, PointsStore, PostResult } from './store.ts';

/**
 * Points (S1.8, S1.10, S1.14): 1 point is worth one minor unit of the account's currency (₩1, ¥1, $0.01),
 * fixed when the account first gets points. A purchase earns `earnRatePercent` of the money paid (not of the
 * points used); a refund returns the points used and takes back the points earned.
 */
export class PointsService {
  constructor(
    private readonly store: PointsStore,
    private readonly clock: Clock,
    readonly earnRatePercent: number,
  ) {}

  async balance(userId: string, currency: string): Promise<{ balance: number; currency: string }> {
    const a = await this.store.account(userId);
    return { balance: a?.balance ?? 0, currency: a?.currency ?? currency };
  }

  history(userId: string, limit = 50) {
    return this.store.history(userId, limit);
  }

  /** Points a payment of `paidMinor` earns. */
  earnedFor(paidMinor: number): number {
    return Math.floor((paidMinor * this.earnRatePercent) / 100);
  }

  private async post(userId: string, currency: string, delta: number, kind: PointsKind, reference: string): Promise<PostResult> {
    const account = await this.store.account(userId);
    if (account && account.currency !== currency) {
      throw new Refusal('points_currency_mismatch', `Your points are in ${account.currency} and cannot be used for a ${currency} price.`);
    }
    try {
      return await this.store.post({ id: newId(), userId, currency, delta, kind, reference, at: this.clock.now() });
    } catch (err) {
      // The same reference posted concurrently: the other post won; report it as already applied.
      if ((err as { code?: string }).code === '23505') {
        const row = await this.store.byReference(reference);
        if (row) return { applied: 'already', balance: row.balance_after };
      }
      throw err;
    }
  }

  /** Uses points for a purchase; refused when the balance is too low. Idempotent per reference. */
  async spend(userId: string, currency: string, points: number, reference: string): Promise<number> {
    if (points <= 0) return (await this.balance(userId, currency)).balance;
    const r = await this.post(userId, currency, -points, 'spend', reference);
    if (r.applied === false) throw new Refusal('insufficient_points', `You have ${r.balance} points; this needs ${points}.`);
    return r.balance;
  }

  /** Gives back points that were spent (compensation of a spend, or a refund). */
  async returnSpent(userId: string, currency: string, points: number, reference: string): Promise<void> {
    if (points > 0) await this.post(userId, currency, points, 'return_spent', reference);
  }

  async earn(userId: string, currency: string, points: number, reference: string): Promise<void> {
    if (points > 0) await this.post(userId, currency, points, 'earn', reference);
  }

  /**
   * Takes back points a purchase earned. If some were spent already, it takes what is there and reports
   * the shortfall, which the refund then keeps back from the money (the user is told before confirming).
   */
  async revokeEarned(userId: string, currency: string, points: number, reference: string): Promise<{ revoked: number; shortfall: number }> {
    if (points <= 0) return { revoked: 0, shortfall: 0 };
    const done = await this.store.byReference(reference);
    if (done) return { revoked: -done.delta, shortfall: points + done.delta };
    for (;;) {
      const { balance } = await this.balance(userId, currency);
      const take = Math.min(points, balance);
      if (take === 0) return { revoked: 0, shortfall: points };
      const r = await this.post(userId, currency, -take, 'revoke_earned', reference);
      if (r.applied !== false) {
        const row = await this.store.byReference(reference);
        const revoked = row ? -row.delta : take;
        return { revoked, shortfall: points - revoked };
      }
      // The balance moved between reading and posting (a concurrent spend): look again.
    }
  }

  mismatches(): Promise<string[]> {
    return this.store.mismatches();
  }
}
