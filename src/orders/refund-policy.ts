/**
 * Refund eligibility, a pure rule: a pre-order can be refunded at any time before the release day; a
 * released game within 14 days of its purchase (or of the release, for a pre-order), as Steam does.
 */
export const REFUND_WINDOW_DAYS = 14;

export type RefundDecision = { refundable: true } | { refundable: false; code: 'already_refunded' | 'not_paid' | 'refund_window_over' };

export function refundable(order: { status: string; createdAt: Date }, releaseDate: string | null, now: Date): RefundDecision {
  if (order.status === 'refund_pending' || order.status === 'refunded') return { refundable: false, code: 'already_refunded' };
  if (order.status !== 'paid') return { refundable: false, code: 'not_paid' };
  const released = releaseDate !== null && releaseDate <= now.toISOString().slice(0, 10);
  if (!released) return { refundable: true };
  const since = Math.max(order.createdAt.getTime(), Date.parse(`${releaseDate}T00:00:00Z`));
  if (now.getTime() - since <= REFUND_WINDOW_DAYS * 86_400_000) return { refundable: true };
  return { refundable: false, code: 'refund_window_over' };
}
