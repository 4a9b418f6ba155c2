/**
 * The order state machine's moves (what each move does: orders/lifecycle.ts); the store applies a move with
 * `where status = <from>`, so two racing changes cannot both win.
 *
 *   pending ──paid──▶ paid ──refund requested──▶ refund_pending ──▶ refunded
 *      │                                            │
 *      └──saga compensated──▶ cancelled             └──refund refused──▶ paid
 */
export const ORDER_STATUSES = ['pending', 'paid', 'cancelled', 'refund_pending', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_MOVES: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'cancelled'],
  paid: ['refund_pending'],
  refund_pending: ['refunded', 'paid'],
  cancelled: [],
  refunded: [],
};

/** Statuses in which the buyer owns the game (it is in the purchase list). */
export const LIVE: OrderStatus[] = ['paid', 'refund_pending'];
