import type { EventLog, EventOf } from '../platform/events.ts';
import type { Tx } from '../platform/db/tx.ts';
import { notFound } from '../platform/errors.ts';
import { isUuid, newId } from '../platform/ids.ts';
import type { FeedItemRow, FeedKind, FeedStore, Visibility } from './store.ts';

export interface FeedDeps {
  store: FeedStore;
  /** The user's friends (friends context; blocked people are not friends). */
  friendIds(userId: string): Promise<string[]>;
  /** Display names (accounts context). */
  people(ids: string[]): Promise<{ id: string; name: string }[]>;
  /** Title, address and cover of a game in a language (catalog context). */
  game(gameId: string, language: string): Promise<{ title: string; slug: string; coverUrl: string | null }>;
  publicUrl: string;
}

export interface FeedItemView {
  id: string;
  kind: FeedKind;
  actor: { id: string; name: string };
  game: { id: string; title: string; slug: string; coverUrl: string | null };
  /** review: { recommended }; post: { threadId }. */
  detail: Record<string, unknown>;
  visibility: Visibility;
  occurredAt: string;
  /** Only for items visible to everyone: the public page to share on social networks (R11). */
  shareUrl: string | null;
}

type FeedEvent = EventOf<'library.added' | 'library.removed' | 'review.posted' | 'review.removed' | 'community.posted'>;

/**
 * R14: the friends' activity feed — purchases, gifts received, reviews and discussion posts, each with its owner's
 * visibility (everyone / friends / only me). R11: an item visible to everyone has a public page with Open Graph tags,
 * so a link to it shows the game's cover and what happened when pasted on a social network.
 * The feed is a projection of the domain event log (consumer "feed.items"): nothing here writes to other contexts.
 */
export class FeedService {
  constructor(private readonly d: FeedDeps) {}

  subscribe(events: EventLog): void {
    events.consumer({
      name: 'feed.items',
      types: ['library.added', 'library.removed', 'review.posted', 'review.removed', 'community.posted'],
      handle: (tx, batch) => this.apply(tx, batch),
    });
  }

  private async apply(tx: Tx, batch: FeedEvent[]): Promise<void> {
    const s = this.d.store;
    for (const e of batch) {
      const base = { id: newId(), occurred_at: e.occurredAt, visibility: 'friends' as const };
      switch (e.type) {
        case 'library.added':
          await s.add(tx, {
            ...base,
            actor_id: e.payload.userId,
            kind: e.payload.source === 'gift' ? 'gift' : 'purchase',
            game_id: e.payload.gameId,
            ref: e.payload.orderId,
            detail: { preorder: e.payload.source === 'preorder' },
          });
          break;
        case 'library.removed':
          await s.remove(tx, 'purchase', e.payload.orderId);
          await s.remove(tx, 'gift', e.payload.orderId);
          break;
        case 'review.posted':
          await s.add(tx, {
            ...base,
            actor_id: e.payload.userId,
            kind: 'review',
            game_id: e.payload.gameId,
            ref: e.payload.reviewId,
            detail: { recommended: e.payload.recommended },
          });
          break;
        case 'review.removed':
          await s.remove(tx, 'review', e.payload.reviewId);
          break;
        case 'community.posted':
          await s.add(tx, {
            ...base,
            actor_id: e.payload.userId,
            kind: 'post',
            game_id: e.payload.gameId,
            ref: e.payload.postId,
            detail: { threadId: e.payload.threadId },
          });
          break;
      }
    }
  }

  /** What the user's friends did and let friends see, newest first. */
  async feed(userId: string, language: string): Promise<FeedItemView[]> {
    const friends = await this.d.friendIds(userId);
    return this.views(await this.d.store.ofFriends(friends, 50), language);
  }

  /** The user's own items, with their visibility. */
  async mine(userId: string, language: string): Promise<FeedItemView[]> {
    return this.views(await this.d.store.mine(userId, 50), language);
  }

  async setVisibility(userId: string, id: string, visibility: Visibility, language: string): Promise<FeedItemView> {
    if (!isUuid(id) || !(await this.d.store.setVisibility(userId, id, visibility)))
      throw notFound({ en: 'This activity', ko: '이 활동', ja: 'このアクティビティ' }, 'activity_not_found');
    const [view] = await this.views([(await this.d.store.byId(id))!], language);
    return view!;
  }

  /** R11: an item its owner shares with everyone; anything else does not exist for the public. */
  async shared(id: string, language: string): Promise<FeedItemView> {
    const row = isUuid(id) ? await this.d.store.byId(id) : undefined;
    if (!row || row.visibility !== 'everyone')
      throw notFound({ en: 'This shared activity', ko: '공유된 이 활동', ja: '共有されたこのアクティビティ' }, 'share_not_found');
    const [view] = await this.views([row], language);
    return view!;
  }

  /** The sentence a shared item says, in English (the share page's title and description). */
  sentence(v: FeedItemView): string {
    switch (v.kind) {
      case 'purchase':
        return `${v.actor.name} ${v.detail.preorder ? 'pre-ordered' : 'bought'} ${v.game.title}`;
      case 'gift':
        return `${v.actor.name} received ${v.game.title} as a gift`;
      case 'review':
        return `${v.actor.name} ${v.detail.recommended ? 'recommends' : 'does not recommend'} ${v.game.title}`;
      case 'post':
        return `${v.actor.name} posted in the ${v.game.title} discussions`;
    }
  }

  private async views(rows: FeedItemRow[], language: string): Promise<FeedItemView[]> {
    const names = new Map((await this.d.people([...new Set(rows.map((r) => r.actor_id))])).map((p) => [p.id, p.name]));
    const games = new Map(
      await Promise.all([...new Set(rows.map((r) => r.game_id))].map(async (id) => [id, await this.d.game(id, language)] as const)),
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      actor: { id: r.actor_id, name: names.get(r.actor_id) ?? 'A player' },
      game: { id: r.game_id, ...games.get(r.game_id)! },
      detail: r.detail,
      visibility: r.visibility,
      occurredAt: r.occurred_at.toISOString(),
      shareUrl: r.visibility === 'everyone' ? `${this.d.publicUrl}/share/${r.id}` : null,
    }));
  }
}
