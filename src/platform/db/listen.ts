import pg from 'pg';

/**
 * LISTEN on one channel over its own connection (a pooled one would be handed to other queries). PostgreSQL drops
 * what was sent while the connection was down, so every (re)connect calls `onConnect` — the caller reloads
 * everything then — and notifications call `onNotify` with their payload as text (never parsed here: a malformed
 * payload must not crash the process). Reconnects with backoff until stopped.
 */
export class Listener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = 250;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly on: { notify(payload: string): void; connect(): void; error?(err: unknown): void },
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect().catch((err: unknown) => this.retry(err));
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: `listen:${this.channel}` });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (n) => {
      if (n.channel === this.channel) this.on.notify(n.payload ?? '');
    });
    await client.connect();
    await client.query(`listen ${this.channel}`);
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoffMs = 250;
    this.on.connect();
  }

  private lost(client: pg.Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.retry(err);
  }

  private retry(err: unknown): void {
    if (this.stopped) return;
    this.on.error?.(err);
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 5_000);
    this.retryTimer = setTimeout(() => {
      this.connect().catch((e: unknown) => this.retry(e));
    }, wait);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
