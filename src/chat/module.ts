import { kyselyFor } from '../platform/db/database.ts';
import { burstLimiter } from '../platform/burst-limit.ts';
import { storeModule } from '../platform/module.ts';
import { RedisFanout } from '../platform/realtime.ts';
import websocket from '@fastify/websocket';
import type { Guards } from '../accounts/guards.ts';
import type { AccountService } from '../accounts/service.ts';
import { loopbackAliases } from '../accounts/auth.ts';
import type { ActivityService } from '../activity/service.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { FriendService } from '../friends/service.ts';
import type { NotificationService } from '../notifications/service.ts';
import { chatGateway } from './gateway.ts';
import { fetchPreview } from './link-preview.ts';
import { chatMigrations } from './migrations/index.ts';
import { chatRoutes } from './routes.ts';
import { ChatService, userChannel } from './service.ts';
import { MessageStream } from './stream.ts';
import { CHAT_CHANNEL, ChatStore, type ChatTables, type ConversationFacts, type MuteRow } from './store.ts';

/** Chat between friends (R14): conversations, history, live delivery over a WebSocket on every node. */
export const chatModule = storeModule({
  name: 'chat',
  migrations: chatMigrations,
  tags: [
    { name: 'chat', description: 'Chat between friends: conversations, history, messages; live over the WebSocket at /api/chat/ws (R14)' },
  ],
  create: async (
    p,
    s: {
      guards: Guards;
      accounts: AccountService;
      catalog: CatalogService;
      friends: FriendService;
      activity: ActivityService;
      notifications: NotificationService;
    },
  ) => {
    const { config, fanout } = p;
    const shopper = { country: config.defaultCountry, currency: 'USD', language: 'en' };
    const [conversations, mutes] = await Promise.all([
      p.cache<ConversationFacts | null>({ channel: CHAT_CHANNEL, ttlMs: 600_000, max: 50_000 }),
      p.cache<MuteRow | null>({ channel: CHAT_CHANNEL, ttlMs: 600_000, max: 50_000 }),
    ]);
    const db = kyselyFor<ChatTables>(p.pool);
    const stream: MessageStream = new MessageStream({ fanout, tailSeq: (): Promise<number> => store.tailSeq() });
    const store: ChatStore = new ChatStore(db, { conversations, mutes }, (rows) => stream.publish(rows));
    const chat = new ChatService({
      store,
      fanout,
      stream,
      clock: p.clock,
      linkPreview: async (url) => {
        // The store's own game pages are previewed from the catalogue; other pages fetched, guarded (chat/link-preview.ts).
        const u = new URL(url);
        if (u.origin === new URL(config.publicUrl).origin) {
          const key = /^\/games\/([^/?#]+)\/?$/.exec(u.pathname)?.[1];
          if (!key) return null;
          const g = await s.catalog.storeGame(decodeURIComponent(key), shopper);
          return { url, title: g.title, description: g.summary || null, site: 'Game Store' };
        }
        return config.linkPreviews === 'off' ? null : fetchPreview(url, { allowPrivate: config.linkPreviews === 'private' });
      },
      // 20 messages per 10 s per user, on all nodes together (in Redis when there is one).
      sendLimit: burstLimiter({
        redis: fanout instanceof RedisFanout ? fanout.commands : undefined,
        prefix: 'chat-send',
        points: 20,
        seconds: 10,
      }),
      people: {
        areFriends: (a, b) => s.friends.areFriends(a, b),
        blockedEitherWay: (a, b) => s.friends.blockedEitherWay(a, b),
        names: async (ids) => new Map((await s.accounts.people(ids)).map((x) => [x.id, x.name])),
        friendIds: (id) => s.friends.friendIds(id),
        playing: async (ids) => {
          const now = await s.activity.playingNow(ids);
          if (!now.size) return new Map();
          const cards = await s.catalog.cards([...new Set(now.values())], shopper);
          const titles = new Map(cards.map((c) => [c.id, c.title]));
          return new Map([...now].map(([user, gameId]) => [user, { gameId, title: titles.get(gameId) ?? '' }]));
        },
      },
    });
    // Notifications reach the player's open chat connections as they are committed.
    s.notifications.pushTo(
      (userId, notification) => void fanout.publish(userChannel(userId), { type: 'notification', notification }).catch(() => undefined),
    );
    return {
      provides: { chat },
      routes: async (app) => {
        chatRoutes(app, { chat, guards: s.guards });
        await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
        chatGateway(app, { chat, guards: s.guards, trustedOrigins: loopbackAliases(config.publicUrl) });
      },
      stop: async () => {
        chat.stop();
        stream.stop();
        await chat.previewsSettled();
      },
    };
  },
});
