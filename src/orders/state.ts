/**
 * The order state machine: every status change goes through `canMove`, and the store applies it with
 * `where status = <from>`, so two racing changes cannot both win.
 *
 *   pending ──paid──▶ paid ──refund requested──▶ refund_pending ──▶ refunded
 *      │                                            │
 *      └──saga compensated──▶ cancelled             └──refund refused──▶ paid
 */
export const ORDER_STATUSES = ['pending', 'paid', 'cancelled', 'refund_pending', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const MOVES: Record<OrderStatus, OrderStatus[]> = {
  pending: ['paid', 'cancelled'],
  paid: ['refund_pending'],
  refund_pending: ['refunded', 'paid'],
  cancelled: [],
  refunded: [],
};

export const canMove = (from: OrderStatus, to: OrderStatus): boolean => MOVES[from].includes(to);

/** Statuses in which the buyer owns the game (it is in the purchase list). */
export const LIVE: OrderStatus[] = ['paid', 'refund_pending'];
