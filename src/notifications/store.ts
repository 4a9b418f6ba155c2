import type { Kysely, Selectable } from 'kysely';
import { tablesOf, type Tx } from '../platform/db/tx.ts';

export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  payload: string;
  created_at: Date;
  read_at: Date | null;
}
export interface NotificationTables {
  notifications: NotificationsTable;
}
export type NotificationRow = Selectable<NotificationsTable>;

/** All SQL of the notifications table. */
export class NotificationStore {
  constructor(private readonly db: Kysely<NotificationTables>) {}

  /** In the caller's transaction when given: the notification commits with the change it announces. */
  async insert(row: NotificationsTable, tx?: Tx): Promise<void> {
    await (tx ? tablesOf<NotificationTables>(tx) : this.db).insertInto('notifications').values(row).execute();
  }

  newest(userId: string, limit: number): Promise<NotificationRow[]> {
    return this.db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  async markRead(userId: string, id: string, at: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('notifications')
      .set({ read_at: at })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }
}
