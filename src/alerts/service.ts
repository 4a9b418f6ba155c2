import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import { newId } from '../platform/ids.ts';
import type { AlertRow, AlertStore } from './store.ts';

/** What needs an operator: money the store could not settle by itself, work stuck past its limit. */
export type AlertKind =
  /** The PG gave a definite "no" the store cannot act on (a refund of a payment already refunded, a changed request). */
  | 'payment_rejected'
  /** Money captured for an order that is not live (cancelled, unknown): refunded automatically, reported. */
  | 'capture_without_order'
  /** An order or saga stuck past its time limit. */
  | 'stuck'
  /** A saga run that ended in ERROR, or that DBOS stopped recovering (MAX_RECOVERY_ATTEMPTS_EXCEEDED). */
  | 'saga_failed'
  /** What the PG holds for a payment differs from what the store's order says it should. */
  | 'settlement_mismatch';

export interface Alert {
  kind: AlertKind;
  /** What it is about, as `order:<id>`, `payment:<id>`, `workflow:<id>`. */
  subject: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Operator alerts: one open alert per kind and subject, counted when raised again; a mail to the operators'
 * address when one opens (ALERT_EMAIL), a gauge on /metrics and a list in the console.
 */
export class AlertService {
  constructor(
    private readonly store: AlertStore,
    private readonly clock: Clock,
    private readonly opts: { email?: string; publicUrl: string; log: Pick<Logger, 'error'> },
  ) {}

  /** Raises `a`; with `once`, only if its kind and subject were never raised before (see AlertStore.raise). */
  async raise(a: Alert, opts: { once?: boolean } = {}): Promise<void> {
    const { opened, id } = await this.store.raise(
      { id: newId(), kind: a.kind, subject: a.subject, message: a.message, details: a.details ?? {} },
      this.clock.now(),
      this.opts.email
        ? (alertId) => ({
            to: this.opts.email!,
            dedupeKey: `alert:${alertId}`,
            subject: `[store alert] ${a.kind}: ${a.subject}`,
            text: `${a.message}\n\n${JSON.stringify(a.details ?? {}, null, 2)}\n\nSee ${this.opts.publicUrl}/console/alerts\n`,
          })
        : undefined,
      opts.once,
    );
    if (opened) this.opts.log.error({ alert: { id, ...a } }, `alert: ${a.message}`);
  }

  list(open: boolean | undefined, limit: number) {
    return this.store.list({ open, limit });
  }

  resolve(id: string, by: string): Promise<AlertRow | undefined> {
    return this.store.resolve(id, by, this.clock.now());
  }

  openCount() {
    return this.store.openCount();
  }
}
