import { afterCommit, type Tx } from '../platform/db/tx.ts';
import type { Clock } from '../platform/clock.ts';
import { newId } from '../platform/ids.ts';
import type { NotificationStore } from './store.ts';
import type { NotificationView } from './schemas.ts';

/** In-app notifications: what a user is told inside the store (friend requests, gifts). */
export class NotificationService {
  #push: ((userId: string, n: NotificationView) => void) | undefined;

  constructor(
    private readonly store: NotificationStore,
    private readonly clock: Clock,
  ) {}

  /** Where a new notification is pushed live once it is committed (the chat connection, R14); polling still works. */
  pushTo(push: (userId: string, n: NotificationView) => void): void {
    this.#push = push;
  }

  /** Adds a notification; pass a transaction to write it together with the change it announces. */
  async notify(userId: string, kind: string, payload: Record<string, unknown>, tx?: Tx): Promise<void> {
    const row = { id: newId(), user_id: userId, kind, payload: JSON.stringify(payload), created_at: this.clock.now(), read_at: null };
    await this.store.insert(row, tx);
    const view: NotificationView = { id: row.id, kind, payload, createdAt: row.created_at.toISOString(), read: false };
    const push = () => this.#push?.(userId, view);
    if (tx) afterCommit(tx, push);
    else push();
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
