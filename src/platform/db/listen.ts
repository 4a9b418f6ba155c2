import pg from 'pg';

interface Handlers {
  notify(payload: string): void;
  connect(): void;
  error?(err: unknown): void;
}

/**
 * LISTEN on one channel. Every Listener of a process on the same database shares one connection (a pooled one would
 * be handed to other queries; one per channel cost a node eight connections that all heard the same server): the
 * connection LISTENs on the union of their channels and hands each notification to the listeners of its channel.
 * PostgreSQL drops what was sent while the connection was down, so every (re)connect — and a listener's first LISTEN —
 * calls `connect`, and the caller reloads everything then; a lost connection calls `error`. Notifications call
 * `notify` with their payload as text (never parsed here: a malformed payload must not crash the process). Reconnects
 * with backoff while anyone listens.
 */
export class Listener {
  #hub: ListenHub | undefined;

  constructor(
    private readonly connectionString: string,
    readonly channel: string,
    readonly on: Handlers,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
  }

  /** Whether notifications of this channel are being heard now. */
  get connected(): boolean {
    return this.#hub?.hears(this) ?? false;
  }

  /** Starts listening; resolves once the channel is heard (or the first attempt failed: it goes on retrying). */
  async start(): Promise<void> {
    if (this.#hub) return;
    this.#hub = ListenHub.for(this.connectionString);
    await this.#hub.add(this);
  }

  async stop(): Promise<void> {
    const hub = this.#hub;
    this.#hub = undefined;
    await hub?.remove(this);
  }
}

/** The one LISTEN connection of a process to one database, shared by its listeners. */
class ListenHub {
  static readonly #hubs = new Map<string, ListenHub>();

  static for(connectionString: string): ListenHub {
    let hub = ListenHub.#hubs.get(connectionString);
    if (!hub) ListenHub.#hubs.set(connectionString, (hub = new ListenHub(connectionString)));
    return hub;
  }

  readonly #listeners = new Set<Listener>();
  /** Listeners whose channel the current connection LISTENs on (told `connect`). */
  readonly #heard = new Set<Listener>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  /** LISTEN / UNLISTEN run one at a time, in order. */
  #chain: Promise<void> = Promise.resolve();
  #retryTimer: NodeJS.Timeout | undefined;
  #backoffMs = 250;

  private constructor(private readonly connectionString: string) {}

  hears(l: Listener): boolean {
    return this.#client !== undefined && this.#heard.has(l);
  }

  async add(l: Listener): Promise<void> {
    this.#listeners.add(l);
    if (this.#client) await this.#sync();
    else await this.#connect();
  }

  async remove(l: Listener): Promise<void> {
    this.#listeners.delete(l);
    this.#heard.delete(l);
    if (this.#listeners.size === 0) {
      ListenHub.#hubs.delete(this.connectionString);
      clearTimeout(this.#retryTimer);
      const c = this.#client;
      this.#client = undefined;
      await c?.end().catch(() => undefined);
      return;
    }
    await this.#sync();
  }

  /** LISTENs on channels a new listener needs, UNLISTENs on those nobody needs; tells new listeners they are heard. */
  #sync(): Promise<void> {
    const run = async () => {
      const client = this.#client;
      if (!client) return;
      const wanted = new Set([...this.#listeners].map((l) => l.channel));
      const listened = new Set([...this.#heard].map((l) => l.channel));
      const fresh = [...this.#listeners].filter((l) => !this.#heard.has(l));
      for (const ch of wanted) if (!listened.has(ch)) await client.query(`listen ${ch}`);
      for (const ch of listened) if (!wanted.has(ch)) await client.query(`unlisten ${ch}`);
      // Named after its channels, so an operator (or a test) can find and end it.
      await client.query(`select set_config('application_name', $1, false)`, [`listen:${[...wanted].sort().join(',')}`.slice(0, 63)]);
      if (this.#client !== client) return;
      for (const l of fresh) {
        if (!this.#listeners.has(l)) continue;
        this.#heard.add(l);
        l.on.connect();
      }
    };
    this.#chain = this.#chain.then(run, run).catch((err: unknown) => {
      // A failed LISTEN: the connection is suspect; start over.
      if (this.#client) this.#lost(this.#client, err);
    });
    return this.#chain;
  }

  #connect(): Promise<void> {
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: 'listen' });
      client.on('error', (err) => this.#lost(client, err));
      client.on('end', () => this.#lost(client, new Error('connection ended')));
      client.on('notification', (n) => {
        for (const l of this.#heard) if (l.channel === n.channel) l.on.notify(n.payload ?? '');
      });
      try {
        await client.connect();
      } catch (err) {
        client.end().catch(() => undefined);
        throw err;
      }
      if (this.#listeners.size === 0) {
        await client.end().catch(() => undefined);
        return;
      }
      this.#client = client;
      this.#heard.clear();
      this.#backoffMs = 250;
      await this.#sync();
    })()
      .catch((err: unknown) => this.#retry(err))
      .finally(() => {
        this.#connecting = undefined;
      });
    return this.#connecting;
  }

  #lost(client: pg.Client, err: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    const told = [...this.#heard];
    this.#heard.clear();
    client.end().catch(() => undefined);
    for (const l of told) l.on.error?.(err);
    this.#retry(err, told.length > 0);
  }

  #retry(err: unknown, told = false): void {
    if (this.#listeners.size === 0) return;
    // Listeners not yet heard learn of the failure too (they keep reading through until it is back).
    if (!told) for (const l of this.#listeners) l.on.error?.(err);
    clearTimeout(this.#retryTimer);
    const wait = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, 5_000);
    this.#retryTimer = setTimeout(() => void this.#connect(), wait);
    this.#retryTimer.unref();
  }
}
