import type { Logger } from 'pino';
import { Listener } from '../platform/db/listen.ts';
import { Signals } from '../platform/signals.ts';

/** The channel the `payment_events` trigger (orders' migrations) notifies with the payment id of each new event. */
export const PAYMENT_EVENT_CHANNEL = 'payment_event';

/**
 * Wakes a saga waiting for a buyer's approval as soon as the PG's webhook (or the buyer's return) arrives, keyed by
 * payment id — on every node: the webhook is recorded in `payment_events`, whose trigger sends NOTIFY at commit, and
 * each node LISTENs, so the node whose saga waits need not be the one the PG called. It is only a hint: the waiting
 * step asks the PG for the payment's state either way and polls slowly as a safety net, so a lost webhook or a
 * dropped LISTEN connection costs a poll interval, never a payment.
 */
export class PaymentSignals extends Signals {
  private listener: Listener | undefined;

  /** Starts listening for other nodes' webhooks (on the process's shared LISTEN connection). */
  async listenAcrossNodes(databaseUrl: string, log?: Pick<Logger, 'warn'>): Promise<void> {
    this.listener = new Listener(databaseUrl, PAYMENT_EVENT_CHANNEL, {
      notify: (paymentId) => this.notify(paymentId),
      // Whatever arrived while the connection was down was lost: wake every waiter to ask the PG now.
      connect: () => this.wakeAll(),
      error: (err) => log?.warn({ err }, 'payments: LISTEN connection lost; waiting sagas poll the PG until it is back'),
    });
    await this.listener.start();
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
  }
}
