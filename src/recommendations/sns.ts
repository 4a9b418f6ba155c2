import { readFile } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
// wink-sentiment: a maintained lexicon scorer (AFINN-based, with negation and emoji handling); bench:rec measures it.
import winkSentiment from 'wink-sentiment';

/**
 * Content from social networks (R9): public posts that mention games, from a feed, aggregated per game (mentions and
 * sentiment over the last 30 days). The recommender uses the aggregate as a "trending" signal.
 *
 * A feed is JSON Lines — one `{"id","at","text"}` post per line — read over HTTP (`SNS_FEED_URL`, asked with
 * `?since=<ISO instant>`) or from a file (`SNS_FEED_FILE`; the development fake). Posts are matched to games by their
 * titles in the text, stored once per post id (a re-read feed counts nothing twice), and the feed's cursor is the
 * newest post instant seen.
 */

export interface SnsPost {
  id: string;
  at: string;
  text: string;
}

export interface SnsFeed {
  readonly name: string;
  /** Posts after `since` (ISO instant), oldest first. */
  read(since: string | undefined): Promise<SnsPost[]>;
}

function parseLines(text: string): SnsPost[] {
  const posts: SnsPost[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const p = JSON.parse(line) as Partial<SnsPost>;
      if (typeof p.id === 'string' && typeof p.text === 'string' && typeof p.at === 'string' && !Number.isNaN(Date.parse(p.at))) {
        posts.push({ id: p.id, at: new Date(p.at).toISOString(), text: p.text });
      }
    } catch {
      // A malformed line is skipped; the rest of the feed still counts.
    }
  }
  return posts.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

export class JsonLinesFileFeed implements SnsFeed {
  readonly name: string;
  constructor(private readonly file: string) {
    this.name = `file:${file}`;
  }
  async read(since: string | undefined): Promise<SnsPost[]> {
    return parseLines(await readFile(this.file, 'utf8')).filter((p) => !since || p.at > since);
  }
}

export class JsonLinesHttpFeed implements SnsFeed {
  readonly name: string;
  constructor(private readonly url: string) {
    this.name = `http:${url}`;
  }
  async read(since: string | undefined): Promise<SnsPost[]> {
    const u = new URL(this.url);
    if (since) u.searchParams.set('since', since);
    const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`SNS feed ${this.url} answered ${res.status}`);
    return parseLines(await res.text()).filter((p) => !since || p.at > since);
  }
}

/** The durable polling schedule (platform timers): one timer per slot, the handler schedules the next. */
export const SNS_TIMER = {
  handler: 'ingest-sns',
  next: (now: Date, intervalMs: number) => {
    const slot = Math.floor(now.getTime() / intervalMs + 1) * intervalMs;
    return { id: `ingest-sns:${new Date(slot).toISOString()}`, handler: 'ingest-sns', input: {}, dueAt: new Date(slot) };
  },
} as const;

/** Sentiment of a text in [-1, 1] (wink-sentiment's normalised score is in [-5, 5]). */
export function sentimentOf(text: string): number {
  const s = winkSentiment(text).normalizedScore;
  return Math.max(-1, Math.min(1, s / 5));
}

const normalise = (s: string) =>
  ` ${s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;

export interface SnsTables {
  rec_sns_mentions: { game_id: string; post_id: string; feed: string; sentiment: number; at: Date };
  rec_sns_cursors: { feed: string; since: string };
}

export class SnsIngest {
  constructor(
    private readonly db: Kysely<SnsTables>,
    private readonly feed: SnsFeed,
    /** Published games' titles (catalog context). */
    private readonly titles: () => Promise<{ id: string; title: string }[]>,
  ) {}

  /** Reads what is new in the feed, stores the mentions and moves the cursor, in one transaction. */
  async runOnce(): Promise<{ posts: number; mentions: number }> {
    const cursor = await this.db.selectFrom('rec_sns_cursors').select('since').where('feed', '=', this.feed.name).executeTakeFirst();
    const posts = await this.feed.read(cursor?.since);
    if (!posts.length) return { posts: 0, mentions: 0 };
    const titles = (await this.titles()).map((g) => ({ id: g.id, key: normalise(g.title) })).filter((g) => g.key.trim().length >= 4);
    const rows: SnsTables['rec_sns_mentions'][] = [];
    for (const p of posts) {
      const text = normalise(p.text);
      const games = titles.filter((g) => text.includes(g.key));
      if (!games.length) continue;
      const sentiment = sentimentOf(p.text);
      for (const g of games) rows.push({ game_id: g.id, post_id: p.id, feed: this.feed.name, sentiment, at: new Date(p.at) });
    }
    const since = posts.at(-1)!.at;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 1000) {
        await trx
          .insertInto('rec_sns_mentions')
          .values(rows.slice(i, i + 1000))
          .onConflict((oc) => oc.columns(['game_id', 'post_id']).doNothing())
          .execute();
      }
      await trx
        .insertInto('rec_sns_cursors')
        .values({ feed: this.feed.name, since })
        .onConflict((oc) => oc.column('feed').doUpdateSet({ since }))
        .execute();
    });
    return { posts: posts.length, mentions: rows.length };
  }
}

/** Per game over a window: mentions and mean sentiment, and a trend score (mentions weighted by how positive). */
export async function socialTrends(db: Kysely<SnsTables>, since: Date, limit: number) {
  const r = await sql<{ game_id: string; mentions: number; sentiment: number }>`
    select game_id, count(*)::int as mentions, avg(sentiment)::float8 as sentiment
    from rec_sns_mentions where at >= ${since}
    group by game_id
    order by count(*) * (1 + avg(sentiment)) desc, game_id
    limit ${limit}`.execute(db);
  return r.rows.map((x) => ({ gameId: x.game_id, mentions: x.mentions, sentiment: x.sentiment, trend: x.mentions * (1 + x.sentiment) }));
}
