import { randomUUID } from 'node:crypto';
import { notFound } from '../platform/errors.ts';
import { chatError } from './errors.ts';
import type { Clock } from '../platform/clock.ts';
import { isUuid } from '../platform/ids.ts';
import type { Fanout } from '../platform/realtime.ts';
import type { ChatStore, MessageRow } from './store.ts';
import type { ConversationView, MessageView } from './schemas.ts';
import { censored } from './profanity.ts';
import type { BurstLimiter } from '../platform/burst-limit.ts';
import type { LinkPreview } from './link-preview.ts';
import { firstLink } from './links.ts';
import type { MessageStream, StreamedMessage, StreamEvent } from './stream.ts';

/** What chat asks of the friends and accounts contexts (wired in its module.ts). */
export interface ChatPeople {
  areFriends(a: string, b: string): Promise<boolean>;
  blockedEitherWay(a: string, b: string): Promise<boolean>;
  names(ids: string[]): Promise<Map<string, string>>;
  friendIds(userId: string): Promise<string[]>;
  /** What each of these users is playing right now (an open play session), by user id. */
  playing(userIds: string[]): Promise<Map<string, { gameId: string; title: string }>>;
}

export type PresenceState = 'online' | 'away' | 'offline';

/** A user counts as online while their node saw them within this long (nodes refresh every 15 s). */
const ONLINE_WITHIN_MS = 45_000;

/** The most messages one read hands a connection (it reads again when it got this many). */
export const SINCE_PAGE = 500;

/** What a connection receives: its user's channel, and its user's messages from the ordered stream (stream.ts). */
export type ChatEvent =
  | { type: 'message'; message: MessageView }
  /** Read what came after your position from the database (the stream skipped positions); never sent to a client. */
  | { type: 'resync' }
  | { type: 'typing'; conversationId: string; userId: string; name: string }
  | { type: 'read'; conversationId: string; userId: string; seq: number }
  | { type: 'conversation'; conversationId: string }
  | { type: 'presence'; userId: string; state: PresenceState; playing: { gameId: string; title: string } | null }
  | { type: 'notification'; notification: unknown }
  | { type: 'preview'; conversationId: string; messageId: string; preview: LinkPreview };

export const userChannel = (userId: string) => `chat:user:${userId}`;

/**
 * Chat between friends (R14): conversations and messages in PostgreSQL (the record), delivered live through the
 * fan-out (in process, or Redis across nodes) on one channel per user. Delivery is at most once by design; a
 * client that reconnects asks for what came after the last position it saw (`since`), so nothing is lost.
 * Chat shares no table, lock or pool budget that checkout needs: the fan-out failing only delays messages.
 */
export class ChatService {
  /** Connections per user on this node. */
  readonly #here = new Map<string, number>();
  readonly #previewing = new Set<Promise<void>>();
  #reads: { me: string; after: number; resolve: (m: MessageView[]) => void; reject: (err: unknown) => void }[] | undefined;
  readonly #names = new Map<string, { name: string; at: number }>();
  #beat: NodeJS.Timeout | undefined;

  constructor(
    private readonly d: {
      store: ChatStore;
      fanout: Fanout;
      /** Messages to every node in order, straight to their members' connections (stream.ts). */
      stream: MessageStream;
      clock: Clock;
      people: ChatPeople;
      /** How many messages one user may send in a burst, counted across the nodes (platform/burst-limit.ts). */
      sendLimit: BurstLimiter;
      /** The preview of a link (the store's own pages from the catalogue, others fetched safely); null: none. */
      linkPreview?: (url: string) => Promise<LinkPreview | null>;
    },
  ) {}

  async direct(me: string, other: string): Promise<ConversationView> {
    if (me === other) throw chatError(400, 'chat_with_self');
    await this.mayTalk(me, other);
    const id = await this.d.store.direct(me, other, randomUUID(), this.d.clock.now());
    return this.conversation(me, id);
  }

  private async mayTalk(me: string, other: string): Promise<void> {
    if (await this.d.people.blockedEitherWay(me, other)) throw chatError(403, 'blocked');
    if (!(await this.d.people.areFriends(me, other))) throw chatError(403, 'not_a_friend');
  }

  async createGroup(me: string, name: string, memberIds: string[]): Promise<ConversationView> {
    const members = [...new Set(memberIds.filter((m) => m !== me))];
    if (members.length > 49) throw chatError(400, 'group_too_large');
    for (const m of members) await this.mayTalk(me, m);
    const id = randomUUID();
    await this.d.store.group(id, name.trim(), me, members, this.d.clock.now());
    for (const m of members)
      await this.d.fanout.publish(userChannel(m), { type: 'conversation', conversationId: id }).catch(() => undefined);
    return this.conversation(me, id);
  }

  /** The owner adds a friend of theirs to a group. */
  async invite(me: string, conversationId: string, userId: string): Promise<ConversationView> {
    const c = await this.visible(me, conversationId);
    if (c.kind !== 'group') throw chatError(400, 'not_a_group.add');
    if (c.owner_id !== me) throw chatError(403, 'owner_only.add');
    await this.mayTalk(me, userId);
    await this.d.store.addMember(conversationId, userId, this.d.clock.now());
    await this.d.fanout.publish(userChannel(userId), { type: 'conversation', conversationId }).catch(() => undefined);
    return this.conversation(me, conversationId);
  }

  /** The owner removes someone; anyone may leave. An owner who leaves hands the group to the longest member. */
  async remove(me: string, conversationId: string, userId: string): Promise<void> {
    const c = await this.visible(me, conversationId);
    if (c.kind !== 'group') throw chatError(400, 'not_a_group.leave');
    if (userId !== me && c.owner_id !== me) throw chatError(403, 'owner_only.remove');
    await this.d.store.removeMember(conversationId, userId);
    if (userId === c.owner_id) {
      const [next] = await this.d.store.members(conversationId);
      if (next) await this.d.store.setOwner(conversationId, next);
    }
  }

  /** A conversation exists only for its members: anyone else gets 404, as if it did not exist. */
  private async visible(me: string, conversationId: string) {
    const c = isUuid(conversationId) ? await this.d.store.conversation(conversationId) : undefined;
    if (!c || !(await this.d.store.isMember(conversationId, me)))
      throw notFound({ en: 'This conversation', ko: '이 대화', ja: 'この会話' }, 'conversation_not_found');
    return c;
  }

  async list(me: string): Promise<ConversationView[]> {
    const rows = await this.d.store.listFor(me);
    const members = await Promise.all(rows.map((r) => this.d.store.members(r.id)));
    const names = await this.d.people.names([...new Set(members.flat())]);
    return rows.map((r, i) => ({
      id: r.id,
      kind: r.kind,
      name: r.name,
      ownerId: r.owner_id,
      members: members[i]!.map((id) => ({ id, name: names.get(id) ?? '' })),
      unread: r.unread,
      lastSeq: r.last_seq,
    }));
  }

  private async conversation(me: string, id: string): Promise<ConversationView> {
    const found = (await this.list(me)).find((c) => c.id === id);
    if (!found) throw notFound({ en: 'This conversation', ko: '이 대화', ja: 'この会話' }, 'conversation_not_found');
    return found;
  }

  async history(me: string, conversationId: string, before: number | undefined, limit: number): Promise<MessageView[]> {
    await this.visible(me, conversationId);
    return this.views(await this.d.store.history(conversationId, before, limit), me);
  }

  /** The position of the newest message a user can see (where a first connection starts). */
  latestSeq(me: string): Promise<number> {
    return this.d.store.latestSeq(me);
  }

  /** What a reconnecting client missed in all its conversations, oldest first (at most `limit`; ask again for more). */
  /**
   * What a reader has not seen yet, in order (at most 500). Reads asked for in the same turn of the event loop — a
   * message pokes every member's connection at once — go to the database as one statement.
   */
  since(me: string, after: number): Promise<MessageView[]> {
    return new Promise((resolve, reject) => {
      if (!this.#reads) {
        this.#reads = [];
        setImmediate(() => void this.readBatch());
      }
      this.#reads.push({ me, after, resolve, reject });
    });
  }

  private async readBatch(): Promise<void> {
    const batch = this.#reads ?? [];
    this.#reads = undefined;
    try {
      const rows = await this.d.store.sinceMany(
        batch.map((b) => ({ userId: b.me, after: b.after })),
        SINCE_PAGE,
      );
      const byReader = batch.map(() => [] as MessageRow[]);
      for (const r of rows) byReader[r.nth]!.push(r);
      await Promise.all(batch.map(async (b, i) => b.resolve(await this.views(byReader[i]!, b.me))));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  async send(me: string, conversationId: string, body: string): Promise<MessageView> {
    const c = await this.visible(me, conversationId);
    const text = body.trim();
    if (!text) throw chatError(400, 'message_empty');
    if (text.length > 4000) throw chatError(400, 'message_too_long');
    const members = await this.d.store.members(conversationId);
    if (c.kind === 'direct') {
      const other = members.find((m) => m !== me);
      if (other) await this.mayTalk(me, other);
    }
    const mute = await this.d.store.muteOf(me);
    if (mute && (mute.until === null || mute.until > this.d.clock.now())) {
      const details = { until: mute.until?.toISOString() ?? null };
      throw mute.until
        ? chatError(403, 'muted.until', { until: mute.until.toISOString().slice(0, 16).replace('T', ' '), reason: mute.reason }, details)
        : chatError(403, 'muted.forever', { reason: mute.reason }, details);
    }
    const wait = await this.d.sendLimit.take(me);
    if (wait !== undefined) {
      throw chatError(429, 'chat_rate_limited', { seconds: wait }, { retryAfterSeconds: wait });
    }
    // Stored and published to the members' nodes in one step, in order (store.ts, stream.ts).
    const row = await this.d.store.insertMessage(
      { id: randomUUID(), conversation_id: conversationId, sender_id: me, body: text, created_at: this.d.clock.now() },
      members,
    );
    const [message] = await this.views([row]);
    const link = firstLink(text);
    if (link && this.d.linkPreview) {
      const previewing = this.previewLater(message!, link, members);
      this.#previewing.add(previewing);
      void previewing.finally(() => this.#previewing.delete(previewing));
    }
    return message!;
  }

  async markRead(me: string, conversationId: string, seq: number): Promise<void> {
    await this.visible(me, conversationId);
    await this.d.store.markRead(conversationId, me, seq);
    const members = await this.d.store.members(conversationId);
    await Promise.all(
      members
        .filter((m) => m !== me)
        .map((m) => this.d.fanout.publish(userChannel(m), { type: 'read', conversationId, userId: me, seq }).catch(() => undefined)),
    );
  }

  async typing(me: string, conversationId: string): Promise<void> {
    await this.visible(me, conversationId);
    const members = await this.d.store.members(conversationId);
    const name = (await this.d.people.names([me])).get(me) ?? '';
    await Promise.all(
      members
        .filter((m) => m !== me)
        .map((m) => this.d.fanout.publish(userChannel(m), { type: 'typing', conversationId, userId: me, name }).catch(() => undefined)),
    );
  }

  // ---------- presence (R14) ----------

  /** A connection opened: the first one on this node makes the user online; friends who may see it are told. */
  async connected(userId: string): Promise<void> {
    const n = (this.#here.get(userId) ?? 0) + 1;
    this.#here.set(userId, n);
    this.heartbeat();
    if (n === 1) {
      await this.d.store.seen([userId], 'online', new Date());
      await this.announce(userId, 'online');
    }
  }

  async disconnected(userId: string): Promise<void> {
    const n = (this.#here.get(userId) ?? 1) - 1;
    if (n > 0) return void this.#here.set(userId, n);
    this.#here.delete(userId);
    await this.d.store.seen([userId], 'offline', new Date());
    await this.announce(userId, 'offline');
  }

  /** The client says it is idle (away) or back (online). */
  async setState(userId: string, state: 'online' | 'away'): Promise<void> {
    await this.d.store.seen([userId], state, new Date());
    await this.announce(userId, state);
  }

  async setPrivacy(userId: string, privacy: 'everyone' | 'friends' | 'nobody'): Promise<void> {
    await this.d.store.setPrivacy(userId, privacy);
    await this.announce(userId, privacy === 'nobody' ? 'offline' : await this.stateOf(userId));
  }

  private async stateOf(userId: string): Promise<PresenceState> {
    const [p] = await this.d.store.presence([userId]);
    return p && p.last_seen_at && Date.now() - p.last_seen_at.getTime() < ONLINE_WITHIN_MS ? p.state : 'offline';
  }

  /** Every 15 s this node refreshes the users connected to it (a node that dies stops, and they go offline in 45 s). */
  private heartbeat(): void {
    if (this.#beat) return;
    this.#beat = setInterval(() => void this.d.store.refresh([...this.#here.keys()], new Date()).catch(() => undefined), 15_000);
    this.#beat.unref();
  }

  stop(): void {
    clearInterval(this.#beat);
  }

  private async announce(userId: string, state: PresenceState): Promise<void> {
    const [friends, [p]] = await Promise.all([this.d.people.friendIds(userId), this.d.store.presence([userId])]);
    const shown = p?.privacy === 'nobody' ? 'offline' : state;
    const playing = shown === 'offline' ? null : ((await this.d.people.playing([userId])).get(userId) ?? null);
    await Promise.all(
      friends.map((f) => this.d.fanout.publish(userChannel(f), { type: 'presence', userId, state: shown, playing }).catch(() => undefined)),
    );
  }

  /** Friends with their state and what they play, as each one's privacy allows (blocked users are not friends). */
  async presence(me: string) {
    const friends = await this.d.people.friendIds(me);
    const [rows, names, playing] = await Promise.all([
      this.d.store.presence(friends),
      this.d.people.names(friends),
      this.d.people.playing(friends),
    ]);
    const byId = new Map(rows.map((r) => [r.user_id, r]));
    return friends.map((id) => {
      const p = byId.get(id);
      const fresh = p?.last_seen_at && Date.now() - p.last_seen_at.getTime() < ONLINE_WITHIN_MS;
      const state: PresenceState = !p || p.privacy === 'nobody' || !fresh ? 'offline' : p.state;
      return { id, name: names.get(id) ?? '', state, playing: state === 'offline' ? null : (playing.get(id) ?? null) };
    });
  }

  /**
   * Everything one connection hears, in order: its user's channel (typing, receipts, presence, notifications) and its
   * user's messages from the stream. A message is shown as this reader sees it — at once in the usual case (the
   * sender's name known on this node, nothing for the filter to hide); when that needs a read, it and everything
   * after it wait for it, so the order holds.
   */
  subscribe(userId: string, handler: (e: ChatEvent) => void): () => void {
    const off = this.d.fanout.subscribe(userChannel(userId), (m) => handler(m as ChatEvent));
    const queue: StreamEvent[] = [];
    let draining = false;
    let closed = false;
    const deliver = async () => {
      draining = true;
      try {
        for (let e = queue.shift(); e && !closed; e = queue.shift()) {
          if (e.type === 'resync') handler(e);
          else {
            // A view that cannot be made (the database away) is read again with the rest: resync.
            const message = this.viewNow(e.message, userId) ?? (await this.viewLater(e.message, userId).catch(() => undefined));
            handler(message ? { type: 'message', message } : { type: 'resync' });
          }
        }
      } finally {
        draining = false;
      }
    };
    const stop = this.d.stream.listen(userId, (e) => {
      if (!draining) {
        if (e.type === 'resync') return handler(e);
        const now = this.viewNow(e.message, userId);
        if (now) return handler({ type: 'message', message: now });
      }
      queue.push(e);
      if (!draining) void deliver();
    });
    return () => {
      closed = true;
      off();
      stop();
    };
  }

  /** A streamed message as `reader` sees it, when nothing needs reading (else undefined). */
  private viewNow(m: StreamedMessage, reader: string): MessageView | undefined {
    const name = this.#names.get(m.senderId);
    if (!name || Date.now() - name.at >= 60_000) return undefined;
    if (m.senderId !== reader && censoredOnce(m) !== m.body) return undefined;
    return streamedView(m, name.name, m.body);
  }

  private async viewLater(m: StreamedMessage, reader: string): Promise<MessageView> {
    const names = await this.senderNames([m.senderId]);
    const hidden = m.senderId !== reader && censoredOnce(m) !== m.body && !(await this.d.people.friendIds(reader)).includes(m.senderId);
    return streamedView(m, names.get(m.senderId) ?? '', hidden ? censoredOnce(m) : m.body);
  }

  get fanoutHealthy(): boolean {
    return this.d.fanout.healthy;
  }

  // ---------- moderation (R14) ----------

  /** A member reports a message to the operators (once per message). */
  async report(me: string, messageId: string, reason: string): Promise<{ reported: boolean }> {
    const m = isUuid(messageId) ? await this.d.store.messageById(messageId) : undefined;
    if (!m || !(await this.d.store.isMember(m.conversation_id, me)))
      throw notFound({ en: 'This message', ko: '이 메시지', ja: 'このメッセージ' }, 'message_not_found');
    if (m.sender_id === me) throw chatError(400, 'own_message');
    return {
      reported: await this.d.store.report({
        id: randomUUID(),
        message_id: m.id,
        reporter_id: me,
        reason: reason.trim(),
        created_at: this.d.clock.now(),
      }),
    };
  }

  /** Reports not yet handled, most reported first, with whether the writer is muted now. */
  async reports(limit = 100) {
    const rows = await this.d.store.reports(limit);
    const senders = [...new Set(rows.map((r) => r.sender_id))];
    const [names, mutes] = await Promise.all([this.d.people.names(senders), this.d.store.activeMutes(this.d.clock.now(), senders)]);
    const muted = new Map(mutes.map((m) => [m.user_id, m]));
    return rows.map((r) => ({
      messageId: r.message_id,
      conversationId: r.conversation_id,
      sender: { id: r.sender_id, name: names.get(r.sender_id) ?? '' },
      body: r.body,
      sentAt: r.created_at.toISOString(),
      reports: Number(r.reports),
      reasons: r.reasons,
      senderMute: muteView(muted.get(r.sender_id)),
    }));
  }

  /** Marks a message's reports handled (dismissed, or acted on): it leaves the list. */
  async handleReports(messageId: string): Promise<void> {
    if (!isUuid(messageId) || !(await this.d.store.resolveReports(messageId, this.d.clock.now())))
      throw notFound({ en: 'Reports of this message', ko: '이 메시지에 대한 신고', ja: 'このメッセージへの通報' }, 'report_not_found');
  }

  /** Mutes and bans in force now, newest first. */
  async mutes() {
    const rows = await this.d.store.activeMutes(this.d.clock.now());
    const names = await this.d.people.names(rows.map((r) => r.user_id));
    return rows.map((r) => ({ user: { id: r.user_id, name: names.get(r.user_id) ?? '' }, ...muteView(r)!, at: r.at.toISOString() }));
  }

  /** Mutes a user for some minutes, or bans them from chat (`minutes` null). */
  async mute(operatorId: string, userId: string, minutes: number | null, reason: string): Promise<void> {
    const now = this.d.clock.now();
    await this.d.store.mute({
      user_id: userId,
      until: minutes === null ? null : new Date(now.getTime() + minutes * 60_000),
      reason,
      by_id: operatorId,
      at: now,
    });
  }

  unmute(userId: string): Promise<void> {
    return this.d.store.unmute(userId);
  }

  /**
   * Previews a message's link after the message went out (the sender never waits for a third party's page), stores
   * it once per URL and pushes it to the members. A failure only means no preview.
   */
  private async previewLater(message: MessageView, url: string, members: string[]): Promise<void> {
    try {
      const stored = (await this.d.store.previews([url]))[0];
      let preview: LinkPreview | null = stored?.title
        ? { url, title: stored.title, description: stored.description, site: stored.site }
        : null;
      if (!stored) {
        preview = await this.d.linkPreview!(url).catch(() => null);
        await this.d.store.savePreview({
          url,
          title: preview?.title ?? null,
          description: preview?.description ?? null,
          site: preview?.site ?? null,
          fetched_at: this.d.clock.now(),
        });
      }
      if (!preview) return;
      const event: ChatEvent = { type: 'preview', conversationId: message.conversationId, messageId: message.id, preview };
      await Promise.all(members.map((m) => this.d.fanout.publish(userChannel(m), event).catch(() => undefined)));
    } catch {
      // no preview
    }
  }

  /** Waits for previews still being made (tests, shutdown). */
  async previewsSettled(): Promise<void> {
    await Promise.all([...this.#previewing]);
  }

  /**
   * Senders' display names, kept for a minute on this node: every delivery of a message to every member names its
   * sender, and names change rarely (a rename shows within a minute).
   */
  private async senderNames(ids: string[]): Promise<Map<string, string>> {
    const now = Date.now();
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.#names.get(id);
      if (hit && now - hit.at < 60_000) out.set(id, hit.name);
      else missing.push(id);
    }
    if (missing.length) {
      if (this.#names.size > 50_000) this.#names.clear();
      for (const [id, name] of await this.d.people.names(missing)) {
        this.#names.set(id, { name, at: now });
        out.set(id, name);
      }
    }
    return out;
  }

  /**
   * Messages as a reader sees them. Steam's rule by default: strong words are hidden (♥) in what people who are not
   * the reader's friends write (a group mixes friends and friends of friends); friends' own words are shown as written.
   */
  private async views(rows: MessageRow[], reader?: string): Promise<MessageView[]> {
    const links = new Map(rows.map((r) => [r.id, firstLink(r.body)]));
    const urls = [...new Set([...links.values()].filter((u): u is string => !!u))];
    // Who is a friend matters only for a message the filter would change (most change nothing): asked only then.
    const filtered = new Map(reader ? rows.filter((r) => r.sender_id !== reader).map((r) => [r.id, censored(r.body)] as const) : []);
    const needFriends = reader !== undefined && rows.some((r) => filtered.has(r.id) && filtered.get(r.id) !== r.body);
    const [names, friends, previews] = await Promise.all([
      this.senderNames([...new Set(rows.map((r) => r.sender_id))]),
      needFriends ? this.d.people.friendIds(reader).then((f) => new Set(f)) : new Set<string>(),
      this.d.store.previews(urls).then((ps) => new Map(ps.filter((p) => p.title).map((p) => [p.url, p]))),
    ]);
    return rows.map((r) => ({
      id: r.id,
      seq: Number(r.seq),
      conversationId: r.conversation_id,
      senderId: r.sender_id,
      senderName: names.get(r.sender_id) ?? '',
      body: reader && r.sender_id !== reader && !friends.has(r.sender_id) ? filtered.get(r.id)! : r.body,
      createdAt: r.created_at.toISOString(),
      ...previewOf(previews.get(links.get(r.id) ?? '')),
    }));
  }
}

/** The filtered text of a streamed message, worked out once on this node for all its readers. */
const censoring = new WeakMap<StreamedMessage, string>();
const censoredOnce = (m: StreamedMessage): string => {
  let c = censoring.get(m);
  if (c === undefined) censoring.set(m, (c = censored(m.body)));
  return c;
};

const streamedView = (m: StreamedMessage, senderName: string, body: string): MessageView => ({
  id: m.id,
  seq: m.seq,
  conversationId: m.conversationId,
  senderId: m.senderId,
  senderName,
  body,
  createdAt: m.createdAt,
});

const previewOf = (p: { url: string; title: string | null; description: string | null; site: string | null } | undefined) =>
  p?.title ? { preview: { url: p.url, title: p.title, description: p.description, site: p.site } } : {};

const muteView = (m: { until: Date | null; reason: string } | undefined) =>
  m ? { until: m.until?.toISOString() ?? null, reason: m.reason } : null;
