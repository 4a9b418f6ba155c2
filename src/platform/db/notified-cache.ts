import type { Logger } from 'pino';
import { Listener } from './listen.ts';

/**
 * A per-node read cache that PostgreSQL keeps honest (issue 15: hot read paths without a database round trip).
 *
 * Triggers on the cached tables send NOTIFY on `channel` in the writing transaction, so the notification is
 * delivered when the change commits, whoever wrote it (the store, a script, psql). The payload is a tag (a user
 * id, say) and drops that tag's entries; an empty payload drops everything. Every node LISTENs (one connection per
 * process and database, shared by all its listeners: db/listen.ts):
 * - while the connection is down the cache is bypassed (nothing missed can be served), and it is emptied on every
 *   (re)connect, because PostgreSQL drops notifications sent while nobody listened;
 * - a fill that started before a notification arrived is not kept (the read may have seen the old rows), so a
 *   change is never papered over by a read that raced it;
 * - entries also expire after `ttlMs` and the oldest go beyond `max`, bounding memory and any surprise.
 * Without a database URL (scripts, unit tests) nothing is cached.
 */
export class NotifiedCache<V> {
  readonly #entries = new Map<string, { value: V; until: number; tag: string | undefined }>();
  readonly #byTag = new Map<string, Set<string>>();
  #generation = 0;
  /** Loads under way: requests missing the same key at once share one (no stampede on a popular page). */
  readonly #loading = new Map<string, { generation: number; value: Promise<V> }>();
  #listener: Listener | undefined;
  /** Reads answered from memory and reads that went to the loader, for health pages and benchmarks. */
  readonly stats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(
    private readonly opts: {
      databaseUrl?: string;
      channel: string;
      ttlMs: number;
      max: number;
      /** Milliseconds on a clock that never jumps (the default: performance.now); lifetimes are operational, not business time. */
      now?: () => number;
      log?: Pick<Logger, 'warn'>;
    },
  ) {}

  /** Whether reads are served from memory now (listening); false means every read goes to the loader. */
  get live(): boolean {
    return this.#listener?.connected ?? false;
  }

  async start(): Promise<void> {
    if (!this.opts.databaseUrl || this.#listener) return;
    this.#listener = new Listener(this.opts.databaseUrl, this.opts.channel, {
      notify: (payload) => this.invalidate(payload || undefined),
      connect: () => this.invalidate(),
      error: (err) => {
        this.invalidate();
        this.opts.log?.warn({ err, channel: this.opts.channel }, 'cache: LISTEN connection lost; reading through until it is back');
      },
    });
    await this.#listener.start();
  }

  async stop(): Promise<void> {
    await this.#listener?.stop();
    this.#listener = undefined;
    this.invalidate();
  }

  /** Drops `tag`'s entries, or everything without a tag. Called by notifications, and by a writer on this node. */
  invalidate(tag?: string): void {
    this.#generation++;
    this.stats.invalidations++;
    if (tag === undefined) {
      this.#entries.clear();
      this.#byTag.clear();
      return;
    }
    for (const key of this.#byTag.get(tag) ?? []) this.#entries.delete(key);
    this.#byTag.delete(tag);
  }

  /** The value kept for `key`, if there is one now; nothing is loaded. */
  peek(key: string): V | undefined {
    const hit = this.live ? this.#entries.get(key) : undefined;
    if (!hit || hit.until <= (this.opts.now ? this.opts.now() : performance.now())) return undefined;
    this.stats.hits++;
    return hit.value;
  }

  /**
   * The cached value, or `load()`'s (kept unless a change arrived meanwhile). `tag` names what invalidates a value;
   * `ttlMs` may shorten its life (0: not kept), never lengthen it beyond the cache's.
   */
  async through(
    key: string,
    load: () => Promise<V>,
    opts: { tag?: (value: V) => string | undefined; ttlMs?: (value: V) => number } = {},
  ): Promise<V> {
    const now = this.opts.now ? this.opts.now() : performance.now();
    const hit = this.live ? this.#entries.get(key) : undefined;
    if (hit && hit.until > now) {
      this.stats.hits++;
      return hit.value;
    }
    this.stats.misses++;
    const generation = this.#generation;
    // Join a load of the same key begun since the last change (one that began before it may have read old rows).
    const pending = this.#loading.get(key);
    if (pending && pending.generation === generation) return pending.value;
    const value = load();
    this.#loading.set(key, { generation, value });
    try {
      const v = await value;
      const ttlMs = Math.min(this.opts.ttlMs, opts.ttlMs?.(v) ?? Infinity);
      if (generation === this.#generation && this.live && ttlMs > 0) this.put(key, v, opts.tag?.(v), now + ttlMs);
      return v;
    } finally {
      if (this.#loading.get(key)?.value === value) this.#loading.delete(key);
    }
  }

  private put(key: string, value: V, tag: string | undefined, until: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, until, tag });
    if (tag !== undefined) {
      let keys = this.#byTag.get(tag);
      if (!keys) this.#byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (this.#entries.size > this.opts.max) {
      const [oldest, entry] = this.#entries.entries().next().value as [string, { tag: string | undefined }];
      this.#entries.delete(oldest);
      if (entry.tag !== undefined) this.#byTag.get(entry.tag)?.delete(oldest);
    }
  }
}
