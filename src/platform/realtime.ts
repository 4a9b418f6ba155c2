import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';

/**
 * Fan-out between the nodes of the store (R14, R3): what one node publishes, every node's subscribers receive.
 * One node needs nothing (an in-process emitter); several share Redis pub/sub (`REDIS_URL`). Pub/sub is at most
 * once — a node that was disconnected misses messages — so whatever must not be lost is stored first (chat messages
 * in PostgreSQL) and clients catch up from there by their last-seen position; the fan-out only makes it fast.
 */
export interface Fanout {
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: (message: unknown) => void): () => void;
  /** For health and the "reconnecting" state clients show. */
  readonly healthy: boolean;
  close(): Promise<void>;
}

export class LocalFanout implements Fanout {
  readonly #bus = new EventEmitter().setMaxListeners(0);
  readonly healthy = true;
  async publish(channel: string, message: unknown): Promise<void> {
    this.#bus.emit(channel, message);
  }
  subscribe(channel: string, handler: (message: unknown) => void): () => void {
    this.#bus.on(channel, handler);
    return () => this.#bus.off(channel, handler);
  }
  async close(): Promise<void> {
    this.#bus.removeAllListeners();
  }
}

/** Redis pub/sub: one connection publishes, one subscribes; both reconnect by themselves (ioredis). */
export class RedisFanout implements Fanout {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #local = new EventEmitter().setMaxListeners(0);
  readonly #counts = new Map<string, number>();

  constructor(url: string) {
    // Commands fail fast while Redis is away (no offline queue): a publish that cannot go out is reported, never held.
    const opts = {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (n: number) => Math.min(n * 200, 2000),
    };
    this.#pub = new Redis(url, opts);
    this.#sub = new Redis(url, { ...opts, enableOfflineQueue: true });
    for (const c of [this.#pub, this.#sub]) c.on('error', () => undefined);
    this.#sub.on('message', (channel: string, raw: string) => {
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      this.#local.emit(channel, message);
    });
  }

  get healthy(): boolean {
    return this.#pub.status === 'ready' && this.#sub.status === 'ready';
  }

  /** The publishing connection, which also serves plain commands (counters shared by the nodes). */
  get commands(): Redis {
    return this.#pub;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.#pub.publish(channel, JSON.stringify(message));
  }

  subscribe(channel: string, handler: (message: unknown) => void): () => void {
    this.#local.on(channel, handler);
    const n = (this.#counts.get(channel) ?? 0) + 1;
    this.#counts.set(channel, n);
    if (n === 1) void this.#sub.subscribe(channel).catch(() => undefined);
    return () => {
      this.#local.off(channel, handler);
      const left = (this.#counts.get(channel) ?? 1) - 1;
      if (left <= 0) {
        this.#counts.delete(channel);
        void this.#sub.unsubscribe(channel).catch(() => undefined);
      } else this.#counts.set(channel, left);
    };
  }

  async close(): Promise<void> {
    this.#local.removeAllListeners();
    this.#pub.disconnect();
    this.#sub.disconnect();
  }
}
