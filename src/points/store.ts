import { sql, type Kysely, type Selectable, type ColumnType } from 'kysely';
import { tablesOf, type Tx } from '../platform/db/tx.ts';

export type PointsKind = 'earn' | 'spend' | 'return_spent' | 'revoke_earned' | 'grant';

export interface PointsAccountsTable {
  user_id: string;
  currency: string;
  balance: number;
  updated_at: ColumnType<Date, Date, Date>;
}
export interface PointsLedgerTable {
  id: string;
  /** Posting order (identity): several entries can share a timestamp. */
  seq: ColumnType<number, never, never>;
  user_id: string;
  currency: string;
  delta: number;
  balance_after: number;
  kind: PointsKind;
  reference: string;
  created_at: ColumnType<Date, Date, never>;
}
export interface PointsTables {
  points_accounts: PointsAccountsTable;
  points_ledger: PointsLedgerTable;
}
export type LedgerRow = Selectable<PointsLedgerTable>;

export type PostResult =
  | { applied: true; balance: number }
  | { applied: false; reason: 'insufficient'; balance: number }
  | { applied: 'already'; balance: number };

export class PointsStore {
  constructor(private readonly db: Kysely<PointsTables>) {}

  account(userId: string, currency: string) {
    return this.db
      .selectFrom('points_accounts')
      .selectAll()
      .where('user_id', '=', userId)
      .where('currency', '=', currency)
      .executeTakeFirst();
  }

  /** Every wallet the user has, one per currency. */
  wallets(userId: string) {
    return this.db
      .selectFrom('points_accounts')
      .select(['currency', 'balance'])
      .where('user_id', '=', userId)
      .orderBy('currency')
      .execute();
  }

  history(userId: string, limit: number) {
    return this.db.selectFrom('points_ledger').selectAll().where('user_id', '=', userId).orderBy('seq', 'desc').limit(limit).execute();
  }

  byReference(reference: string, tx?: Tx) {
    return (tx ? tablesOf<PointsTables>(tx) : this.db)
      .selectFrom('points_ledger')
      .selectAll()
      .where('reference', '=', reference)
      .executeTakeFirst();
  }

  /**
   * Posts one ledger entry and moves the balance in one transaction. D4, pessimistic on purpose: the
   * conditional UPDATE locks the user's balance row, so concurrent spends queue behind each other and each
   * re-checks `balance + delta >= 0` after the lock (PostgreSQL re-evaluates the WHERE on the newest row).
   * A balance can never go negative; the CHECK constraint is the last line of defence. The unique
   * `reference` makes a repeated post (a saga step re-run after a crash) a no-op that returns the first result.
   * In the caller's transaction `tx` when given (a saga's local step), else in its own.
   */
  async post(
    entry: { id: string; userId: string; currency: string; delta: number; kind: PointsKind; reference: string; at: Date },
    tx?: Tx,
  ): Promise<PostResult> {
    if (tx) return this.postIn(tablesOf<PointsTables>(tx), entry);
    return this.db.transaction().execute((trx) => this.postIn(trx, entry));
  }

  /** The wallet's balance, locked until the transaction ends (a take-back decides how much to take from it). */
  async lockedBalance(tx: Tx, userId: string, currency: string): Promise<number> {
    const row = await tablesOf<PointsTables>(tx)
      .selectFrom('points_accounts')
      .select('balance')
      .where('user_id', '=', userId)
      .where('currency', '=', currency)
      .forUpdate()
      .executeTakeFirst();
    return row?.balance ?? 0;
  }

  private async postIn(
    trx: Kysely<PointsTables>,
    entry: { id: string; userId: string; currency: string; delta: number; kind: PointsKind; reference: string; at: Date },
  ): Promise<PostResult> {
    const seen = await trx.selectFrom('points_ledger').select('balance_after').where('reference', '=', entry.reference).executeTakeFirst();
    if (seen) return { applied: 'already', balance: seen.balance_after } as const;
    await trx
      .insertInto('points_accounts')
      .values({ user_id: entry.userId, currency: entry.currency, balance: 0, updated_at: entry.at })
      .onConflict((oc) => oc.columns(['user_id', 'currency']).doNothing())
      .execute();
    const updated = await trx
      .updateTable('points_accounts')
      .set({ balance: sql`balance + ${entry.delta}`, updated_at: entry.at })
      .where('user_id', '=', entry.userId)
      .where('currency', '=', entry.currency)
      .where(sql<boolean>`balance + ${entry.delta} >= 0`)
      .returning('balance')
      .executeTakeFirst();
    if (!updated) {
      const current = await trx
        .selectFrom('points_accounts')
        .select('balance')
        .where('user_id', '=', entry.userId)
        .where('currency', '=', entry.currency)
        .executeTakeFirstOrThrow();
      return { applied: false, reason: 'insufficient', balance: current.balance } as const;
    }
    await trx
      .insertInto('points_ledger')
      .values({
        id: entry.id,
        user_id: entry.userId,
        currency: entry.currency,
        delta: entry.delta,
        balance_after: updated.balance,
        kind: entry.kind,
        reference: entry.reference,
        created_at: entry.at,
      })
      .execute();
    return { applied: true, balance: updated.balance } as const;
  }
}
