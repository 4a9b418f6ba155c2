import { sql, type Kysely, type Migration } from 'kysely';
import { platformError, type Noun } from '../errors.ts';

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
export interface RateLimitTables {
  rate_limits: { key: string; window_start: Date; count: number };
}

export class SharedRateLimiter {
  constructor(
    private readonly db: Kysely<RateLimitTables>,
    private readonly max: number,
    private readonly windowSeconds: number,
  ) {}

  /** Counts one attempt; throws 429 with the wait when it is over the budget. */
  async take(key: string, what: Noun): Promise<void> {
    const r = await sql<{ count: number; wait: number }>`
      insert into rate_limits (key, window_start, count) values (${key}, now(), 1)
      on conflict (key) do update set
        count = case when rate_limits.window_start < now() - make_interval(secs => ${this.windowSeconds}) then 1 else rate_limits.count + 1 end,
        window_start = case when rate_limits.window_start < now() - make_interval(secs => ${this.windowSeconds}) then now() else rate_limits.window_start end
      returning count, ceil(extract(epoch from window_start + make_interval(secs => ${this.windowSeconds}) - now()))::int as wait`.execute(
      this.db,
    );
    const row = r.rows[0]!;
    if (row.count > this.max) throw platformError(429, 'too_many_attempts', { what, seconds: Math.max(1, row.wait) });
  }

  /** Forgets a key (a successful sign-in clears its attempts). */
  async reset(key: string): Promise<void> {
    await sql`delete from rate_limits where key = ${key}`.execute(this.db);
  }
}
