import type { Kysely, Transaction } from 'kysely';
import { kyselyFor, type Pool } from './database.ts';

declare const txBrand: unique symbol;

/**
 * One database transaction that several contexts write in together (a saga's local step, a gift's timer): opaque
 * to its holder. Each context's store opens it as its own tables with `tablesOf`, so a store still sees only what
 * it owns and type checking stays on across the contexts — where `Kysely<any>` used to turn it off.
 */
export interface Tx {
  readonly [txBrand]: 'tx';
}

/** Opens a transaction for work that spans contexts; commits when `work` resolves, rolls back when it throws. */
export class Transactions {
  private readonly db: Kysely<unknown>;
  constructor(pool: Pool) {
    this.db = kyselyFor<unknown>(pool);
  }

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const after: Array<() => void> = [];
    const result = await this.db.transaction().execute((trx) => {
      commitHooks.set(trx, after);
      return work(trx as unknown as Tx);
    });
    for (const hook of after) hook();
    return result;
  }
}

const commitHooks = new WeakMap<object, Array<() => void>>();

/**
 * Runs `hook` once `tx` has committed (a wake-up for whoever reads what it wrote); never if it rolls back. Outside a
 * transaction opened by `Transactions.run` it runs at once.
 */
export function afterCommit(tx: Tx, hook: () => void): void {
  const after = commitHooks.get(tx);
  if (after) after.push(hook);
  else hook();
}

/** The transaction as one context's tables (for that context's store only). */
export const tablesOf = <Tables>(tx: Tx): Transaction<Tables> => tx as unknown as Transaction<Tables>;

/**
 * A context's own transaction, handed to another context's store that writes in it (the inverse of `tablesOf`).
 * A plain Kysely (not in a transaction) is accepted where the write stands alone (tests, seeding).
 */
export const asTx = <Tables>(trx: Transaction<Tables> | Kysely<Tables>): Tx => trx as unknown as Tx;
