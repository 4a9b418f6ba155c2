import type { Fanout } from '../platform/realtime.ts';
import type { MessageRow } from './store.ts';

/** The fan-out channel every node's messages go through, in `seq` order (one per cluster). */
export const STREAM_CHANNEL = 'chat:messages';

/** A stored message as it goes over the fan-out, with the members it is for (as the sender's node saw them). */
export type StreamedMessage = {
  seq: number;
  id: string;
  conversationId: string;
  senderId: string;
  body: string;
  createdAt: string;
  to: string[];
};

/** What a connection hears from the stream: a message for its user, or "read what you missed from the database". */
export type StreamEvent = { type: 'message'; message: StreamedMessage } | { type: 'resync' };

/** How long the stream may be silent before a node asks the database whether it missed the end of it. */
const TAIL_CHECK_MS = 2000;

/**
 * Live chat messages as one ordered stream (R14). Messages are numbered (`seq`, a sequence taken under one lock held
 * until the batch is published: store.ts) and each batch is published once, to every node, in `seq` order — so a node
 * receives every message in order and hands each one straight to the connections of its members, without reading it
 * back from PostgreSQL (the fan-out carries it). Pub/sub is at most once, so the stream is checked: positions follow
 * each other (a sequence skips a number only when an insert is rolled back, which is rare), and when one is skipped —
 * Redis was away, a node died between its commit and its publish, a batch was rolled back — or when the node cannot
 * know (just started; the stream silent for 2 s while the database has more), every local connection is told to
 * `resync`: it reads what came after its own position from PostgreSQL, the record, as a reconnecting client does.
 * This is how Discord's gateways and Matrix's workers behave: the fan-out is fast and ordered, the store is the truth.
 */
export class MessageStream {
  readonly #handlers = new Map<string, Set<(e: StreamEvent) => void>>();
  /** The position expected next; undefined until the first batch after start (then unsure whether any was missed). */
  #next: number | undefined;
  #lastHeard = Date.now();
  #chain: Promise<void> = Promise.resolve();
  readonly #unsubscribe: () => void;
  readonly #tail: NodeJS.Timeout;

  constructor(
    private readonly d: {
      fanout: Fanout;
      /** The highest position stored (the tail check). */
      tailSeq: () => Promise<number>;
    },
  ) {
    this.#unsubscribe = d.fanout.subscribe(STREAM_CHANNEL, (raw) => {
      const batch = raw as StreamedMessage[];
      if (Array.isArray(batch) && batch.length) this.#chain = this.#chain.then(() => this.take(batch));
    });
    this.#tail = setInterval(() => {
      if (this.#handlers.size && Date.now() - this.#lastHeard >= TAIL_CHECK_MS)
        this.#chain = this.#chain.then(() => this.checkTail()).catch(() => undefined);
    }, TAIL_CHECK_MS);
    this.#tail.unref();
  }

  /** Publishes a batch of messages just committed, in `seq` order (called under the lock that orders them). */
  publish(rows: (MessageRow & { to: string[] })[]): Promise<void> {
    const batch: StreamedMessage[] = rows.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      conversationId: r.conversation_id,
      senderId: r.sender_id,
      body: r.body,
      createdAt: r.created_at.toISOString(),
      to: r.to,
    }));
    return this.d.fanout.publish(STREAM_CHANNEL, batch);
  }

  /** Hears the stream's messages for one user on this node (and resyncs). */
  listen(userId: string, handler: (e: StreamEvent) => void): () => void {
    let set = this.#handlers.get(userId);
    if (!set) this.#handlers.set(userId, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (!set.size && this.#handlers.get(userId) === set) this.#handlers.delete(userId);
    };
  }

  private take(batch: StreamedMessage[]): void {
    this.#lastHeard = Date.now();
    const next = this.#next;
    const rows = next === undefined ? batch : batch.filter((m) => m.seq >= next);
    if (!rows.length) return;
    this.#next = rows[rows.length - 1]!.seq + 1;
    // Skipped positions (or none known yet): every connection reads from the database first; what is delivered
    // below meanwhile waits in the connection until it has (gateway.ts), so the order holds.
    if (next === undefined || rows[0]!.seq !== next) this.resyncAll();
    for (const message of rows)
      for (const userId of message.to) {
        const set = this.#handlers.get(userId);
        if (set) for (const h of set) h({ type: 'message', message });
      }
  }

  private async checkTail(): Promise<void> {
    if (Date.now() - this.#lastHeard < TAIL_CHECK_MS) return;
    this.#lastHeard = Date.now();
    const tail = await this.d.tailSeq();
    if (this.#next === undefined || tail >= this.#next) {
      this.#next = tail + 1;
      this.resyncAll();
    }
  }

  private resyncAll(): void {
    for (const set of this.#handlers.values()) for (const h of set) h({ type: 'resync' });
  }

  stop(): void {
    clearInterval(this.#tail);
    this.#unsubscribe();
  }
}
