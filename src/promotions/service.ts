import type { Kysely } from 'kysely';
import type { Clock } from '../platform/clock.ts';
import type { Money } from '../platform/money.ts';

export interface PromotionTables {
  preorder_discounts: { game_id: string; percent_off: number; updated_at: Date };
}

export interface Discounted {
  list: Money;
  percentOff: number;
  discount: Money;
  price: Money;
}

/** The pre-order discount applies only while the game is not released (S1.6); on release day it ends (S1.16). */
export function applyPreorderDiscount(list: Money, percentOff: number | undefined, released: boolean): Discounted {
  const pct = !released && percentOff ? percentOff : 0;
  // Rounded down in the shopper's favour to a whole minor unit.
  const off = Math.floor((list.amountMinor * pct) / 100);
  return {
    list,
    percentOff: pct,
    discount: { amountMinor: off, currency: list.currency },
    price: { amountMinor: list.amountMinor - off, currency: list.currency },
  };
}

export class PromotionService {
  constructor(
    private readonly db: Kysely<PromotionTables>,
    private readonly clock: Clock,
  ) {}

  async preorderPercent(gameId: string): Promise<number | undefined> {
    return (await this.db.selectFrom('preorder_discounts').select('percent_off').where('game_id', '=', gameId).executeTakeFirst())
      ?.percent_off;
  }

  async setPreorderDiscount(gameId: string, percentOff: number): Promise<void> {
    await this.db
      .insertInto('preorder_discounts')
      .values({ game_id: gameId, percent_off: percentOff, updated_at: this.clock.now() })
      .onConflict((oc) => oc.column('game_id').doUpdateSet({ percent_off: percentOff, updated_at: this.clock.now() }))
      .execute();
  }

  async clearPreorderDiscount(gameId: string): Promise<void> {
    await this.db.deleteFrom('preorder_discounts').where('game_id', '=', gameId).execute();
  }
}
