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
    const { userId, currency, delta, at, reference } = entry;
    // One statement (one round trip, where it was four): a reference already posted changes nothing; a credit creates
    // the wallet if needed; a debit moves only a balance that covers it. The ledger's foreign key to the wallet is
    // checked at the end of the statement, after the wallet's row exists.
    const move =
      delta >= 0
        ? sql`insert into points_accounts as a (user_id, currency, balance, updated_at)
                select ${userId}, ${currency}, ${delta}, ${at} where not exists (select 1 from seen)
              on conflict (user_id, currency) do update set balance = a.balance + excluded.balance, updated_at = excluded.updated_at
              returning balance`
        : sql`update points_accounts set balance = balance + ${delta}, updated_at = ${at}
              where user_id = ${userId} and currency = ${currency} and balance + ${delta} >= 0 and not exists (select 1 from seen)
              returning balance`;
    const { rows } = await sql<{ seen: number | null; posted: number | null }>`
      with seen as (select balance_after from points_ledger where reference = ${reference}),
      moved as (${move}),
      posted as (
        insert into points_ledger (id, user_id, currency, delta, balance_after, kind, reference, created_at)
        select ${entry.id}, ${userId}, ${currency}, ${delta}, moved.balance, ${entry.kind}, ${reference}, ${at} from moved
        returning balance_after)
      select (select balance_after from seen) as seen, (select balance_after from posted) as posted`.execute(trx);
    const r = rows[0]!;
    if (r.seen !== null) return { applied: 'already', balance: r.seen } as const;
    if (r.posted !== null) return { applied: true, balance: r.posted } as const;
    const current = await trx
      .selectFrom('points_accounts')
      .select('balance')
      .where('user_id', '=', userId)
      .where('currency', '=', currency)
      .executeTakeFirst();
    return { applied: false, reason: 'insufficient', balance: current?.balance ?? 0 } as const;
  }
}
