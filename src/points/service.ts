import type { Clock } from '../platform/clock.ts';
import type { Tx } from '../platform/db/tx.ts';
import { newId } from '../platform/ids.ts';
import { Refusal } from '../platform/saga.ts';
import type { PointsKind, PointsStore, PostResult } from './store.ts';

/**
 * Points (S1.8, S1.10, S1.14): one wallet per user and currency; 1 point is worth one minor unit of its currency
 * (₩1, ¥1, $0.01). A purchase earns `earnRatePercent` of the money paid (not of the points used) into the wallet of
 * the price's currency, and points pay only for prices in their own currency — so earning never depends on a
 * conversion rate and can never be refused after the payment. A refund returns the points used and takes back the
 * points earned, each in the order's currency.
 */
export class PointsService {
  constructor(
    private readonly store: PointsStore,
    private readonly clock: Clock,
    readonly earnRatePercent: number,
  ) {}

  /** The balance of the user's wallet in `currency` (0 when they have none). */
  async balance(userId: string, currency: string): Promise<{ balance: number; currency: string }> {
    const a = await this.store.account(userId, currency);
    return { balance: a?.balance ?? 0, currency };
  }

  wallets(userId: string) {
    return this.store.wallets(userId);
  }

  history(userId: string, limit = 50) {
    return this.store.history(userId, limit);
  }

  /** Points a payment of `paidMinor` earns. */
  earnedFor(paidMinor: number): number {
    return Math.floor((paidMinor * this.earnRatePercent) / 100);
  }

  /** In the caller's transaction when `tx` is given (a saga's local step: a clash there ends the step, which is retried). */
  private async post(userId: string, currency: string, delta: number, kind: PointsKind, reference: string, tx?: Tx): Promise<PostResult> {
    if (tx) return this.store.post({ id: newId(), userId, currency, delta, kind, reference, at: this.clock.now() }, tx);
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
  async spend(userId: string, currency: string, points: number, reference: string, tx?: Tx): Promise<number | undefined> {
    if (points <= 0) return undefined;
    const r = await this.post(userId, currency, -points, 'spend', reference, tx);
    if (r.applied === false) throw new Refusal('insufficient_points', `You have ${r.balance} points; this needs ${points}.`);
    return r.balance;
  }

  /** Gives back points that were spent (compensation of a spend, or a refund). */
  async returnSpent(userId: string, currency: string, points: number, reference: string, tx?: Tx): Promise<void> {
    if (points > 0) await this.post(userId, currency, points, 'return_spent', reference, tx);
  }

  /**
   * Undoes exactly what the entry `reference` posted (a spend or a take-back), under `undoReference`; nothing when
   * that entry was never posted. A compensation gets what its step recorded, not what the saga hoped it did.
   */
  async undo(reference: string, undoReference: string, tx?: Tx): Promise<void> {
    const done = await this.store.byReference(reference, tx);
    if (!done) return;
    await this.post(
      done.user_id,
      done.currency,
      -done.delta,
      done.delta < 0 && done.kind === 'spend' ? 'return_spent' : 'earn',
      undoReference,
      tx,
    );
  }

  async earn(userId: string, currency: string, points: number, reference: string, tx?: Tx): Promise<void> {
    if (points > 0) await this.post(userId, currency, points, 'earn', reference, tx);
  }

  /**
   * Takes back points a purchase earned, in the caller's transaction. If some were spent already, it takes what is
   * there (the wallet locked while it decides) and reports the shortfall, which the refund then keeps back from the
   * money (the user is told before confirming).
   */
  async revokeEarned(
    tx: Tx,
    userId: string,
    currency: string,
    points: number,
    reference: string,
  ): Promise<{ revoked: number; shortfall: number }> {
    if (points <= 0) return { revoked: 0, shortfall: 0 };
    const done = await this.store.byReference(reference, tx);
    if (done) return { revoked: -done.delta, shortfall: points + done.delta };
    const take = Math.min(points, await this.store.lockedBalance(tx, userId, currency));
    if (take > 0) await this.post(userId, currency, -take, 'revoke_earned', reference, tx);
    return { revoked: take, shortfall: points - take };
  }
}
