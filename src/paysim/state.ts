import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** paysim's own state (it is another company's system: it shares nothing with the store). */

export type PaymentStatus = 'requires_approval' | 'authorized' | 'captured' | 'canceled' | 'declined';

export interface SimRefund {
  id: string;
  amountMinor: number;
  createdAt: string;
}

export interface SimPayment {
  id: string;
  orderRef: string;
  method: string;
  amountMinor: number;
  currency: string;
  captureMode: 'automatic' | 'manual';
  status: PaymentStatus;
  capturedMinor: number;
  refundedMinor: number;
  refunds: SimRefund[];
  returnUrl?: string;
  webhookUrl?: string;
  /** Faults asked for at creation that also apply to this payment's later webhooks. */
  webhookFaults: string[];
  createdAt: string;
}

export interface StoredResponse {
  /** What the request asked for; the same key with a different request is refused, like Stripe does. */
  fingerprint: string;
  status: number;
  body: unknown;
}

interface Snapshot {
  payments: Record<string, SimPayment>;
  idempotency: Record<string, StoredResponse>;
}

/** In memory, written through to a JSON file (atomic rename) so a paysim restart keeps every payment. */
export class SimState {
  payments = new Map<string, SimPayment>();
  idempotency = new Map<string, StoredResponse>();

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
      this.payments = new Map(Object.entries(snap.payments));
      this.idempotency = new Map(Object.entries(snap.idempotency));
    }
  }

  save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const snap: Snapshot = { payments: Object.fromEntries(this.payments), idempotency: Object.fromEntries(this.idempotency) };
    writeFileSync(`${this.file}.tmp`, JSON.stringify(snap));
    renameSync(`${this.file}.tmp`, this.file);
  }

  /** Money actually moved, per currency: what the store's books must agree with. */
  totals(): Record<string, { capturedMinor: number; refundedMinor: number }> {
    const out: Record<string, { capturedMinor: number; refundedMinor: number }> = {};
    for (const p of this.payments.values()) {
      const t = (out[p.currency] ??= { capturedMinor: 0, refundedMinor: 0 });
      t.capturedMinor += p.capturedMinor;
      t.refundedMinor += p.refundedMinor;
    }
    return out;
  }
}
