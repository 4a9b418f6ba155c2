import { randomUUID } from 'node:crypto';
import { notFound } from '../platform/errors.ts';
import { communityError } from './errors.ts';
import type { Clock } from '../platform/clock.ts';
import { isUuid } from '../platform/ids.ts';
import type { CommunityStore, PostRow, ThreadRow } from './store.ts';

/** What the board asks of other contexts (wired in its module.ts). */
export interface CommunityPorts {
  gamePublished(gameId: string): Promise<boolean>;
  names(ids: string[]): Promise<Map<string, string>>;
  /** The text as shown to others (the profanity filter: strong words hidden, as Steam does on its boards). */
  clean(text: string): string;
}

export interface ThreadView {
  id: string;
  gameId: string;
  title: string;
  author: { id: string; name: string };
  pinned: boolean;
  locked: boolean;
  posts: number;
  createdAt: string;
  lastPostAt: string;
}
export interface PostView {
  id: string;
  author: { id: string; name: string };
  body: string;
  createdAt: string;
}

/**
 * A discussion board per game (R14): threads and replies by signed-in players, pinned and locked by operators. Every
 * post is announced on the event log (`community.posted`), which the recommender reads as interest in the game.
 */
export class CommunityService {
  constructor(private readonly d: { store: CommunityStore; clock: Clock; ports: CommunityPorts }) {}

  async threads(gameId: string, page: number, reader?: string): Promise<ThreadView[]> {
    if (!isUuid(gameId) || !(await this.d.ports.gamePublished(gameId)))
      throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
    const rows = await this.d.store.threads(gameId, 30, (page - 1) * 30);
    const names = await this.d.ports.names([...new Set(rows.map((r) => r.author_id))]);
    return rows.map((r) => this.threadView(r, names, reader));
  }

  async start(me: string, gameId: string, title: string, body: string): Promise<ThreadView> {
    if (!isUuid(gameId) || !(await this.d.ports.gamePublished(gameId)))
      throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
    const [t, b] = [title.trim(), body.trim()];
    if (!t || !b) throw communityError(400, 'post_empty.thread');
    const now = this.d.clock.now();
    const id = randomUUID();
    await this.d.store.createThread(
      { id, game_id: gameId, author_id: me, title: t, created_at: now },
      { id: randomUUID(), author_id: me, body: b, created_at: now },
    );
    return (await this.thread(id, me)).thread;
  }

  async reply(me: string, threadId: string, body: string): Promise<PostView> {
    const b = body.trim();
    if (!b) throw communityError(400, 'post_empty.reply');
    const post = { id: randomUUID(), author_id: me, body: b, created_at: this.d.clock.now() };
    const done = isUuid(threadId) ? await this.d.store.reply(threadId, post) : 'missing';
    if (done === 'missing') throw notFound({ en: 'This thread', ko: '이 글타래', ja: 'このスレッド' }, 'thread_not_found');
    if (done === 'locked') throw communityError(409, 'thread_locked');
    const names = await this.d.ports.names([me]);
    return this.postView({ ...post, thread_id: threadId }, names, me);
  }

  async thread(id: string, reader?: string, after?: string): Promise<{ thread: ThreadView; posts: PostView[] }> {
    const t = isUuid(id) ? await this.d.store.thread(id) : undefined;
    if (!t) throw notFound({ en: 'This thread', ko: '이 글타래', ja: 'このスレッド' }, 'thread_not_found');
    let cursor: { at: Date; id: string } | undefined;
    if (after) {
      const [at, pid] = after.split('_');
      if (at && pid && !Number.isNaN(Date.parse(at))) cursor = { at: new Date(at), id: pid };
    }
    const posts = await this.d.store.posts(id, cursor, 50);
    const names = await this.d.ports.names([...new Set([t.author_id, ...posts.map((p) => p.author_id)])]);
    return { thread: this.threadView(t, names, reader), posts: posts.map((p) => this.postView(p, names, reader)) };
  }

  async moderate(id: string, patch: { pinned?: boolean; locked?: boolean }): Promise<ThreadView> {
    if (patch.pinned === undefined && patch.locked === undefined) {
      throw communityError(400, 'nothing_to_change');
    }
    if (!isUuid(id) || !(await this.d.store.moderate(id, patch)))
      throw notFound({ en: 'This thread', ko: '이 글타래', ja: 'このスレッド' }, 'thread_not_found');
    return (await this.thread(id)).thread;
  }

  private threadView(t: ThreadRow, names: Map<string, string>, reader?: string): ThreadView {
    return {
      id: t.id,
      gameId: t.game_id,
      title: t.author_id === reader ? t.title : this.d.ports.clean(t.title),
      author: { id: t.author_id, name: names.get(t.author_id) ?? '' },
      pinned: t.pinned,
      locked: t.locked,
      posts: t.posts,
      createdAt: t.created_at.toISOString(),
      lastPostAt: t.last_post_at.toISOString(),
    };
  }

  private postView(p: PostRow, names: Map<string, string>, reader?: string): PostView {
    return {
      id: p.id,
      author: { id: p.author_id, name: names.get(p.author_id) ?? '' },
      // The author sees their own words; everyone else sees the board's filter.
      body: p.author_id === reader ? p.body : this.d.ports.clean(p.body),
      createdAt: p.created_at.toISOString(),
    };
  }
}
