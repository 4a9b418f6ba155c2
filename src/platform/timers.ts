import { sql, type Kysely, type Migration } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import { asTx, tablesOf, type Tx } from './db/tx.ts';

/**
 * Durable timers: "at <due_at>, do <handler>(input)", written in the same transaction as the change that
 * needs it (a gift paid → its delivery; a gift delivered → its 30-day limit; a gift declined → its refund).
 *
 * Why not DBOS's durable sleep or delayed start: both run on the wall clock, so the store's injected clock
 * (tests, the dev clock) could not move a 30-day wait, and each sleeping workflow is held in memory
 * (PLATFORM-NOTES: 2,000 sleeping workflows ≈ 150 MB). A row per timer costs nothing while it waits.
 *
 * Each node asks for due timers through a partial index (only unfired rows, ordered by due time) — it reads
 * what is due, never the whole table — about once a second, and at once when `kick()` is called. A timer
 * fires at most once:
 *  - a `local` handler runs inside the transaction that marks the timer fired (row locked, SKIP LOCKED
 *    between nodes), so its effect and "fired" commit together or not at all;
 *  - a `workflow` handler starts a DBOS workflow whose id is the timer id: if the process dies after the
 *    start and before the commit, the next attempt starts the same id again, which DBOS treats as the same
 *    workflow.
 * A handler that throws is retried later with backoff; the error is kept on the row.
 */

export const timerMigrations: Record<string, Migration> = {
  '2026-11-24-10-platform-timers': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table timers (
          id text primary key,
          handler text not null,
          input jsonb not null,
          due_at timestamptz not null,
          created_at timestamptz not null,
          fired_at timestamptz,
          attempts integer not null default 0,
          last_error text
        )`.execute(db);
      await sql`create index timers_due on timers (due_at) where fired_at is null`.execute(db);
    },
  },
};

export interface TimerTables {
  timers: {
    id: string;
    handler: string;
    input: string;
    due_at: Date;
    created_at: Date;
    fired_at: Date | null;
    attempts: number;
    last_error: string | null;
  };
}

export type TimerHandler =
  | { kind: 'local'; run(tx: Tx, input: any, now: Date): Promise<void> }
  | { kind: 'workflow'; start(workflowId: string, input: any): Promise<unknown> };

export interface NewTimer {
  /** Unique forever: scheduling the same id again is a no-op (and, for workflows, the workflow id). */
  id: string;
  handler: string;
  input: unknown;
  dueAt: Date;
}

export class Timers {
  private readonly handlers = new Map<string, TimerHandler>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private again = false;

  constructor(
    private readonly db: Kysely<TimerTables>,
    private readonly clock: Clock,
    private readonly log: Pick<Logger, 'warn' | 'error'>,
    private readonly pollMs = 1000,
  ) {}

  register(name: string, handler: TimerHandler): void {
    this.handlers.set(name, handler);
  }

  /** Schedules a timer inside the caller's transaction (pass any Kysely over the same database). */
  async schedule(tx: Tx, t: NewTimer): Promise<void> {
    if (!this.handlers.has(t.handler)) throw new Error(`no timer handler "${t.handler}" is registered`);
    await tablesOf<TimerTables>(tx)
      .insertInto('timers')
      .values({
        id: t.id,
        handler: t.handler,
        input: JSON.stringify(t.input),
        due_at: t.dueAt,
        created_at: this.clock.now(),
        fired_at: null,
        attempts: 0,
        last_error: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /**
   * Drops a timer that has not fired (its work became pointless, e.g. a gift accepted before its limit).
   * A timer being fired right now is locked by the poller: it is skipped, not waited for — waiting would
   * deadlock against a handler that locks the row the caller holds — and its handler finds nothing to do.
   */
  async cancel(tx: Tx, id: string): Promise<void> {
    await sql`delete from timers where id in (select id from timers where id = ${id} and fired_at is null for update skip locked)`.execute(
      tablesOf<TimerTables>(tx),
    );
  }

  /** Looks for due timers now instead of at the next poll (after scheduling one due at once, or moving a test clock). */
  kick(): void {
    this.again = true;
    this.wake?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        this.again = false;
        try {
          while (this.running && (await this.fireNext())) {
            /* fire everything that is due */
          }
        } catch (err) {
          this.log.error({ err }, 'timer poll failed');
        }
        if (!this.running || this.again) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /**
   * Fires every timer due by the store's clock now, waiting for the ones another poller holds, and returns when none
   * is due: after it, "nothing more happens until the clock moves" is a fact a test (or a tool) can rely on.
   */
  async drain(): Promise<void> {
    for (;;) {
      if (await this.fireNext()) continue;
      const due = await this.db
        .selectFrom('timers')
        .select('id')
        .where('fired_at', 'is', null)
        .where('due_at', '<=', this.clock.now())
        .limit(1)
        .executeTakeFirst();
      if (!due) return;
      await new Promise((r) => setTimeout(r, 20)); // another node's poller is firing it: wait for its commit
    }
  }

  /** Fires the earliest due timer, if any; true when one was handled (fired or failed and pushed back). */
  async fireNext(): Promise<boolean> {
    const now = this.clock.now();
    let failed: { id: string; attempts: number; error: string } | undefined;
    const handled = await this.db.transaction().execute(async (trx) => {
      const t = await trx
        .selectFrom('timers')
        .selectAll()
        .where('fired_at', 'is', null)
        .where('due_at', '<=', now)
        .orderBy('due_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!t) return false;
      const handler = this.handlers.get(t.handler);
      try {
        if (!handler) throw new Error(`no timer handler "${t.handler}" is registered on this node`);
        const input = typeof t.input === 'string' ? JSON.parse(t.input) : t.input;
        if (handler.kind === 'local') {
          // A savepoint, so a failing handler's writes are undone but the timer row stays ours to update.
          await sql`savepoint timer_handler`.execute(trx);
          try {
            await handler.run(asTx(trx), input, now);
          } catch (err) {
            await sql`rollback to savepoint timer_handler`.execute(trx);
            throw err;
          }
        } else await handler.start(t.id, input);
        await trx
          .updateTable('timers')
          .set({ fired_at: now, attempts: t.attempts + 1, last_error: null })
          .where('id', '=', t.id)
          .execute();
      } catch (err) {
        failed = { id: t.id, attempts: t.attempts + 1, error: err instanceof Error ? err.message : String(err) };
        // Back off: 1 s, 2 s, 4 s … up to 10 minutes, counted from the store's clock.
        const delay = Math.min(1000 * 2 ** t.attempts, 600_000);
        await trx
          .updateTable('timers')
          .set({ attempts: t.attempts + 1, last_error: failed.error, due_at: new Date(now.getTime() + delay) })
          .where('id', '=', t.id)
          .execute();
      }
      return true;
    });
    if (failed) this.log.warn({ timer: failed.id, attempts: failed.attempts, err: failed.error }, 'timer handler failed; retrying later');
    return handled;
  }

  /** Timers not fired yet (tests, diagnostics). */
  pending(prefix = '') {
    return this.db
      .selectFrom('timers')
      .select(['id', 'handler', 'due_at', 'attempts', 'last_error'])
      .where('fired_at', 'is', null)
      .where('id', 'like', `${prefix}%`)
      .orderBy('due_at')
      .execute();
  }
}
