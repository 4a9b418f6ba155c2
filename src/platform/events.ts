import { sql, type Generated, type Kysely, type Migration } from 'kysely';
import type { Logger } from 'pino';
import { afterCommit, asTx, tablesOf, type Transactions, type Tx } from './db/tx.ts';
import { newId } from './ids.ts';

/**
 * The store's domain event log: one append-only table every context publishes to and reads from (recommendations,
 * chat, analytics, sharing). Outbox-backed: an event is written in the same transaction as the state change it
 * announces, so it exists exactly when that change committed.
 *
 * Events are typed by declaration merging: a context declares its own events next to its code,
 *
 *   declare module '../platform/events.ts' { interface DomainEventMap { 'wishlist.added': { userId: string; … } } }
 *
 * so platform never imports a context and `publish` still checks every payload.
 *
 * Readers keep a cursor per consumer and see events in commit order, none skipped: an event row carries the id of
 * the transaction that wrote it, and a reader only reads rows whose transaction is older than every transaction still
 * running (`pg_snapshot_xmin`), ordered by (transaction id, sequence). A sequence number alone is not enough: a
 * transaction that took number 10 can commit after one that took 11 was already read, and 10 would be skipped.
 * A consumer handles a batch and moves its cursor in one transaction: its effects happen once per event.
 */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by each context (declaration merging)
export interface DomainEventMap {}

export type EventType = keyof DomainEventMap;

export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  payload: DomainEventMap[T];
  occurredAt: Date;
}

/** One event of any of the types `T`, as a discriminated union on `type` (a `switch` narrows the payload). */
export type EventOf<T extends EventType> = { [K in T]: DomainEvent<K> }[T];

export const eventMigrations: Record<string, Migration> = {
  '2026-12-02-10-platform-domain-events': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table domain_events (
          seq bigint generated always as identity primary key,
          xid xid8 not null default pg_current_xact_id(),
          id uuid not null unique,
          type text not null,
          payload jsonb not null,
          occurred_at timestamptz not null,
          dedupe_key text unique
        )`.execute(db);
      await sql`create index domain_events_order on domain_events (xid, seq)`.execute(db);
      await sql`create index domain_events_type on domain_events (type, occurred_at)`.execute(db);
      await sql`
        create table event_cursors (
          consumer text primary key,
          xid xid8 not null,
          seq bigint not null,
          updated_at timestamptz not null
        )`.execute(db);
    },
  },
};

export interface EventTables {
  domain_events: {
    seq: Generated<string>;
    xid: Generated<string>;
    id: string;
    type: string;
    payload: unknown;
    occurred_at: Date;
    dedupe_key: string | null;
  };
  event_cursors: { consumer: string; xid: string; seq: string; updated_at: Date };
}

const wakeUps = new Set<() => void>();

/**
 * Appends an event inside the caller's transaction. With a `dedupeKey`, a second publish of the same key is a no-op
 * (a re-run step). Consumers in this process are woken when the transaction commits.
 */
export async function publish<T extends EventType>(
  tx: Tx,
  type: T,
  payload: DomainEventMap[T],
  occurredAt: Date,
  dedupeKey?: string,
): Promise<void> {
  await tablesOf<EventTables>(tx)
    .insertInto('domain_events')
    .values({ id: newId(), type, payload: JSON.stringify(payload), occurred_at: occurredAt, dedupe_key: dedupeKey ?? null })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
  afterCommit(tx, () => {
    for (const wake of wakeUps) wake();
  });
}

export interface ConsumerOptions<T extends EventType> {
  /** Stable name: the cursor is stored under it. */
  name: string;
  types: readonly T[];
  /** Runs in the transaction that moves the cursor: what it writes commits with the cursor, or neither does. */
  handle: (tx: Tx, events: EventOf<T>[]) => Promise<void>;
  batchSize?: number;
}

/** Reads the log for its consumers: each polls (and is woken by commits in this process), one batch per transaction. */
export class EventLog {
  private readonly consumers: ConsumerOptions<EventType>[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private readonly wake = () => {
    this.again = true;
    if (this.timer && !this.running) {
      clearTimeout(this.timer);
      this.timer = setTimeout(this.tick, 0);
    }
  };

  constructor(
    private readonly db: Kysely<EventTables>,
    private readonly transactions: Transactions,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly pollMs = 1000,
  ) {}

  consumer<T extends EventType>(opts: ConsumerOptions<T>): void {
    this.consumers.push(opts as unknown as ConsumerOptions<EventType>);
  }

  start(): void {
    wakeUps.add(this.wake);
    this.timer = setTimeout(this.tick, 0);
  }

  async stop(): Promise<void> {
    wakeUps.delete(this.wake);
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private readonly tick = () => {
    this.again = false;
    const round = this.drain().then(
      () => undefined,
      (err: unknown) => this.log.warn({ err }, 'event consumers round failed'),
    );
    this.running = round;
    void round.finally(() => {
      this.running = undefined;
      if (this.timer) this.timer = setTimeout(this.tick, this.again ? 0 : this.pollMs);
    });
  };

  /**
   * Runs every consumer until none has anything it can read now: what is older than the oldest transaction still open
   * anywhere on the server (keep transactions short, or every reader waits for them; timers therefore never hold one
   * open for long work).
   */
  async drain(): Promise<void> {
    for (let busy = true; busy;) {
      busy = false;
      for (const c of this.consumers) if ((await this.step(c)) > 0) busy = true;
    }
  }

  /**
   * Waits until every consumer has handled every event committed before the call (tests wait for the projections
   * with it). A transaction open elsewhere on the server — another database's, even — can hide committed events
   * from the readers for a while; this waits it out (up to `timeoutMs`) instead of returning early.
   */
  async caughtUp(timeoutMs = 15_000): Promise<void> {
    const { target } = (await sql<{ target: string | null }>`select max(xid)::text as target from domain_events`.execute(this.db)).rows[0]!;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.drain();
      if (target === null || !this.consumers.length) return;
      const behind = await sql<{ n: number }>`
        select count(*)::int as n from event_cursors
        where consumer = any(${this.consumers.map((c) => c.name)}) and xid < ${target}::xid8`.execute(this.db);
      const started = await sql<{ n: number }>`
        select count(*)::int as n from event_cursors where consumer = any(${this.consumers.map((c) => c.name)})`.execute(this.db);
      if (behind.rows[0]!.n === 0 && started.rows[0]!.n === this.consumers.length) return;
      if (Date.now() > deadline)
        throw new Error(`event log: events up to xid ${target} are still not handled after ${timeoutMs} ms (a long transaction?)`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** One batch for one consumer; how many events it handled. */
  async step(c: ConsumerOptions<EventType>): Promise<number> {
    return this.transactions.run(async (tx) => {
      const db = tablesOf<EventTables>(tx);
      await db
        .insertInto('event_cursors')
        .values({ consumer: c.name, xid: '0', seq: '0', updated_at: new Date() })
        .onConflict((oc) => oc.column('consumer').doNothing())
        .execute();
      // The row lock makes two nodes running the same consumer take turns instead of handling a batch twice.
      const cursor = await db.selectFrom('event_cursors').selectAll().where('consumer', '=', c.name).forUpdate().executeTakeFirstOrThrow();
      const rows = await sql<EventTables['domain_events']>`
        select seq, xid, id, type, payload, occurred_at from domain_events
        where (xid, seq) > (${cursor.xid}::xid8, ${cursor.seq}::bigint)
          and xid < pg_snapshot_xmin(pg_current_snapshot())
        order by xid, seq
        limit ${c.batchSize ?? 500}`.execute(tx as unknown as Kysely<EventTables>);
      const last = rows.rows.at(-1);
      if (!last) return 0;
      const wanted = rows.rows.filter((r) => (c.types as readonly string[]).includes(r.type));
      if (wanted.length > 0) {
        await c.handle(
          tx,
          wanted.map((r) => ({ id: r.id, type: r.type, payload: r.payload, occurredAt: r.occurred_at }) as EventOf<EventType>),
        );
      }
      await db
        .updateTable('event_cursors')
        .set({ xid: String(last.xid), seq: String(last.seq), updated_at: new Date() })
        .where('consumer', '=', c.name)
        .execute();
      return rows.rows.length;
    });
  }

  /** Events of some types in a time window, oldest first (analytics, back-fills). */
  async read<T extends EventType>(types: readonly T[], from: Date, to: Date): Promise<DomainEvent<T>[]> {
    const rows = await this.db
      .selectFrom('domain_events')
      .select(['id', 'type', 'payload', 'occurred_at'])
      .where('type', 'in', types as readonly string[])
      .where('occurred_at', '>=', from)
      .where('occurred_at', '<', to)
      .orderBy('occurred_at')
      .execute();
    return rows.map((r) => ({ id: r.id, type: r.type as T, payload: r.payload as DomainEventMap[T], occurredAt: r.occurred_at }));
  }
}

/** For stores and tests that publish outside a `Transactions.run` (seeding): the plain database as a transaction. */
export const eventsTx = (db: Kysely<EventTables>): Tx => asTx(db);
