import type { Tx } from '../platform/db/tx.ts';
import type { Clock } from '../platform/clock.ts';
import { newId } from '../platform/ids.ts';
import type { NotificationStore } from './store.ts';
import type { NotificationView } from './schemas.ts';

/** In-app notifications: what a user is told inside the store (friend requests, gifts). */
export class NotificationService {
  constructor(
    private readonly store: NotificationStore,
    private readonly clock: Clock,
  ) {}

  /** Adds a notification; pass a transaction to write it together with the change it announces. */
  async notify(userId: string, kind: string, payload: Record<string, unknown>, tx?: Tx): Promise<void> {
    await this.store.insert(
      { id: newId(), user_id: userId, kind, payload: JSON.stringify(payload), created_at: this.clock.now(), read_at: null },
      tx,
    );
  }

  async list(userId: string): Promise<NotificationView[]> {
    const rows = await this.store.newest(userId, 100);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      payload: r.payload as unknown as Record<string, unknown>,
      createdAt: r.created_at.toISOString(),
      read: r.read_at !== null,
    }));
  }

  markRead(userId: string, id: string): Promise<boolean> {
    return this.store.markRead(userId, id, this.clock.now());
  }
}
