/**
 * The gift state machine. Every change is applied with `where state = <from>` on a locked row, so of
 * accept, decline, the 30-day limit and the sender's cancel arriving together exactly one wins.
 *
 *   paying ──paid──▶ scheduled ──delivery time──▶ delivered ──▶ accepted   (game in the recipient's library)
 *     │                  │                            ├──────▶ declined   (sender refunded)
 *     ▼                  ▼                            └─30 d──▶ expired    (sender refunded)
 *   payment_failed    cancelled (by the sender; refunded)
 */
export const GIFT_STATES = ['paying', 'payment_failed', 'scheduled', 'delivered', 'accepted', 'declined', 'expired', 'cancelled'] as const;
export type GiftState = (typeof GIFT_STATES)[number];

/** Which state may follow which (the diagram above); gifts/lifecycle.ts says what entering each one does. */
export const GIFT_MOVES: Readonly<Record<GiftState, readonly GiftState[]>> = {
  paying: ['scheduled', 'payment_failed'],
  scheduled: ['delivered', 'cancelled'],
  delivered: ['accepted', 'declined', 'expired'],
  payment_failed: [],
  accepted: [],
  declined: [],
  expired: [],
  cancelled: [],
};

export const canMoveGift = (from: GiftState, to: GiftState): boolean => GIFT_MOVES[from].includes(to);

/** A gift on its way: the recipient cannot get another of the same game meanwhile (S2.5). */
export const PENDING: GiftState[] = ['paying', 'scheduled', 'delivered'];

/** States the recipient can see: a scheduled gift stays a surprise until it arrives. */
export const VISIBLE_TO_RECIPIENT: GiftState[] = ['delivered', 'accepted', 'declined', 'expired'];

/** Outcomes that give the sender their money and points back. */
export const REFUNDED_OUTCOMES: GiftState[] = ['declined', 'expired', 'cancelled'];

/** How long a delivered gift waits for an answer before it is refunded (S2.13). */
export const ANSWER_WITHIN_MS = 30 * 24 * 60 * 60 * 1000;
