import type { Clock } from '../platform/clock.ts';
import { notFound } from '../platform/errors.ts';
import { reviewError } from './errors.ts';
import { isUuid, newId } from '../platform/ids.ts';
import type { ReviewRow, ReviewStore } from './store.ts';
import type { Helpful, ReviewInput, ReviewPage, ReviewView } from './schemas.ts';
import { reviewLabel } from './summary.ts';

export interface ReviewDeps {
  store: ReviewStore;
  clock: Clock;
  /** Only owners review (orders context). */
  owns: (userId: string, gameId: string) => Promise<boolean>;
  /** Whether the game is published (catalog context). */
  published: (gameId: string) => Promise<boolean>;
  /** Minutes the user has played the game (activity context). */
  playtimeMinutes: (userId: string, gameId: string) => Promise<number>;
  /** Display names (accounts context). */
  names: (userIds: string[]) => Promise<Map<string, string>>;
}

/** Ratings and reviews (R9): owners recommend a game or not, in words; everyone votes on how helpful a review is. */
export class ReviewService {
  constructor(private readonly d: ReviewDeps) {}

  private async game(gameId: string): Promise<void> {
    if (!isUuid(gameId) || !(await this.d.published(gameId)))
      throw notFound({ en: 'This game', ko: '이 게임', ja: 'このゲーム' }, 'game_not_found');
  }

  private async views(rows: ReviewRow[], viewer: string | undefined): Promise<ReviewView[]> {
    const names = await this.d.names([...new Set(rows.map((r) => r.user_id))]);
    const votes = viewer
      ? new Map(
          (
            await this.d.store.votesOf(
              viewer,
              rows.map((r) => r.id),
            )
          ).map((v) => [v.review_id, v]),
        )
      : new Map();
    return rows.map((r) => {
      const v = votes.get(r.id);
      return {
        id: r.id,
        gameId: r.game_id,
        author: { id: r.user_id, name: names.get(r.user_id) ?? '' },
        recommended: r.recommended,
        body: r.body,
        language: r.language,
        playtimeMinutes: r.playtime_minutes,
        helpful: r.helpful,
        unhelpful: r.unhelpful,
        funny: r.funny,
        createdAt: r.created_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
        myVote: v
          ? { helpful: v.helpful === null ? ('none' as const) : v.helpful ? ('yes' as const) : ('no' as const), funny: v.funny }
          : null,
      };
    });
  }

  async page(gameId: string, viewer: string | undefined, sort: 'helpful' | 'recent', page: number, pageSize: number): Promise<ReviewPage> {
    await this.game(gameId);
    const [rows, counts, mine] = await Promise.all([
      this.d.store.page(gameId, sort, pageSize, (page - 1) * pageSize),
      this.d.store.counts(gameId),
      viewer ? this.d.store.mine(viewer, gameId) : undefined,
    ]);
    const [items, mineView] = await Promise.all([this.views(rows, viewer), mine ? this.views([mine], viewer) : []]);
    return {
      summary: {
        total: counts.total,
        positive: counts.positive,
        percentPositive: counts.total ? Math.round((counts.positive / counts.total) * 100) : null,
        label: reviewLabel(counts.positive, counts.total),
      },
      items,
      mine: mineView[0] ?? null,
    };
  }

  /** Writes or rewrites the user's review; the playtime shown is the one at this moment. */
  async write(userId: string, language: string, gameId: string, input: ReviewInput): Promise<ReviewView> {
    await this.game(gameId);
    if (!(await this.d.owns(userId, gameId))) {
      throw reviewError(403, 'not_owned');
    }
    const body = input.body.trim();
    if (!body) throw reviewError(400, 'review_empty');
    const now = this.d.clock.now();
    const row = await this.d.store.upsert(
      {
        id: newId(),
        user_id: userId,
        game_id: gameId,
        recommended: input.recommended,
        body,
        language,
        playtime_minutes: await this.d.playtimeMinutes(userId, gameId),
        created_at: now,
      },
      now,
    );
    return (await this.views([row], userId))[0]!;
  }

  async remove(userId: string, gameId: string): Promise<void> {
    if (!isUuid(gameId) || !(await this.d.store.remove(userId, gameId, this.d.clock.now())))
      throw notFound(
        { en: 'Your review of this game', ko: '이 게임에 대한 내 리뷰', ja: 'このゲームへのあなたのレビュー' },
        'review_not_found',
      );
  }

  async vote(userId: string, reviewId: string, input: { helpful: Helpful; funny: boolean }): Promise<ReviewView> {
    const vote = { helpful: input.helpful === 'none' ? null : input.helpful === 'yes', funny: input.funny };
    const review = isUuid(reviewId) ? await this.d.store.byId(reviewId) : undefined;
    if (!review) throw notFound({ en: 'This review', ko: '이 리뷰', ja: 'このレビュー' }, 'review_not_found');
    if (review.user_id === userId) throw reviewError(409, 'own_review');
    const row = await this.d.store.vote(reviewId, userId, vote);
    if (!row) throw notFound({ en: 'This review', ko: '이 리뷰', ja: 'このレビュー' }, 'review_not_found');
    return (await this.views([row], userId))[0]!;
  }
}
