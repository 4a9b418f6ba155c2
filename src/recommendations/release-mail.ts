import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { tablesOf, type Tx } from '../platform/db/tx.ts';
import { publish, type EventLog } from '../platform/events.ts';
import { enqueueMail } from '../platform/mail/outbox.ts';
import { formatMoney } from '../platform/money.ts';
import type { Timers } from '../platform/timers.ts';
import type { Shopper } from '../platform/shopper.ts';
import type { GameCard } from '../catalog/schemas.ts';
import { audience, type AudienceEvent, type GameFacts } from './audience.ts';
import { fill, releaseMessages } from './messages.ts';
import type { RecommendationTables } from './store.ts';
import '../catalog/events.ts';

declare module '../platform/events.ts' {
  interface DomainEventMap {
    /** A player followed the link of a new-release mail (feeds reports and, later, the recommender). */
    'release_mail.clicked': { userId: string; gameId: string };
  }
}

export interface ReleaseMailTables {
  release_campaigns: {
    game_id: string;
    slug: string;
    status: 'choosing' | 'sending' | 'done';
    scored: number | null;
    chosen: number | null;
    created_at: Date;
    finished_at: Date | null;
  };
  release_recipients: {
    game_id: string;
    user_id: string;
    score: number;
    sent_at: Date | null;
    skipped: string | null;
    clicked_at: Date | null;
  };
  release_mail_optouts: { user_id: string; at: Date };
}

export type ReleaseMailDb = ReleaseMailTables & RecommendationTables;
type Tables = ReleaseMailDb;

export interface Contact {
  id: string;
  name: string;
  email: string;
  country: string;
  language: string;
  currency: string;
}

export interface ReleaseMailOptions {
  /** Only users whose taste profile is at least this close to the game (0–1) are mailed. */
  minTaste: number;
  /** At most this many mails per game, the highest scores first. */
  maxPerGame: number;
  /** At most this many new-release mails per user in any 7 days. */
  maxPerWeek: number;
  /** Mails enqueued per transaction (one durable timer each). */
  batch: number;
}

export interface ReleaseMailDeps {
  db: Kysely<Tables>;
  timers: Timers;
  publicUrl: string;
  /** Signs unsubscribe and click links. */
  secret: string;
  /** Features of every published game (catalog context). */
  features: (alsoId: string) => Promise<{ id: string; genres: string[]; tags: string[]; developer: string }[]>;
  /** Mail recipients (accounts context). */
  contacts: (userIds: string[]) => Promise<Contact[]>;
  /** A game as a shopper of a country sees it: price and whether it is sold there (catalog context). */
  cards: (ids: readonly string[], shopper: Shopper, opts: { drafts: boolean }) => Promise<GameCard[]>;
  options: ReleaseMailOptions;
}

export const RELEASE_MAIL_TIMERS = {
  choose: { handler: 'release-mail-choose', id: (gameId: string) => `release-mail-choose:${gameId}` },
  send: { handler: 'release-mail-send', id: (gameId: string, n: number) => `release-mail-send:${gameId}:${n}` },
} as const;

const WEEK_MS = 7 * 86_400_000;

/**
 * The new-release mail (S1.2). When an operator publishes a game, the event log's `game.published` starts a
 * campaign, and durable timers (platform/timers.ts) run it in steps, each one transaction:
 *  1. choose: score every user with history with the audience model (audience.ts) — the same scoring
 *     `npm run rec:audience` writes — keep those whose taste is close enough, who did not opt out, who can buy the
 *     game in their country and are under the weekly cap, the best `maxPerGame`; store them as recipients;
 *  2. send, `batch` recipients at a time: the localised mail is enqueued (mail outbox) and the recipient marked sent
 *     in the same transaction. A crash or an error anywhere rolls the batch back and its timer runs it again: every
 *     chosen user gets the mail exactly once.
 * A game published again after being unpublished starts no second campaign.
 */
export class ReleaseMailer {
  constructor(private readonly d: ReleaseMailDeps) {}

  subscribe(events: EventLog): void {
    events.consumer({
      name: 'recommendations.release-mail',
      types: ['game.published'],
      handle: async (tx, batch) => {
        for (const e of batch) {
          const created = await tablesOf<Tables>(tx)
            .insertInto('release_campaigns')
            .values({
              game_id: e.payload.gameId,
              slug: e.payload.slug,
              status: 'choosing',
              scored: null,
              chosen: null,
              created_at: e.occurredAt,
              finished_at: null,
            })
            .onConflict((oc) => oc.column('game_id').doNothing())
            .returning('game_id')
            .executeTakeFirst();
          if (created) {
            await this.d.timers.schedule(tx, {
              id: RELEASE_MAIL_TIMERS.choose.id(e.payload.gameId),
              handler: RELEASE_MAIL_TIMERS.choose.handler,
              input: { gameId: e.payload.gameId },
              dueAt: e.occurredAt,
            });
          }
        }
      },
    });
  }

  registerTimers(timers: Timers): void {
    timers.register(RELEASE_MAIL_TIMERS.choose.handler, {
      kind: 'local',
      run: (tx, input: { gameId: string }, now) => this.choose(tx, input.gameId, now),
    });
    timers.register(RELEASE_MAIL_TIMERS.send.handler, {
      kind: 'local',
      run: (tx, input: { gameId: string; n: number }, now) => this.sendBatch(tx, input.gameId, input.n, now),
    });
  }

  /** Who would be mailed for a game now (the operator's preview before publishing): same rules, nothing written. */
  async preview(gameId: string, now: Date): Promise<{ scored: number; wouldMail: number }> {
    const picked = await this.pick(this.d.db, gameId, now);
    return { scored: picked.scored, wouldMail: picked.chosen.length };
  }

  private async pick(
    db: Kysely<Tables>,
    gameId: string,
    now: Date,
  ): Promise<{ scored: number; chosen: { userId: string; score: number }[] }> {
    const features = await this.d.features(gameId);
    const games = new Map<string, GameFacts>(
      features.map((g) => [g.id, { id: g.id, genres: g.genres, tags: g.tags, developer: g.developer }]),
    );
    const target = games.get(gameId);
    if (!target) return { scored: 0, chosen: [] };
    const signals = await db
      .selectFrom('rec_signals')
      .select(['user_id', 'game_id', 'owned', 'wishlisted', 'play_seconds', 'updated_at', 'recommended'])
      .execute();
    const events: AudienceEvent[] = signals
      .filter((s) => s.game_id === gameId || s.owned || s.wishlisted || Number(s.play_seconds) > 0)
      .map((s) => ({
        user: s.user_id,
        game: s.game_id,
        at: s.updated_at,
        hours: Number(s.play_seconds) / 3600,
        recommend: s.recommended ?? undefined,
      }));
    // Wishlisting the game itself is the strongest interest there is; `audience` leaves owners out.
    const wishers = new Set(signals.filter((s) => s.game_id === gameId && s.wishlisted && !s.owned).map((s) => s.user_id));
    const scores = audience(
      events.filter((e) => !(e.game === gameId && wishers.has(e.user))),
      games,
      target,
      new Date(now.getTime() + 1),
    );
    const optedOut = new Set((await db.selectFrom('release_mail_optouts').select('user_id').execute()).map((r) => r.user_id));
    const capped = new Set(
      (
        await db
          .selectFrom('release_recipients')
          .select('user_id')
          .where('sent_at', '>', new Date(now.getTime() - WEEK_MS))
          .groupBy('user_id')
          .having((eb) => eb.fn.countAll(), '>=', this.d.options.maxPerWeek)
          .execute()
      ).map((r) => r.user_id),
    );
    const candidates = [...scores]
      .filter(([u, s]) => (s.taste >= this.d.options.minTaste || wishers.has(u)) && !optedOut.has(u) && !capped.has(u))
      .map(([userId, s]) => ({ userId, score: wishers.has(userId) ? s.score + 10 : s.score }))
      .sort((a, b) => b.score - a.score || (a.userId < b.userId ? -1 : 1));
    // Never a user who cannot buy it where they live (R12).
    const sold = await this.soldTo(
      gameId,
      candidates.map((c) => c.userId),
    );
    const chosen = candidates.filter((c) => sold.has(c.userId)).slice(0, this.d.options.maxPerGame);
    return { scored: scores.size, chosen };
  }

  /** The users (of `userIds`) to whom the game is sold, with the card they would see. */
  private async soldTo(gameId: string, userIds: string[]): Promise<Map<string, { contact: Contact; card: GameCard }>> {
    const out = new Map<string, { contact: Contact; card: GameCard }>();
    const cards = new Map<string, GameCard | undefined>();
    for (let i = 0; i < userIds.length; i += 1000) {
      for (const c of await this.d.contacts(userIds.slice(i, i + 1000))) {
        const key = `${c.country}:${c.currency}:${c.language}`;
        if (!cards.has(key))
          cards.set(
            key,
            (await this.d.cards([gameId], { country: c.country, currency: c.currency, language: c.language }, { drafts: true }))[0],
          );
        const card = cards.get(key);
        if (card?.availability.purchasable && card.price) out.set(c.id, { contact: c, card });
      }
    }
    return out;
  }

  /** Step 1 (a timer, one transaction): the recipients, chosen once. */
  async choose(tx: Tx, gameId: string, now: Date): Promise<void> {
    const db = tablesOf<Tables>(tx);
    const campaign = await db.selectFrom('release_campaigns').selectAll().where('game_id', '=', gameId).forUpdate().executeTakeFirst();
    if (campaign?.status !== 'choosing') return;
    const { scored, chosen } = await this.pick(db, gameId, now);
    for (let i = 0; i < chosen.length; i += 1000) {
      await db
        .insertInto('release_recipients')
        .values(
          chosen
            .slice(i, i + 1000)
            .map((c) => ({ game_id: gameId, user_id: c.userId, score: c.score, sent_at: null, skipped: null, clicked_at: null })),
        )
        .onConflict((oc) => oc.columns(['game_id', 'user_id']).doNothing())
        .execute();
    }
    await db
      .updateTable('release_campaigns')
      .set({ status: chosen.length ? 'sending' : 'done', scored, chosen: chosen.length, finished_at: chosen.length ? null : now })
      .where('game_id', '=', gameId)
      .execute();
    if (chosen.length) await this.scheduleSend(tx, gameId, 1, now);
  }

  private scheduleSend(tx: Tx, gameId: string, n: number, now: Date) {
    return this.d.timers.schedule(tx, {
      id: RELEASE_MAIL_TIMERS.send.id(gameId, n),
      handler: RELEASE_MAIL_TIMERS.send.handler,
      input: { gameId, n },
      dueAt: now,
    });
  }

  /** Step 2 (a timer per batch, one transaction each): mails enqueued and recipients marked together. */
  async sendBatch(tx: Tx, gameId: string, n: number, now: Date): Promise<void> {
    const db = tablesOf<Tables>(tx);
    const campaign = await db.selectFrom('release_campaigns').selectAll().where('game_id', '=', gameId).executeTakeFirst();
    if (campaign?.status !== 'sending') return;
    const batch = await db
      .selectFrom('release_recipients')
      .selectAll()
      .where('game_id', '=', gameId)
      .where('sent_at', 'is', null)
      .where('skipped', 'is', null)
      .orderBy('score', 'desc')
      .orderBy('user_id')
      .limit(this.d.options.batch)
      .forUpdate()
      .execute();
    const ids = batch.map((r) => r.user_id);
    const optedOut = new Set(
      ids.length
        ? (await db.selectFrom('release_mail_optouts').select('user_id').where('user_id', 'in', ids).execute()).map((r) => r.user_id)
        : [],
    );
    const recent = new Map(
      ids.length
        ? (
            await db
              .selectFrom('release_recipients')
              .select(['user_id', (eb) => eb.fn.countAll<string>().as('n')])
              .where('user_id', 'in', ids)
              .where('sent_at', '>', new Date(now.getTime() - WEEK_MS))
              .groupBy('user_id')
              .execute()
          ).map((r) => [r.user_id, Number(r.n)])
        : [],
    );
    const sold = await this.soldTo(gameId, ids);
    for (const r of batch) {
      const target = sold.get(r.user_id);
      const skip = optedOut.has(r.user_id)
        ? 'opted_out'
        : (recent.get(r.user_id) ?? 0) >= this.d.options.maxPerWeek
          ? 'weekly_cap'
          : !target
            ? 'not_sold_in_country'
            : null;
      if (skip || !target) {
        await db
          .updateTable('release_recipients')
          .set({ skipped: skip })
          .where('game_id', '=', gameId)
          .where('user_id', '=', r.user_id)
          .execute();
        continue;
      }
      await enqueueMail(tx, this.render(target.contact, target.card, campaign.slug, now), now);
      await db
        .updateTable('release_recipients')
        .set({ sent_at: now })
        .where('game_id', '=', gameId)
        .where('user_id', '=', r.user_id)
        .execute();
    }
    const left = await db
      .selectFrom('release_recipients')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('game_id', '=', gameId)
      .where('sent_at', 'is', null)
      .where('skipped', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(left.n) > 0) await this.scheduleSend(tx, gameId, n + 1, now);
    else await db.updateTable('release_campaigns').set({ status: 'done', finished_at: now }).where('game_id', '=', gameId).execute();
  }

  private render(c: Contact, card: GameCard, slug: string, now: Date) {
    const t = releaseMessages(c.language);
    const link = `${this.d.publicUrl}/api/mail/release/${this.sign(`${card.id}.${c.id}`)}`;
    const unsubscribe = this.unsubscribeUrl(c.id);
    const date = card.releaseDate
      ? new Intl.DateTimeFormat(c.language, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${card.releaseDate}T00:00:00Z`))
      : '';
    const upcoming = card.releaseDate !== null && card.releaseDate > now.toISOString().slice(0, 10);
    const lines = [
      fill(t.greeting, { name: c.name }),
      '',
      t.intro,
      '',
      card.title,
      card.summary,
      upcoming ? fill(t.releases, { date }) : t.released,
      card.price ? fill(t.price, { price: formatMoney(card.price, c.language) }) : '',
      '',
      fill(upcoming ? t.reserve : t.buy, { link }),
      '',
      '--',
      t.why,
      fill(t.unsubscribe, { link: unsubscribe }),
    ];
    return {
      to: c.email,
      subject: fill(t.subject, { title: card.title }),
      text: lines.join('\n'),
      dedupeKey: `release:${card.id}:${c.id}`,
      headers: {
        // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs without opening a page.
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'X-Store-Slug': slug,
      },
    };
  }

  // ---------- links: signed, so that nobody can unsubscribe or click for someone else ----------

  private mac(value: string): string {
    return createHmac('sha256', this.d.secret).update(value).digest('base64url').slice(0, 32);
  }

  private sign(value: string): string {
    return `${Buffer.from(value).toString('base64url')}.${this.mac(value)}`;
  }

  /** The signed value, or undefined when the token was not made by this store. */
  private verify(token: string): string | undefined {
    const [body, mac] = token.split('.');
    if (!body || !mac) return undefined;
    const value = Buffer.from(body, 'base64url').toString();
    const expected = Buffer.from(this.mac(value));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given) ? value : undefined;
  }

  unsubscribeUrl(userId: string): string {
    return `${this.d.publicUrl}/api/mail/unsubscribe/${this.sign(`unsubscribe.${userId}`)}`;
  }

  /** The user an unsubscribe token names, or undefined. */
  unsubscriber(token: string): string | undefined {
    const v = this.verify(token);
    return v?.startsWith('unsubscribe.') ? v.slice('unsubscribe.'.length) : undefined;
  }

  async setReleaseMails(userId: string, wanted: boolean, now: Date): Promise<void> {
    if (wanted) await this.d.db.deleteFrom('release_mail_optouts').where('user_id', '=', userId).execute();
    else
      await this.d.db
        .insertInto('release_mail_optouts')
        .values({ user_id: userId, at: now })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
  }

  async releaseMails(userId: string): Promise<boolean> {
    return !(await this.d.db.selectFrom('release_mail_optouts').select('user_id').where('user_id', '=', userId).executeTakeFirst());
  }

  /** A click on a mail's link: recorded once, and where to send the browser (the game's pre-order page). */
  async click(token: string, now: Date): Promise<string | undefined> {
    const v = this.verify(token);
    const [gameId, userId] = v?.split('.') ?? [];
    if (!gameId || !userId) return undefined;
    const campaign = await this.d.db.selectFrom('release_campaigns').select('slug').where('game_id', '=', gameId).executeTakeFirst();
    if (!campaign) return undefined;
    await this.d.db.transaction().execute(async (trx) => {
      const first = await trx
        .updateTable('release_recipients')
        .set({ clicked_at: now })
        .where('game_id', '=', gameId)
        .where('user_id', '=', userId)
        .where('clicked_at', 'is', null)
        .returning('user_id')
        .executeTakeFirst();
      if (first) await publish(trx as unknown as Tx, 'release_mail.clicked', { userId, gameId }, now);
    });
    return `/games/${encodeURIComponent(campaign.slug)}?preorder=1`;
  }

  /** Per campaign: how many users were scored, chosen, mailed, skipped and clicked. */
  async campaigns() {
    const r = await sql<{
      game_id: string;
      slug: string;
      status: string;
      scored: number | null;
      chosen: number | null;
      sent: number;
      skipped: number;
      clicked: number;
      created_at: Date;
      finished_at: Date | null;
    }>`
      select c.game_id, c.slug, c.status, c.scored, c.chosen, c.created_at, c.finished_at,
        count(r.sent_at)::int as sent, count(r.skipped)::int as skipped, count(r.clicked_at)::int as clicked
      from release_campaigns c left join release_recipients r on r.game_id = c.game_id
      group by c.game_id order by c.created_at desc limit 100`.execute(this.d.db);
    return r.rows;
  }
}
