import { Signals } from '../platform/signals.ts';

/**
 * Wakes a saga waiting for a buyer's approval as soon as the PG's webhook (or the buyer's return) arrives, keyed by
 * payment id. It is only a hint: the waiting step asks the PG for the payment's state either way, so a lost webhook
 * costs a poll interval, never a payment.
 */
export class PaymentSignals extends Signals {}
