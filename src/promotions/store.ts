import { sql, type Generated, type Kysely, type Transaction } from 'kysely';
import { tablesOf, type Tx } from '../platform/db/tx.ts';
import type { Effect, Rule, Stacking, Targets } from './rules.ts';

export interface PromotionTables {
  promotions: {
    id: string;
    name: string;
    system_key: string | null;
    effect: Effect;
    targets: Targets;
    stacking: Stacking;
    priority: number;
    starts_at: Date;
    ends_at: Date | null;
    time_zone: string;
    status: 'active' | 'paused' | 'ended';
    coupon_required: boolean;
    budget: number | null;
    version: number;
    created_by: string | null;
    created_at: Date;
    updated_at: Date;
  };
  promotion_state: { id: boolean; version: number };
  promotion_usage: { promotion_id: string; used: number };
  promotion_coupons: { code: string; promotion_id: string; max_uses: number; uses: number; created_at: Date };
  promotion_redemptions: {
    promotion_id: string;
    order_id: string;
    user_id: string;
    coupon_code: string | null;
    at: Date;
  };
  promotion_audit: {
    id: Generated<number>;
    promotion_id: string;
    actor_id: string | null;
    action: string;
    before: unknown;
    after: unknown;
    at: Date;
  };
}

export type PromotionRow = PromotionTables['promotions'];
type Db = Kysely<PromotionTables>;
type Trx = Transaction<PromotionTables>;

/** The NOTIFY channel every node listens on (live.ts). */
export const PROMOTIONS_CHANNEL = 'promotions_changed';

export const toRule = (r: PromotionRow & { used?: number | null }): Rule => ({
  id: r.id,
  name: r.name,
  effect: r.effect,
  targets: r.targets,
  stacking: r.stacking,
  priority: r.priority,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  paused: r.status !== 'active',
  couponRequired: r.coupon_required,
  budget: r.budget,
  exhausted: r.budget !== null && (r.used ?? 0) >= r.budget,
});

/** Announces a change of the promotions: the version row is bumped and NOTIFY is sent when the transaction commits. */
async function bumpVersion(trx: Trx): Promise<void> {
  const { version } = await trx
    .updateTable('promotion_state')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .returning('version')
    .executeTakeFirstOrThrow();
  await sql`select pg_notify(${PROMOTIONS_CHANNEL}, ${String(version)})`.execute(trx);
}

/** Why a redemption was refused: the budget is used up, or the coupon code has no uses left. */
export type RedeemRefusal = { promotionId: string; reason: 'budget_used_up' | 'coupon_used_up' };

export class PromotionStore {
  constructor(private readonly db: Db) {}

  /**
   * Everything the engine needs, read under a statement timeout: a locked or slow table makes this fail fast, and the
   * caller keeps the rules it has (R5 isolation).
   */
  async loadLive(timeoutMs: number): Promise<{ version: number; rows: (PromotionRow & { used: number | null })[] }> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select set_config('statement_timeout', ${String(timeoutMs)}, true), set_config('lock_timeout', ${String(timeoutMs)}, true)`.execute(
        trx,
      );
      const state = await trx.selectFrom('promotion_state').select('version').executeTakeFirstOrThrow();
      const rows = await trx
        .selectFrom('promotions as p')
        .leftJoin('promotion_usage as u', 'u.promotion_id', 'p.id')
        .selectAll('p')
        .select('u.used')
        .where('p.status', '<>', 'ended')
        .orderBy('p.id')
        .limit(20_000)
        .execute();
      return { version: Number(state.version), rows };
    });
  }

  async version(timeoutMs: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select set_config('statement_timeout', ${String(timeoutMs)}, true)`.execute(trx);
      return Number((await trx.selectFrom('promotion_state').select('version').executeTakeFirstOrThrow()).version);
    });
  }

  /**
   * One change to the promotions: the write, its audit record and the version bump in one transaction; the NOTIFY is
   * delivered when it commits, so a node never reloads before the change is visible.
   */
  async change<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const result = await work(trx);
      await bumpVersion(trx);
      return result;
    });
  }

  audit(trx: Trx, e: { promotionId: string; actorId: string | null; action: string; before: unknown; after: unknown; at: Date }) {
    return trx
      .insertInto('promotion_audit')
      .values({
        promotion_id: e.promotionId,
        actor_id: e.actorId,
        action: e.action,
        before: JSON.stringify(e.before),
        after: JSON.stringify(e.after),
        at: e.at,
      })
      .execute();
  }

  byId(id: string, trx: Db | Trx = this.db, lock = false): Promise<PromotionRow | undefined> {
    let q = trx.selectFrom('promotions').selectAll().where('id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  bySystemKey(key: string, trx: Db | Trx = this.db): Promise<PromotionRow | undefined> {
    return trx.selectFrom('promotions').selectAll().where('system_key', '=', key).executeTakeFirst();
  }

  insert(trx: Trx, row: PromotionRow) {
    return trx
      .insertInto('promotions')
      .values({ ...row, effect: JSON.stringify(row.effect), targets: JSON.stringify(row.targets) } as never)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  update(trx: Trx, id: string, patch: Partial<PromotionRow>) {
    const p: Record<string, unknown> = { ...patch };
    if (patch.effect) p.effect = JSON.stringify(patch.effect);
    if (patch.targets) p.targets = JSON.stringify(patch.targets);
    return trx
      .updateTable('promotions')
      .set(p as never)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Operator-made promotions (the per-game pre-order discounts are listed on their games). */
  list(): Promise<(PromotionRow & { used: number | null; coupons: number })[]> {
    return this.db
      .selectFrom('promotions as p')
      .leftJoin('promotion_usage as u', 'u.promotion_id', 'p.id')
      .selectAll('p')
      .select('u.used')
      .select((eb) =>
        eb
          .selectFrom('promotion_coupons as c')
          .whereRef('c.promotion_id', '=', 'p.id')
          .select(eb.fn.countAll<number>().as('n'))
          .as('coupons'),
      )
      .where('p.system_key', 'is', null)
      .orderBy('p.starts_at', 'desc')
      .orderBy('p.id')
      .execute() as never;
  }

  auditOf(id: string) {
    return this.db.selectFrom('promotion_audit').selectAll().where('promotion_id', '=', id).orderBy('id').execute();
  }

  usage(id: string): Promise<number> {
    return this.db
      .selectFrom('promotion_usage')
      .select('used')
      .where('promotion_id', '=', id)
      .executeTakeFirst()
      .then((r) => r?.used ?? 0);
  }

  addCoupons(trx: Trx, promotionId: string, codes: string[], maxUses: number, now: Date) {
    return trx
      .insertInto('promotion_coupons')
      .values(codes.map((code) => ({ code, promotion_id: promotionId, max_uses: maxUses, uses: 0, created_at: now })))
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('code')
      .execute();
  }

  /** A coupon code's promotion, if the code exists and has uses left (read without locking: the checkout step counts). */
  coupon(code: string): Promise<{ promotionId: string; usesLeft: number } | undefined> {
    return this.db
      .selectFrom('promotion_coupons')
      .select(['promotion_id', 'max_uses', 'uses'])
      .where('code', '=', code)
      .executeTakeFirst()
      .then((r) => (r ? { promotionId: r.promotion_id, usesLeft: r.max_uses - r.uses } : undefined));
  }

  couponsOf(promotionId: string) {
    return this.db
      .selectFrom('promotion_coupons')
      .select(['code', 'max_uses', 'uses'])
      .where('promotion_id', '=', promotionId)
      .orderBy('code')
      .execute();
  }

  /**
   * Counts an order's redemptions in the transaction that places the order (D4). Each count is one conditional
   * UPDATE (or INSERT … ON CONFLICT DO UPDATE … WHERE) on the counter's row: PostgreSQL takes that row's lock, so
   * concurrent orders queue on it and each re-checks `used < budget` / `uses < max_uses` after the one before
   * committed — exactly N succeed, whatever the concurrency. Idempotent per (promotion, order): a re-run counts
   * nothing twice. Returns the first refusal; the caller refuses the order (its transaction rolls back).
   */
  async redeem(
    tx: Tx,
    r: { orderId: string; userId: string; at: Date; promotions: { id: string; budget: number | null; couponCode?: string }[] },
  ): Promise<RedeemRefusal | undefined> {
    const trx = tablesOf<PromotionTables>(tx);
    for (const p of r.promotions) {
      const fresh = await trx
        .insertInto('promotion_redemptions')
        .values({ promotion_id: p.id, order_id: r.orderId, user_id: r.userId, coupon_code: p.couponCode ?? null, at: r.at })
        .onConflict((oc) => oc.columns(['promotion_id', 'order_id']).doNothing())
        .returning('promotion_id')
        .executeTakeFirst();
      if (!fresh) continue;
      if (p.budget !== null) {
        const counted = await sql<{ used: number }>`
          insert into promotion_usage (promotion_id, used) values (${p.id}, 1)
          on conflict (promotion_id) do update set used = promotion_usage.used + 1 where promotion_usage.used < ${p.budget}
          returning used`.execute(trx);
        if (!counted.rows.length) return { promotionId: p.id, reason: 'budget_used_up' };
        // The last copy: every node stops offering it (the version bump is delivered when this order commits).
        if (counted.rows[0]!.used >= p.budget) await bumpVersion(trx);
      }
      if (p.couponCode) {
        const used = await trx
          .updateTable('promotion_coupons')
          .set((eb) => ({ uses: eb('uses', '+', 1) }))
          .where('code', '=', p.couponCode)
          .where('promotion_id', '=', p.id)
          .whereRef('uses', '<', 'max_uses')
          .returning('uses')
          .executeTakeFirst();
        if (!used) return { promotionId: p.id, reason: 'coupon_used_up' };
      }
    }
    return undefined;
  }

  /** Gives back what an order redeemed (it was cancelled before it was paid); once, however often it runs. */
  async release(tx: Tx, orderId: string): Promise<void> {
    const trx = tablesOf<PromotionTables>(tx);
    const gone = await trx.deleteFrom('promotion_redemptions').where('order_id', '=', orderId).returningAll().execute();
    let counted = false;
    for (const g of gone) {
      const back = await trx
        .updateTable('promotion_usage')
        .set((eb) => ({ used: eb('used', '-', 1) }))
        .where('promotion_id', '=', g.promotion_id)
        .where('used', '>', 0)
        .executeTakeFirst();
      counted ||= back.numUpdatedRows > 0n;
      if (g.coupon_code) {
        await trx
          .updateTable('promotion_coupons')
          .set((eb) => ({ uses: eb('uses', '-', 1) }))
          .where('code', '=', g.coupon_code)
          .where('uses', '>', 0)
          .execute();
      }
    }
    // A copy given back may be the one that had used the budget up: every node offers the promotion again (the rule
    // set marks a budget exhausted when it is loaded, so it is reloaded). Rare: only orders undone before payment.
    if (counted) await bumpVersion(trx);
  }
}
