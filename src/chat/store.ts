import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import type { NotifiedCache } from '../platform/db/notified-cache.ts';

export interface ChatTables {
  chat_conversations: {
    id: string;
    kind: 'direct' | 'group';
    name: string | null;
    owner_id: string | null;
    pair_key: string | null;
    created_at: Date;
  };
  chat_members: { conversation_id: string; user_id: string; joined_at: Date; last_read_seq: Generated<number> };
  chat_messages: { seq: Generated<number>; id: string; conversation_id: string; sender_id: string; body: string; created_at: Date };
  chat_reports: { id: string; message_id: string; reporter_id: string; reason: string; created_at: Date; resolved_at: Date | null };
  chat_mutes: { user_id: string; until: Date | null; reason: string; by_id: string; at: Date };
  chat_link_previews: { url: string; title: string | null; description: string | null; site: string | null; fetched_at: Date };
  chat_presence: {
    user_id: string;
    state: 'online' | 'away' | 'offline';
    last_seen_at: Date | null;
    privacy: Generated<'everyone' | 'friends' | 'nobody'>;
  };
}

export type MessageRow = { seq: number; id: string; conversation_id: string; sender_id: string; body: string; created_at: Date };
type Db = Kysely<ChatTables>;

/** The advisory lock that orders message commits (any fixed number, used for nothing else). */
const CHAT_SEQ_LOCK = 7_423_001;

/** A promise given up after `ms` (it rejects then; the work itself goes on). */
const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`gave up after ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });

/** The two users of a direct conversation, in a fixed order: one conversation per pair (UNIQUE pair_key). */
export const pairKey = (a: string, b: string) => [a, b].sort().join(':');

/** A conversation with its members (joined first first): what every send, read and receipt checks. */
export interface ConversationFacts {
  conversation: Selectable<ChatTables['chat_conversations']>;
  members: string[];
}
export type MuteRow = Selectable<ChatTables['chat_mutes']>;

/** The channel chat's triggers notify on: a conversation id (its row or members changed), or `mute:<user>`. */
export const CHAT_CHANNEL = 'chat_changed';

export class ChatStore {
  constructor(
    private readonly db: Db,
    /**
     * Per-node caches of what every message checks (conversation, members, the sender's mute), dropped on every node
     * by the triggers' NOTIFY when they change (and at once on this node): a send reads nothing but its own insert.
     */
    private readonly caches: { conversations?: NotifiedCache<ConversationFacts | null>; mutes?: NotifiedCache<MuteRow | null> } = {},
    /** Publishes each committed batch, in position order, before the lock is let go (stream.ts). */
    private readonly announce?: (rows: (MessageRow & { to: string[] })[]) => Promise<void>,
  ) {}

  private async facts(id: string): Promise<ConversationFacts | undefined> {
    const load = async (): Promise<ConversationFacts | null> => {
      const [conversation, members] = await Promise.all([
        this.db.selectFrom('chat_conversations').selectAll().where('id', '=', id).executeTakeFirst(),
        this.db.selectFrom('chat_members').select('user_id').where('conversation_id', '=', id).orderBy('joined_at').execute(),
      ]);
      return conversation ? { conversation, members: members.map((r) => r.user_id) } : null;
    };
    const cache = this.caches.conversations;
    return (cache ? await cache.through(id, load, { tag: () => id }) : await load()) ?? undefined;
  }

  /** This node forgets at once what a write changed (the others when its NOTIFY arrives). */
  private changed(conversationId: string): void {
    this.caches.conversations?.invalidate(conversationId);
  }

  /** The direct conversation of two users, created once (a race of two creates leaves one: ON CONFLICT). */
  async direct(a: string, b: string, id: string, now: Date): Promise<string> {
    const conversationId = await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('chat_conversations')
        .values({ id, kind: 'direct', name: null, owner_id: null, pair_key: pairKey(a, b), created_at: now })
        .onConflict((oc) => oc.column('pair_key').doNothing())
        .execute();
      const conv = await trx.selectFrom('chat_conversations').select('id').where('pair_key', '=', pairKey(a, b)).executeTakeFirstOrThrow();
      await trx
        .insertInto('chat_members')
        .values([a, b].map((user_id) => ({ conversation_id: conv.id, user_id, joined_at: now })))
        .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
        .execute();
      return conv.id;
    });
    this.changed(conversationId);
    return conversationId;
  }

  async group(id: string, name: string, ownerId: string, members: string[], now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('chat_conversations')
        .values({ id, kind: 'group', name, owner_id: ownerId, pair_key: null, created_at: now })
        .execute();
      await trx
        .insertInto('chat_members')
        .values([ownerId, ...members.filter((m) => m !== ownerId)].map((user_id) => ({ conversation_id: id, user_id, joined_at: now })))
        .execute();
    });
    this.changed(id);
  }

  async conversation(id: string) {
    return (await this.facts(id))?.conversation;
  }

  async members(conversationId: string): Promise<string[]> {
    return [...((await this.facts(conversationId))?.members ?? [])];
  }

  async isMember(conversationId: string, userId: string): Promise<boolean> {
    return (await this.facts(conversationId))?.members.includes(userId) ?? false;
  }

  async addMember(conversationId: string, userId: string, now: Date): Promise<void> {
    await this.db
      .insertInto('chat_members')
      .values({ conversation_id: conversationId, user_id: userId, joined_at: now })
      .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
      .execute();
    this.changed(conversationId);
  }

  async removeMember(conversationId: string, userId: string): Promise<void> {
    await this.db.deleteFrom('chat_members').where('conversation_id', '=', conversationId).where('user_id', '=', userId).execute();
    this.changed(conversationId);
  }

  async setOwner(conversationId: string, userId: string): Promise<void> {
    await this.db.updateTable('chat_conversations').set({ owner_id: userId }).where('id', '=', conversationId).execute();
    this.changed(conversationId);
  }

  /** A user's conversations with the newest message and how many they have not read. */
  async listFor(userId: string) {
    const r = await sql<{
      id: string;
      kind: 'direct' | 'group';
      name: string | null;
      owner_id: string | null;
      last_seq: number | null;
      unread: number;
    }>`
      select c.id, c.kind, c.name, c.owner_id,
             (select max(seq) from chat_messages x where x.conversation_id = c.id) as last_seq,
             (select count(*)::int from chat_messages x
               where x.conversation_id = c.id and x.seq > m.last_read_seq and x.sender_id <> ${userId}) as unread
        from chat_members m join chat_conversations c on c.id = m.conversation_id
       where m.user_id = ${userId}
       order by last_seq desc nulls last, c.created_at desc`.execute(this.db);
    return r.rows.map((x) => ({ ...x, last_seq: x.last_seq === null ? null : Number(x.last_seq) }));
  }

  /**
   * Stores a message and publishes it to every node (stream.ts). Positions are taken under one lock held until the
   * batch is committed and published, so messages commit in order and reach the fan-out in order: a reader that saw
   * position n never gets one below n later, and a node that hears position n has been sent every one below it. The
   * lock would allow one commit — one WAL flush — at a time, so the messages sent meanwhile on this node wait for
   * the current batch and go in together: one lock, one insert (its own transaction, one flush), one publish for up
   * to 500 (group commit done here). A batch that fails is retried one by one, so one bad message fails alone.
   */
  insertMessage(m: Omit<MessageRow, 'seq'>, to: string[]): Promise<MessageRow> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ m, to, resolve, reject });
      if (!this.#flushing) void this.flush();
    });
  }

  readonly #queue: { m: Omit<MessageRow, 'seq'>; to: string[]; resolve: (r: MessageRow) => void; reject: (err: unknown) => void }[] = [];
  #flushing = false;

  private async flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length) {
        const batch = this.#queue.splice(0, 500);
        try {
          const rows = await this.insertBatch(batch);
          for (const [i, b] of batch.entries()) b.resolve(rows[i]!);
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          else
            for (const b of batch)
              await this.insertBatch([b]).then(
                ([row]) => b.resolve(row!),
                (e: unknown) => b.reject(e),
              );
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  /**
   * One batch: the session's advisory lock, the insert (committed on its own), the publish, the unlock — on one
   * connection. A node that dies after its commit and before its publish releases the lock with its connection;
   * the other nodes see the positions it skipped and read them from here (stream.ts). A publish that fails or takes
   * over a second is given up the same way: stored first, the fan-out only makes it fast.
   */
  private insertBatch(batch: { m: Omit<MessageRow, 'seq'>; to: string[] }[]): Promise<MessageRow[]> {
    return this.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${CHAT_SEQ_LOCK})`.execute(conn);
      try {
        const stored = await conn
          .insertInto('chat_messages')
          .values(batch.map((b) => b.m))
          .returningAll()
          .execute();
        const byId = new Map(stored.map((r) => [r.id, { ...r, seq: Number(r.seq) }]));
        const rows = batch.map((b) => byId.get(b.m.id)!);
        if (this.announce) {
          const ordered = rows.map((r, i) => ({ ...r, to: batch[i]!.to })).sort((a, b) => a.seq - b.seq);
          await within(1000, this.announce(ordered)).catch(() => undefined);
        }
        return rows;
      } finally {
        await sql`select pg_advisory_unlock(${CHAT_SEQ_LOCK})`.execute(conn);
      }
    });
  }

  /** One page of a conversation's history, newest first, before a position (cursor pagination). */
  history(conversationId: string, beforeSeq: number | undefined, limit: number): Promise<MessageRow[]> {
    let q = this.db.selectFrom('chat_messages').selectAll().where('conversation_id', '=', conversationId);
    if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
    return q.orderBy('seq', 'desc').limit(limit).execute();
  }

  /**
   * Everything after a position in every conversation a reader is in, oldest first (what a connection has not been
   * sent yet, or a reconnecting client missed) — for many readers in one statement (a node's gateway reads for all the connections poked at once):
   * each reader's messages after its own position, at most `limit` each, with the reader's index (`nth`).
   */
  async sinceMany(readers: { userId: string; after: number }[], limit: number): Promise<(MessageRow & { nth: number })[]> {
    if (!readers.length) return [];
    const r = await sql<MessageRow & { nth: number }>`
      select q.nth::int - 1 as nth, x.*
      from unnest(${readers.map((q) => q.userId)}::text[], ${readers.map((q) => q.after)}::bigint[]) with ordinality as q(reader, after, nth)
      cross join lateral (
        select x.* from chat_messages x
        join chat_members m on m.conversation_id = x.conversation_id and m.user_id = q.reader
        where x.seq > q.after order by x.seq limit ${limit}
      ) x`.execute(this.db);
    return r.rows;
  }

  /** The highest position stored, in any conversation (the stream's check for a silent end: stream.ts). */
  async tailSeq(): Promise<number> {
    const r = await this.db
      .selectFrom('chat_messages')
      .select((eb) => eb.fn.max('seq').as('max'))
      .executeTakeFirst();
    return Number(r?.max ?? 0);
  }

  async latestSeq(userId: string): Promise<number> {
    const r = await this.db
      .selectFrom('chat_messages as x')
      .innerJoin('chat_members as m', (j) => j.onRef('m.conversation_id', '=', 'x.conversation_id').on('m.user_id', '=', userId))
      .select((eb) => eb.fn.max('x.seq').as('max'))
      .executeTakeFirst();
    return Number(r?.max ?? 0);
  }

  async markRead(conversationId: string, userId: string, seq: number): Promise<void> {
    await this.db
      .updateTable('chat_members')
      .set({ last_read_seq: sql<number>`greatest(last_read_seq, ${seq})` })
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .execute();
  }

  /** Marks users seen now in a state (a node's heartbeat for its connections, or a change). */
  async seen(userIds: string[], state: 'online' | 'away' | 'offline', at: Date): Promise<void> {
    if (!userIds.length) return;
    await this.db
      .insertInto('chat_presence')
      .values(userIds.map((user_id) => ({ user_id, state, last_seen_at: at })))
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ state, last_seen_at: at }))
      .execute();
  }

  /** Keeps each user's state, refreshing only when they were last seen (the heartbeat). */
  async refresh(userIds: string[], at: Date): Promise<void> {
    if (!userIds.length) return;
    await this.db
      .updateTable('chat_presence')
      .set({ last_seen_at: at })
      .where('user_id', 'in', userIds)
      .where('state', '<>', 'offline')
      .execute();
  }

  presence(userIds: string[]) {
    if (!userIds.length) return Promise.resolve([]);
    return this.db.selectFrom('chat_presence').selectAll().where('user_id', 'in', userIds).execute();
  }

  async setPrivacy(userId: string, privacy: 'everyone' | 'friends' | 'nobody'): Promise<void> {
    await this.db
      .insertInto('chat_presence')
      .values({ user_id: userId, state: 'offline', last_seen_at: null, privacy })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ privacy }))
      .execute();
  }

  /** Stored previews of these URLs (a row with no title: the URL has none). */
  previews(urls: string[]) {
    if (!urls.length) return Promise.resolve([]);
    return this.db.selectFrom('chat_link_previews').selectAll().where('url', 'in', urls).execute();
  }

  async savePreview(row: ChatTables['chat_link_previews']): Promise<void> {
    await this.db
      .insertInto('chat_link_previews')
      .values(row)
      .onConflict((oc) => oc.column('url').doNothing())
      .execute();
  }

  messageById(id: string): Promise<MessageRow | undefined> {
    return this.db.selectFrom('chat_messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** One report per reporter and message; false when this reporter had reported it already. */
  async report(r: { id: string; message_id: string; reporter_id: string; reason: string; created_at: Date }): Promise<boolean> {
    const done = await this.db
      .insertInto('chat_reports')
      .values(r)
      .onConflict((oc) => oc.columns(['message_id', 'reporter_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return done !== undefined;
  }

  /** Reported messages, most reported first, with the original text. */
  reports(limit: number) {
    return this.db
      .selectFrom('chat_reports as r')
      .innerJoin('chat_messages as m', 'm.id', 'r.message_id')
      .where('r.resolved_at', 'is', null)
      .select(['m.id as message_id', 'm.body', 'm.sender_id', 'm.conversation_id', 'm.created_at'])
      .select((eb) => [
        eb.fn.countAll<number>().as('reports'),
        eb.fn.max('r.created_at').as('last_reported_at'),
        sql<string[]>`array_agg(r.reason)`.as('reasons'),
      ])
      .groupBy(['m.id', 'm.body', 'm.sender_id', 'm.conversation_id', 'm.created_at'])
      .orderBy('reports', 'desc')
      .orderBy('last_reported_at', 'desc')
      .limit(limit)
      .execute();
  }

  async mute(m: { user_id: string; until: Date | null; reason: string; by_id: string; at: Date }): Promise<void> {
    await this.db
      .insertInto('chat_mutes')
      .values(m)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ until: m.until, reason: m.reason, by_id: m.by_id, at: m.at }))
      .execute();
    this.caches.mutes?.invalidate(`mute:${m.user_id}`);
  }

  async unmute(userId: string): Promise<void> {
    await this.db.deleteFrom('chat_mutes').where('user_id', '=', userId).execute();
    this.caches.mutes?.invalidate(`mute:${userId}`);
  }

  /** Mutes in force at `now` (bans have no end), of these users or of everyone. */
  activeMutes(now: Date, userIds?: string[]) {
    if (userIds && !userIds.length) return Promise.resolve([]);
    let q = this.db
      .selectFrom('chat_mutes')
      .selectAll()
      .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', now)]));
    if (userIds) q = q.where('user_id', 'in', userIds);
    return q.orderBy('at', 'desc').limit(500).execute();
  }

  /** Marks every open report of a message handled; false if it had none. */
  async resolveReports(messageId: string, at: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('chat_reports')
      .set({ resolved_at: at })
      .where('message_id', '=', messageId)
      .where('resolved_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async muteOf(userId: string): Promise<MuteRow | undefined> {
    const load = async () => (await this.db.selectFrom('chat_mutes').selectAll().where('user_id', '=', userId).executeTakeFirst()) ?? null;
    const cache = this.caches.mutes;
    return (cache ? await cache.through(userId, load, { tag: () => `mute:${userId}` }) : await load()) ?? undefined;
  }

  /** Read receipts: how far each member has read. */
  readers(conversationId: string) {
    return this.db.selectFrom('chat_members').select(['user_id', 'last_read_seq']).where('conversation_id', '=', conversationId).execute();
  }
}
