import type { Clock } from '../platform/clock.ts';
import { notFound } from '../platform/errors.ts';
import { activityError } from './errors.ts';
import { isUuid, newId } from '../platform/ids.ts';
import type { Shopper } from '../platform/shopper.ts';
import type { GameCard } from '../catalog/schemas.ts';
import { sessionSeconds, type ActivityStore } from './store.ts';

export interface ActivityDeps {
  store: ActivityStore;
  clock: Clock;
  /** Whether the user has the game in their library (orders context). */
  owns: (userId: string, gameId: string) => Promise<boolean>;
  /** Whether the game is published (catalog context). */
  published: (gameId: string) => Promise<boolean>;
  /** Published games as a shopper sees them, in the order asked (catalog context). */
  cards: (ids: readonly string[], shopper: Shopper) => Promise<GameCard[]>;
  /** A session without a heartbeat for this long is over (at its last heartbeat). */
  heartbeatSeconds: number;
}

export interface PlaySessionView {
  id: string;
  gameId: string;
  startedAt: string;
  lastHeartbeatAt: string;
  endedAt: string | null;
  seconds: number;
  /** Send a heartbeat at least this often, or the session ends at the last one. */
  heartbeatSeconds: number;
}

/** Wishlists and play sessions: what players want and what they play (R9 signals, the launcher API). */
export class ActivityService {
  constructor(private readonly d: ActivityDeps) {}

  private view(s: Awaited<ReturnType<ActivityStore['start']>>): PlaySessionView {
    return {
      id: s.id,
      gameId: s.game_id,
      startedAt: s.started_at.toISOString(),
      lastHeartbeatAt: s.last_beat_at.toISOString(),
      endedAt: s.ended_at?.toISOString() ?? null,
      seconds: sessionSeconds(s),
      heartbeatSeconds: this.d.heartbeatSeconds,
    };
  }

  private async game(gameId: string): Promise<void> {
    if (!isUuid(gameId) || !(await this.d.published(gameId)))
      throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
  }

  /** Adds a game the user does not own yet; adding it twice changes nothing. */
  async wish(userId: string, gameId: string): Promise<void> {
    await this.game(gameId);
    if (await this.d.owns(userId, gameId)) {
      throw activityError(409, 'already_owned');
    }
    await this.d.store.addToWishlist(userId, gameId, this.d.clock.now());
  }

  async unwish(userId: string, gameId: string): Promise<void> {
    if (!isUuid(gameId)) throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
    await this.d.store.removeFromWishlist(userId, gameId, this.d.clock.now());
  }

  /** The wishlist, newest first, each game as the shopper sees it now (price, sale, availability). */
  async wishlist(userId: string, shopper: Shopper): Promise<{ gameId: string; addedAt: string; game: GameCard | null }[]> {
    const rows = await this.d.store.wishlist(userId);
    const cards = new Map(
      (
        await this.d.cards(
          rows.map((w) => w.game_id),
          shopper,
        )
      ).map((c) => [c.id, c]),
    );
    return rows.map((w) => ({ gameId: w.game_id, addedAt: w.added_at.toISOString(), game: cards.get(w.game_id) ?? null }));
  }

  /** A launcher starts the game: only an owner can play. Starting again while a session is open resumes it. */
  async startPlaying(userId: string, gameId: string): Promise<PlaySessionView> {
    await this.game(gameId);
    if (!(await this.d.owns(userId, gameId))) {
      throw activityError(403, 'not_owned');
    }
    return this.view(await this.d.store.start(userId, gameId, newId(), this.d.clock.now(), this.d.heartbeatSeconds * 1000));
  }

  private async own(userId: string, sessionId: string) {
    const s = isUuid(sessionId) ? await this.d.store.session(sessionId) : undefined;
    if (!s || s.user_id !== userId)
      throw notFound({ en: 'This play session', ko: '이 플레이 세션', ja: 'このプレイセッション' }, 'session_not_found');
    return s;
  }

  async heartbeat(userId: string, sessionId: string): Promise<PlaySessionView> {
    const s = await this.own(userId, sessionId);
    const now = this.d.clock.now();
    if (!s.ended_at && now.getTime() - s.last_beat_at.getTime() > this.d.heartbeatSeconds * 1000) {
      // Too late: the session is over at its last heartbeat; the launcher starts a new one.
      await this.d.store.stop(sessionId, userId, s.last_beat_at);
      throw activityError(409, 'session_ended.silent');
    }
    const beat = await this.d.store.beat(sessionId, userId, now);
    if (!beat) throw activityError(409, 'session_ended.over');
    return this.view(beat);
  }

  async stop(userId: string, sessionId: string): Promise<PlaySessionView> {
    const s = await this.own(userId, sessionId);
    if (s.ended_at) return this.view(s);
    const now = this.d.clock.now();
    // A stop long after the last heartbeat counts only up to that heartbeat.
    const end = now.getTime() - s.last_beat_at.getTime() > this.d.heartbeatSeconds * 1000 ? s.last_beat_at : now;
    return this.view((await this.d.store.stop(sessionId, userId, end)) ?? (await this.own(userId, sessionId)));
  }

  async minutesPlayed(userId: string, gameId: string): Promise<number> {
    return Math.round((await this.d.store.secondsPlayed(userId, gameId)) / 60);
  }

  /** What each of these users is playing now: an open session with a recent heartbeat (presence, R14). */
  async playingNow(userIds: string[]): Promise<Map<string, string>> {
    const since = new Date(this.d.clock.now().getTime() - this.d.heartbeatSeconds * 1000);
    return new Map((await this.d.store.openSessions(userIds, since)).map((s) => [s.user_id, s.game_id]));
  }

  /** Recently played: per game, total playtime and the last time, newest first. */
  async recentlyPlayed(userId: string, limit = 20) {
    return (await this.d.store.playtime(userId, limit)).map((p) => ({
      gameId: p.gameId,
      minutesPlayed: Math.round(p.seconds / 60),
      lastPlayedAt: p.lastPlayedAt.toISOString(),
    }));
  }
}
