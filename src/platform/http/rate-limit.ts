import { sql, type Kysely, type Migration } from 'kysely';
import { AppError } from '../errors.ts';

/**
 * A fixed-window counter per key (an IP, an account), in this node's memory. Enough for one node; with
 * several nodes the same interface belongs on Redis (INCR + EXPIRE) so the budget is shared.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt; false when the key has used up its budget for the current window. */
  hit(key: string): boolean {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.sweep(now);
    }
    w.count++;
    return w.count <= this.max;
  }

  /** Throws 429 with the wait when the key is over budget. */
  take(key: string, what: string): void {
    if (this.hit(key)) return;
    this.refuseIfSpent(key, what);
  }

  /** Throws 429 when the key has already used up its budget, without counting this call. */
  refuseIfSpent(key: string, what: string): void {
    const w = this.windows.get(key);
    if (!w || this.now() - w.start >= this.windowMs || w.count < this.max) return;
    const seconds = Math.ceil((w.start + this.windowMs - this.now()) / 1000);
    throw new AppError(429, 'too_many_attempts', `Too many ${what}. Try again in ${seconds} seconds.`);
  }

  /** Forgets a key (a successful sign-in clears its failures). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}

export const rateLimitMigrations: Record<string, Migration> = {
  '2026-12-02-07-platform-rate-limits': {
    async up(db: Kysely<unknown>) {
      await sql`create table rate_limits (key text primary key, window_start timestamptz not null, count integer not null)`.execute(db);
      await sql`create index rate_limits_age on rate_limits (window_start)`.execute(db);
    },
  },
};

/**
 * A fixed-window counter per key shared by every node, counted in one SQL statement: the attempt is counted
 * before it is made, so attempts arriving together cannot all be checked against the same old count (40 parallel
 * guesses against a budget of 10 get 10 tries). Database wall time, like the other operational limits.
 */
export class SharedRateLimiter {
  constructor(
    private readonly db: Kysely<any>,
    private readonly max: number,
    private readonly windowSeconds: number,
  ) {}

  /** Counts one attempt; throws 429 with the wait when it is over the budget. */
  async take(key: string, what: string): Promise<void> {
    const r = await sql<{ count: number; wait: number }>`
      insert into rate_limits (key, window_start, count) values (${key}, now(), 1)
      on conflict (key) do update set
        count = case when rate_limits.window_start < now() - make_interval(secs => ${this.windowSeconds}) then 1 else rate_limits.count + 1 end,
        window_start = case when rate_limits.window_start < now() - make_interval(secs => ${this.windowSeconds}) then now() else rate_limits.window_start end
      returning count, ceil(extract(epoch from window_start + make_interval(secs => ${this.windowSeconds}) - now()))::int as wait`.execute(this.db);
    const row = r.rows[0]!;
    if (row.count > this.max) throw new AppError(429, 'too_many_attempts', `Too many ${what}. Try again in ${Math.max(1, row.wait)} seconds.`);
  }

  /** Forgets a key (a successful sign-in clears its attempts). */
  async reset(key: string): Promise<void> {
    await sql`delete from rate_limits where key = ${key}`.execute(this.db);
  }
}
