import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
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

/** A journal line: a payment as it now is, or the response kept for an idempotency key. */
type Entry = { p: SimPayment } | { i: [string, StoredResponse] };

/** The earlier file format: the whole state as one JSON object. */
interface Snapshot {
  payments: Record<string, SimPayment>;
  idempotency: Record<string, StoredResponse>;
}

/**
 * In memory, written through to a journal file: one JSON line per change (a payment as it now is, or a stored
 * response for an idempotency key), the last line for a payment winning on load. Appending keeps a change's cost
 * independent of how many payments exist (rewriting the whole state on every change made 10,000 payments cost
 * seconds each); the journal is rewritten compactly when it has grown to twice what it holds. A line cut short by a
 * crash is skipped on load. A file in the earlier format (one JSON snapshot) is read and rewritten as a journal.
 */
export class SimState {
  payments = new Map<string, SimPayment>();
  idempotency = new Map<string, StoredResponse>();
  #lines = 0;

  constructor(private readonly file?: string) {
    if (!file || !existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    if (text.startsWith('{"payments"')) {
      const snap = JSON.parse(text) as Snapshot;
      this.payments = new Map(Object.entries(snap.payments));
      this.idempotency = new Map(Object.entries(snap.idempotency));
      this.compact();
      return;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        continue; // the last line of a crash, cut short
      }
      if ('p' in entry) this.payments.set(entry.p.id, entry.p);
      else this.idempotency.set(entry.i[0], entry.i[1]);
      this.#lines++;
    }
  }

  /** Records what a request changed: the payment as it now is and/or the response kept for an idempotency key. */
  save(change: { payment?: SimPayment; idempotency?: [string, StoredResponse] } = {}): void {
    if (!this.file) return;
    const lines: Entry[] = [];
    if (change.payment) lines.push({ p: change.payment });
    if (change.idempotency) lines.push({ i: change.idempotency });
    if (!lines.length) return;
    if (this.#lines === 0 && !existsSync(this.file)) mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, lines.map((l) => JSON.stringify(l) + '\n').join(''));
    this.#lines += lines.length;
    if (this.#lines > 2 * (this.payments.size + this.idempotency.size) + 1000) this.compact();
  }

  /** Rewrites the journal with one line per payment and per key (atomic rename). */
  private compact(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const lines = [
      ...[...this.payments.values()].map((p) => JSON.stringify({ p })),
      ...[...this.idempotency].map((i) => JSON.stringify({ i })),
    ];
    writeFileSync(`${this.file}.tmp`, lines.map((l) => l + '\n').join(''));
    renameSync(`${this.file}.tmp`, this.file);
    this.#lines = lines.length;
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
