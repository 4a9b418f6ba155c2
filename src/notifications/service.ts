import { sql, type Kysely, type Migration } from 'kysely';
import { tablesOf, type Tx } from '../platform/db/tx.ts';
import type { Clock } from '../platform/clock.ts';
import { newId } from '../platform/ids.ts';

/** In-app notifications: what a user is told inside the store (friend requests, later gifts). */
export const notificationMigrations: Record<string, Migration> = {
  '2026-11-24-08-notifications': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table notifications (
          id uuid primary key,
          user_id text not null,
          kind text not null,
          payload jsonb not null,
          created_at timestamptz not null,
          read_at timestamptz
        )`.execute(db);
      await sql`create index notifications_user on notifications (user_id, created_at desc)`.execute(db);
    },
  },
};

export interface NotificationTables {
  notifications: { id: string; user_id: string; kind: string; payload: string; created_at: Date; read_at: Date | null };
}

export interface Notification {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: string;
  read: boolean;
}

export class NotificationService {
  constructor(
    private readonly db: Kysely<NotificationTables>,
    private readonly clock: Clock,
  ) {}

  /** Adds a notification; pass a transaction to write it together with the change it announces. */
  async notify(userId: string, kind: string, payload: Record<string, unknown>, tx?: Tx): Promise<void> {
    await (tx ? tablesOf<NotificationTables>(tx) : this.db)
      .insertInto('notifications')
      .values({ id: newId(), user_id: userId, kind, payload: JSON.stringify(payload), created_at: this.clock.now(), read_at: null })
      .execute();
  }

  async list(userId: string): Promise<Notification[]> {
    const rows = await this.db.selectFrom('notifications').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').limit(100).execute();
    return rows.map((r) => ({ id: r.id, kind: r.kind, payload: r.payload as unknown as Record<string, unknown>, createdAt: r.created_at.toISOString(), read: r.read_at !== null }));
  }

  async markRead(userId: string, id: string): Promise<boolean> {
    const r = await this.db.updateTable('notifications').set({ read_at: this.clock.now() }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }
}
