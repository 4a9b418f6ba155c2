import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from './platform/config.ts';
import { isAdjustable, STORE_CLOCK_SHIFT_HEADER, STORE_TIME_HEADER, systemClock, type Clock } from './platform/clock.ts';
import { devClockRoutes } from './platform/http/dev-clock.ts';
import { AppError, installErrorHandler } from './platform/errors.ts';
import { createPool, kyselyFor, migrate, ping, type Pool } from './platform/db/database.ts';
import { Transactions } from './platform/db/tx.ts';
import { observability } from './platform/http/observability.ts';
import { edgeGuards, securityHeaders } from './platform/http/edge.ts';
import { loadShedding } from './platform/http/shedding.ts';
import { rateLimitMigrations, SharedRateLimiter } from './platform/http/rate-limit.ts';
import { createAuth, loopbackAliases, migrateAuth, type Auth } from './accounts/auth.ts';
import { accountMigrations } from './accounts/migrations/index.ts';
import { AccountStore, type AccountTables } from './accounts/store.ts';
import { ACCOUNT_CHANNEL, AccountService, type Viewer } from './accounts/service.ts';
import { NotifiedCache } from './platform/db/notified-cache.ts';
import { Guards } from './accounts/guards.ts';
import { accountRoutes } from './accounts/routes.ts';
import { TokenService, type TokenTables } from './accounts/tokens.ts';
import { providerSettings } from './accounts/providers.ts';
import { BreachedPasswords } from './accounts/breached.ts';
import { catalogMigrations } from './catalog/migrations/index.ts';
import { CATALOG_CHANNEL, CatalogStore, type CatalogTables } from './catalog/store.ts';
import { CatalogService, type StoreGamePage } from './catalog/service.ts';
import type { HomePage, SearchResult } from './catalog/schemas.ts';
import type { TitleIndex } from './catalog/suggest.ts';
import { catalogRoutes } from './catalog/routes.ts';
import { mediaRoutes } from './catalog/media.ts';
import { outboxMigrations, MailDelivery, type OutboxTables } from './platform/mail/outbox.ts';
import type { MailSink } from './platform/mail/sink.ts';
import {
  claimExecutorId,
  launchWorkflows,
  registerSaga,
  releaseExecutorId,
  sagaMigrations,
  shutdownWorkflows,
  startSaga,
  WorkflowHealth,
  type RetryPolicy,
} from './platform/workflows.ts';
import { pointsMigrations } from './points/migrations/index.ts';
import { PointsStore, type PointsTables } from './points/store.ts';
import { PointsService } from './points/service.ts';
import { pointsRoutes } from './points/routes.ts';
import { promotionMigrations } from './promotions/migrations/index.ts';
import { PromotionService } from './promotions/service.ts';
import { PromotionStore, type PromotionTables } from './promotions/store.ts';
import { LivePromotions } from './promotions/live.ts';
import { waitingRoomMigrations } from './waiting-room/migrations/index.ts';
import { WaitingRoomStore, type WaitingRoomTables } from './waiting-room/store.ts';
import { WaitingRoomService } from './waiting-room/service.ts';
import { waitingRoomRoutes } from './waiting-room/routes.ts';
import websocket from '@fastify/websocket';
import { chatMigrations } from './chat/migrations/index.ts';
import { ChatStore, type ChatTables } from './chat/store.ts';
import { ChatService, userChannel } from './chat/service.ts';
import { chatRoutes } from './chat/routes.ts';
import { chatGateway } from './chat/gateway.ts';
import { communityMigrations } from './community/migrations/index.ts';
import { CommunityStore, type CommunityTables } from './community/store.ts';
import { CommunityService } from './community/service.ts';
import { communityRoutes } from './community/routes.ts';
import { censored } from './chat/profanity.ts';
import { LocalFanout, RedisFanout, type Fanout } from './platform/realtime.ts';
import { burstLimiter } from './platform/burst-limit.ts';
import { fetchPreview } from './chat/link-preview.ts';
import { promotionRoutes } from './promotions/routes.ts';
import { orderMigrations } from './orders/migrations/index.ts';
import { OrderStore, type OrderTables } from './orders/store.ts';
import { OrderService } from './orders/service.ts';
import { orderRoutes } from './orders/routes.ts';
import type { PaymentGateway } from './payments/gateway.ts';
import { PaysimGateway } from './payments/paysim-gateway.ts';
import { DEFAULT_METHODS_FILE, PaymentMethodCatalogue } from './payments/methods.ts';
import type { FlowDeps } from './flows/deps.ts';
import { PaymentSignals } from './payments/signals.ts';
import { preorderGame } from './flows/preorder-game.ts';
import { refundOrder } from './flows/refund-order.ts';
import { mailboxRoutes } from './platform/mail/mailbox.ts';
import { notificationMigrations } from './notifications/migrations/index.ts';
import { NotificationStore, type NotificationTables } from './notifications/store.ts';
import { NotificationService } from './notifications/service.ts';
import { notificationRoutes } from './notifications/routes.ts';
import { friendMigrations } from './friends/migrations/index.ts';
import { FriendService } from './friends/service.ts';
import { FriendStore, type FriendTables } from './friends/store.ts';
import { friendRoutes } from './friends/routes.ts';
import { regionMigrations } from './regions/migrations/index.ts';
import { RegionGate, type RegionTables } from './regions/gate.ts';
import { ipCountryLookup } from './regions/ip-country.ts';
import { regionRoutes } from './regions/routes.ts';
import { timerMigrations, Timers, type TimerTables } from './platform/timers.ts';
import { EventLog, eventMigrations, type EventTables } from './platform/events.ts';
import { giftMigrations } from './gifts/migrations/index.ts';
import { GiftStore, type GiftTables } from './gifts/store.ts';
import { GiftService } from './gifts/service.ts';
import { giftRoutes } from './gifts/routes.ts';
import { sendGift, type GiftDeps } from './flows/send-gift.ts';
import { deliverGift, expireGift, GIFT_TIMERS } from './gifts/lifecycle.ts';
import { PaymentReconciler, RECONCILE_TIMER } from './flows/reconcile-payments.ts';
import { alertMigrations } from './alerts/migrations/index.ts';
import { AlertStore, type AlertTables } from './alerts/store.ts';
import { AlertService } from './alerts/service.ts';
import { alertRoutes } from './alerts/routes.ts';
import { activityMigrations } from './activity/migrations/index.ts';
import { ActivityStore, type ActivityTables } from './activity/store.ts';
import { ActivityService } from './activity/service.ts';
import { activityRoutes } from './activity/routes.ts';
import { feedMigrations } from './feed/migrations/index.ts';
import { FeedStore, type FeedTables } from './feed/store.ts';
import { FeedService } from './feed/service.ts';
import { feedRoutes } from './feed/routes.ts';
import {
  genrePickMigrations,
  discoveryMigrations,
  socialMigrations,
  recommendationMigrations,
  releaseMailMigrations,
  reviewSignalMigrations,
} from './recommendations/migrations/index.ts';
import { reviewMigrations } from './reviews/migrations/index.ts';
import { ReviewStore, type ReviewTables } from './reviews/store.ts';
import { ReviewService } from './reviews/service.ts';
import { reviewRoutes } from './reviews/routes.ts';
import { RecommendationStore, type RecommendationTables } from './recommendations/store.ts';
import { RecommendationService, REC_TRAIN_TIMER } from './recommendations/service.ts';
import { recommendationRoutes, releaseMailRoutes } from './recommendations/routes.ts';
import { trainInWorker } from './recommendations/training.ts';
import { ReleaseMailer, type ReleaseMailDb } from './recommendations/release-mail.ts';
import { JsonLinesFileFeed, JsonLinesHttpFeed, SnsIngest, socialTrends, SNS_TIMER, type SnsTables } from './recommendations/sns.ts';
import { pickText } from './platform/languages.ts';
import { defaultCurrencyFor } from './platform/countries.ts';

/** Every context's migrations; names start with a date, so they apply in one global order. */
export const migrations = {
  ...catalogMigrations,
  ...accountMigrations,
  ...pointsMigrations,
  ...outboxMigrations,
  ...promotionMigrations,
  ...waitingRoomMigrations,
  ...chatMigrations,
  ...communityMigrations,
  ...orderMigrations,
  ...notificationMigrations,
  ...friendMigrations,
  ...timerMigrations,
  ...eventMigrations,
  ...giftMigrations,
  ...regionMigrations,
  ...activityMigrations,
  ...feedMigrations,
  ...recommendationMigrations,
  ...releaseMailMigrations,
  ...reviewMigrations,
  ...reviewSignalMigrations,
  ...genrePickMigrations,
  ...discoveryMigrations,
  ...socialMigrations,

  ...alertMigrations,
  ...rateLimitMigrations,
  ...sagaMigrations,
};

export interface StoreDeps {
  config: Config;
  databaseUrl: string;
  clock: Clock;
  authSecret: string;
  /** Default: paysim at PAYMENT_GATEWAY_URL, or the one npm start runs on PAYSIM_PORT. */
  gateway?: PaymentGateway;
  /** Where outgoing mail goes. Default: SMTP_URL, or the local sink on SMTP_SINK_PORT. */
  smtpUrl?: string;
  /** The development SMTP sink, shown at /dev/mailbox. */
  mailbox?: MailSink;
  /**
   * Run sagas durably (DBOS) and deliver mail. One durable store per process (DBOS is a singleton);
   * tools that only read or seed (CLI, benchmark seeding) leave it off.
   */
  durable?: boolean;
  retryPolicy?: Partial<RetryPolicy>;
}

export interface Store {
  app: FastifyInstance;
  pool: Pool;
  auth: Auth;
  accounts: AccountService;
  catalog: CatalogService;
  points: PointsService;
  promotions: PromotionService;
  orders: OrderService;
  orderStore: OrderStore;
  gifts: GiftService;
  giftStore: GiftStore;
  timers: Timers;
  mail: MailDelivery;
  reconciler: PaymentReconciler;
  events: EventLog;
  activity: ActivityService;
  recommendations: RecommendationService;
  /** The social-network feed reader, when SNS_FEED_URL or SNS_FEED_FILE is set. */
  sns?: SnsIngest;
  close(): Promise<void>;
}

/** The payment gateway the configuration points at: paysim, beside the store or elsewhere. */
export function paysimFromConfig(config: Config): PaysimGateway {
  return new PaysimGateway({
    url: config.paymentGatewayUrl ?? `http://127.0.0.1:${config.paysimPort}`,
    apiKey: config.paysimApiKey,
    webhookSecret: config.paysimWebhookSecret,
    // Webhook signatures are checked against the wall clock: they are about transport, not business time.
    clock: systemClock,
  });
}

/** Trusts the socket peer and the next n − 1 X-Forwarded-For entries from the right: n proxies in front. */
const trustHops = (n: number) => (_address: string, hop: number) => hop < n;

const WEB_DIST = resolve(import.meta.dirname, '../web/dist');

/** The composition root: builds every context over one pool and wires their routes into one Fastify app. */
export async function createStore(deps: StoreDeps): Promise<Store> {
  const { config, clock } = deps;
  const pool = createPool(deps.databaseUrl);
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    bodyLimit: 2 * 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    // false, a hop count or addresses. A count becomes "the first n addresses from our side are proxies" (Fastify
    // refuses bare counts); the client's own entries further left are never believed. The cast only picks
    // Fastify's HTTP/1 overload.
    trustProxy: (typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy) as boolean,
    // Unknown fields are refused, not silently dropped: a misspelt field must not look like a saved one.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  let claimed = false;
  let stopLive: (() => Promise<void>) | undefined;
  let stopCaches: (() => Promise<void>) | undefined;
  let stopSignals: (() => Promise<void>) | undefined;
  let closeFanout: (() => Promise<void>) | undefined;
  try {
    // Before anything registers with DBOS: a second process with this NODE_ID is refused here.
    if (deps.durable) {
      await claimExecutorId(deps.databaseUrl, config.nodeId);
      claimed = true;
    }
    await migrateAuth(config, pool, deps.authSecret);
    await migrate(pool, migrations, app.log);

    const ipCountry = ipCountryLookup(config.geoipMmdbFile);
    // Late-bound: the hook needs the account service, which needs auth.
    let onUserCreated: (userId: string, ip: string | undefined) => Promise<void> = async () => undefined;
    let onSessionsEnded: (e: { userId: string; sessionId?: string }) => Promise<void> = async () => undefined;
    const auth = createAuth(config, pool, deps.authSecret, {
      userCreated: (id, ip) => onUserCreated(id, ip),
      sessionsEnded: (e) => onSessionsEnded(e),
    });
    const regionGate = new RegionGate(kyselyFor<RegionTables>(pool), clock);
    // Hot reads from memory, kept honest by the database's NOTIFY (issue 15): signed-in viewers and game pages.
    const cacheOpts = { databaseUrl: deps.databaseUrl, log: app.log };
    const viewerCache = new NotifiedCache<(Viewer & { sessionExpiresAt: Date }) | undefined>({
      ...cacheOpts,
      channel: ACCOUNT_CHANNEL,
      ttlMs: 30_000,
      max: 50_000,
    });
    // Game pages are a few KB each, result lists (search, home) some tens: bounded by count accordingly.
    const pageCache = new NotifiedCache<StoreGamePage>({ ...cacheOpts, channel: CATALOG_CHANNEL, ttlMs: 600_000, max: 20_000 });
    const listCache = new NotifiedCache<SearchResult | HomePage>({ ...cacheOpts, channel: CATALOG_CHANNEL, ttlMs: 300_000, max: 2_000 });
    const indexCache = new NotifiedCache<TitleIndex | ReadonlySet<string>>({
      ...cacheOpts,
      channel: CATALOG_CHANNEL,
      ttlMs: 3_600_000,
      max: 2,
    });
    const caches = [viewerCache, pageCache, listCache, indexCache];
    stopCaches = async () => void (await Promise.all(caches.map((c) => c.stop())));
    await Promise.all(caches.map((c) => c.start()));
    const accounts = new AccountService(
      auth,
      new AccountStore(kyselyFor<AccountTables>(pool)),
      clock,
      {
        country: config.defaultCountry,
        language: config.defaultLanguage,
        residenceChangeDays: config.residenceChangeDays,
        signUpCountryCheck: config.signUpCountryCheck,
      },
      (e) =>
        regionGate.record({
          action: e.action,
          userId: e.userId,
          gameId: null,
          residence: e.residence,
          ipCountry: e.ipCountry,
          outcome: e.outcome,
          reason: e.reason,
          message: e.message,
        }),
      viewerCache,
    );
    // The storefront prices through the promotions in memory (built below; the closure reads it at call time).
    const priced: { by?: PromotionService } = {};
    const catalog = new CatalogService(
      new CatalogStore(kyselyFor<CatalogTables>(pool)),
      clock,
      {
        offer: (item, country) => priced.by?.offer(item, country) ?? { price: item.list, percentOff: 0, endsAt: null },
        epoch: () => priced.by?.epoch() ?? { version: 0, until: Infinity },
      },
      { pages: pageCache, lists: listCache, indexes: indexCache },
    );
    onUserCreated = (id, ip) => accounts.ensureProfile(id, ipCountry.country(ip));
    const tokens = new TokenService(kyselyFor<TokenTables>(pool), auth, (id) => accounts.me(id), clock, config.publicUrl);
    onSessionsEnded = (e) => (e.sessionId ? tokens.revokeForSession(e.sessionId) : tokens.revokeAllForUser(e.userId));
    const guards = new Guards(accounts, ipCountry, tokens, { operatorRequire2fa: config.operatorRequire2fa });
    const points = new PointsService(new PointsStore(kyselyFor<PointsTables>(pool)), clock, config.pointsEarnRatePercent);
    const orderStore = new OrderStore(kyselyFor<OrderTables>(pool));
    const promotionStore = new PromotionStore(kyselyFor<PromotionTables>(pool));
    const livePromotions = new LivePromotions(promotionStore, {
      databaseUrl: deps.databaseUrl,
      pollMs: config.promotionsPollMs,
      timeoutMs: 2000,
      log: app.log,
    });
    const promotions = new PromotionService({
      store: promotionStore,
      live: livePromotions,
      clock,
      quoteSecret: `${deps.authSecret}:quotes`,
      quoteTtlMs: config.quoteTtlMinutes * 60_000,
      ports: {
        buyerFacts: async (userId) => {
          const [createdAt, owned, wallets] = await Promise.all([
            accounts.createdAt(userId),
            orderStore.libraryOf(userId),
            points.wallets(userId),
          ]);
          return {
            accountCreatedAt: createdAt ?? new Date(0),
            ownedGameIds: new Set(owned.map((o) => o.game_id)),
            points: Object.fromEntries(wallets.map((w) => [w.currency, Number(w.balance)])),
          };
        },
        existingGames: (ids) => catalog.existingIds(ids),
        people: (ids) => accounts.people(ids),
        itemFor: async (gameId, editionId, country, currency) =>
          (await catalog.priceItem(gameId, editionId, { country, currency: currency ?? defaultCurrencyFor(country), language: 'en' })).item,
      },
    });
    priced.by = promotions;
    const roomStore = new WaitingRoomStore(kyselyFor<WaitingRoomTables>(pool));
    const waitingRooms = new WaitingRoomService({
      store: roomStore,
      clock,
      secret: `${deps.authSecret}:admission`,
      gameExists: async (id) => (await catalog.existingIds([id])).has(id),
    });
    stopLive = () => livePromotions.stop();
    // Chat's fan-out: Redis across nodes when REDIS_URL is set, in process otherwise (R14, R3).
    const fanout: Fanout = config.redisUrl ? new RedisFanout(config.redisUrl) : new LocalFanout();
    closeFanout = () => fanout.close();
    await livePromotions.start();
    const transactions = new Transactions(pool);
    const notifications = new NotificationService(new NotificationStore(kyselyFor<NotificationTables>(pool)), clock);
    const friends = new FriendService(
      new FriendStore(kyselyFor<FriendTables>(pool)),
      accounts,
      transactions,
      notifications,
      clock,
      config.publicUrl,
    );
    const alerts = new AlertService(new AlertStore(kyselyFor<AlertTables>(pool)), clock, {
      email: config.alertEmail,
      publicUrl: config.publicUrl,
      log: app.log,
    });
    const signals = new PaymentSignals();
    await signals.listenAcrossNodes(deps.databaseUrl, app.log);
    stopSignals = () => signals.stop();
    const methods = config.paymentMethodsFile
      ? PaymentMethodCatalogue.fromFile(config.paymentMethodsFile)
      : PaymentMethodCatalogue.fromFile(DEFAULT_METHODS_FILE);
    const gateway = deps.gateway ?? paysimFromConfig(config);
    const flowDeps: FlowDeps = {
      orders: orderStore,
      transactions,
      points,
      promotions: promotionStore,
      admission: roomStore,
      gateway,
      clock,
      publicUrl: config.publicUrl,
      payments: signals,
      alerts,
      approvalTimeoutMs: config.paymentApprovalTimeoutSeconds * 1000,
    };
    const preorder = registerSaga(preorderGame(flowDeps), transactions);
    const refund = registerSaga(refundOrder(flowDeps), transactions);
    const timers = new Timers(kyselyFor<TimerTables>(pool), clock, app.log, config.timerPollMs);
    const giftStore = new GiftStore(kyselyFor<GiftTables>(pool), {
      orders: (ids, tx) => orderStore.byIds(ids, tx),
      people: (ids) => accounts.contacts(ids),
      owners: (ids, gameId) => orderStore.owners(ids, gameId),
    });
    const giftDeps: GiftDeps = { ...flowDeps, gifts: giftStore, timers, notifications };
    const giftSaga = registerSaga(sendGift(giftDeps), transactions);
    timers.register(GIFT_TIMERS.deliver.handler, {
      kind: 'local',
      run: (tx, input: { giftId: string }, now) => deliverGift(giftDeps, tx, input.giftId, now),
    });
    timers.register(GIFT_TIMERS.expire.handler, {
      kind: 'local',
      run: (tx, input: { giftId: string }, now) => expireGift(giftDeps, tx, input.giftId, now),
    });
    timers.register(GIFT_TIMERS.refund.handler, { kind: 'workflow', start: (id, input) => startSaga(refund, id, input) });
    const reconciler = new PaymentReconciler({
      orders: orderStore,
      gateway,
      alerts,
      timers,
      clock,
      workflows: new WorkflowHealth(kyselyFor(pool)),
      intervalMs: config.reconcileIntervalSeconds * 1000,
      lookbackMs: config.reconcileLookbackHours * 3_600_000,
      stuckAfterMs: config.stuckOrderMinutes * 60_000,
    });
    timers.register(RECONCILE_TIMER.handler, {
      kind: 'local',
      run: async (tx, _input, now) => {
        await reconciler.scheduleNext(tx, now);
        const r = await reconciler.runOnce(now);
        app.log.info({ reconcile: r }, 'payments reconciled with the PG');
      },
    });
    const orders = new OrderService({
      orders: orderStore,
      catalog,
      points,
      promotions,
      methods,
      regions: regionGate,
      admission: waitingRooms,
      clock,
      downloadSecret: `${deps.authSecret}:downloads`,
      publicUrl: config.publicUrl,
      refundWaitMs: config.refundWaitSeconds * 1000,
      sagas: { preorder: (id, input) => startSaga(preorder, id, input), refund: (id, input) => startSaga(refund, id, input) },
    });
    const gifts = new GiftService({
      ...giftDeps,
      friends,
      catalog,
      orderService: orders,
      methods,
      regions: regionGate,
      startSaga: (id, input) => startSaga(giftSaga, id, input),
    });
    const events = new EventLog(kyselyFor<EventTables>(pool), transactions, app.log, config.eventPollMs);
    const activity = new ActivityService({
      store: new ActivityStore(kyselyFor<ActivityTables>(pool)),
      clock,
      owns: async (userId, gameId) => (await orderStore.owns(userId, gameId)) !== undefined,
      published: (gameId) => catalog.isPublished(gameId),
      cards: (ids, shopper) => catalog.cards(ids, shopper),
      heartbeatSeconds: config.playHeartbeatSeconds,
    });
    const reviews = new ReviewService({
      store: new ReviewStore(kyselyFor<ReviewTables>(pool)),
      clock,
      owns: async (userId, gameId) => (await orderStore.owns(userId, gameId)) !== undefined,
      published: (gameId) => catalog.isPublished(gameId),
      playtimeMinutes: (userId, gameId) => activity.minutesPlayed(userId, gameId),
      names: async (ids) => new Map((await accounts.people(ids)).map((p) => [p.id, p.name])),
    });
    const snsFeed = config.snsFeedUrl
      ? new JsonLinesHttpFeed(config.snsFeedUrl)
      : config.snsFeedFile
        ? new JsonLinesFileFeed(config.snsFeedFile)
        : undefined;
    const sns = snsFeed
      ? new SnsIngest(kyselyFor<SnsTables>(pool), snsFeed, async () =>
          (await catalog.features()).map((g) => ({ id: g.id, title: pickText(g.title, 'en', g.default_language) })),
        )
      : undefined;
    const recommendations = new RecommendationService({
      store: new RecommendationStore(kyselyFor<RecommendationTables>(pool)),
      clock,
      log: app.log,
      cards: (ids, shopper) => catalog.cards(ids, shopper),
      friendsOf: (userId) => friends.friendIds(userId),
      owned: async (userId) => (await orderStore.libraryOf(userId)).map((o) => o.game_id),
      published: (gameId) => catalog.isPublished(gameId),
      popular: async () =>
        (await catalog.features())
          .sort((a, b) => b.popularity - a.popularity || (a.id < b.id ? -1 : 1))
          .map((g) => ({ id: g.id, genres: g.genres })),
      genres: async () => (await catalog.genres()).map((g) => g.name),
      train: trainInWorker,
      trends: sns ? () => socialTrends(kyselyFor<SnsTables>(pool), new Date(clock.now().getTime() - 30 * 86_400_000), 50) : undefined,
    });
    const snsPollMs = config.snsPollMinutes * 60_000;
    if (sns) {
      timers.register(SNS_TIMER.handler, {
        kind: 'local',
        run: async (tx, _input, now) => {
          await timers.schedule(tx, SNS_TIMER.next(now, snsPollMs));
          // Not awaited, like training: a feed that answers slowly must not hold a transaction open.
          void sns.runOnce().then(
            (r) => r.posts && app.log.info({ sns: r }, 'social posts ingested'),
            (err: unknown) => app.log.warn({ err }, 'social feed read failed'),
          );
        },
      });
    }
    recommendations.subscribe(events);
    const feed = new FeedService({
      store: new FeedStore(kyselyFor<FeedTables>(pool)),
      friendIds: (id) => friends.friendIds(id),
      people: (ids) => accounts.people(ids),
      game: (id, language) => catalog.facts(id, language),
      publicUrl: config.publicUrl,
    });
    feed.subscribe(events);
    const releaseMailer = new ReleaseMailer({
      db: kyselyFor<ReleaseMailDb>(pool),
      timers,
      publicUrl: config.publicUrl,
      secret: `${deps.authSecret}:mail-links`,
      features: (alsoId) => catalog.features(alsoId),
      contacts: (ids) => accounts.contacts(ids),
      cards: (ids, shopper, opts) => catalog.cards(ids, shopper, opts),
      options: {
        minTaste: config.releaseMail.minTastePercent / 100,
        maxPerGame: config.releaseMail.maxPerGame,
        maxPerWeek: config.releaseMail.maxPerWeek,
        batch: config.releaseMail.batch,
      },
    });
    releaseMailer.subscribe(events);
    releaseMailer.registerTimers(timers);
    const recTrainMs = config.recTrainIntervalMinutes * 60_000;
    timers.register(REC_TRAIN_TIMER.handler, {
      kind: 'local',
      run: async (tx, _input, now) => {
        await timers.schedule(tx, REC_TRAIN_TIMER.next(now, recTrainMs));
        // Not awaited: a transaction held open for the whole training would hold back every event-log reader
        // (they read only what is older than the oldest open transaction). A crash mid-training loses one run; the
        // next slot trains again.
        void recommendations.trainNow().catch((err: unknown) => app.log.warn({ err }, 'recommendation training failed'));
      },
    });
    const mail = new MailDelivery(kyselyFor<OutboxTables>(pool), clock, {
      smtpUrl: deps.smtpUrl ?? config.smtpUrl ?? `smtp://127.0.0.1:${config.smtpSinkPort}`,
      from: config.mailFrom,
      log: app.log,
    });
    if (deps.durable) {
      await launchWorkflows(
        { databaseUrl: deps.databaseUrl, applicationVersion: config.workflowVersion, executorId: config.nodeId, log: app.log },
        deps.retryPolicy,
        (a) => alerts.raise(a),
      );
      mail.start();
      events.start();
      await transactions.run(async (tx) => {
        await reconciler.scheduleNext(tx, clock.now());
        await timers.schedule(tx, REC_TRAIN_TIMER.next(clock.now(), recTrainMs));
        if (sns) await timers.schedule(tx, SNS_TIMER.next(clock.now(), snsPollMs));
      });
      timers.start();
    }

    installErrorHandler(app);
    edgeGuards(app);
    loadShedding(app, {
      eventLoopDelayMs: config.shedEventLoopDelayMs,
      classes: [
        {
          name: 'checkout',
          routes: ['POST /api/orders', 'POST /api/gifts', 'GET /api/checkout', 'POST /api/orders/:id/refund'],
          max: config.checkoutConcurrency,
          queue: config.checkoutQueue,
          maxWaitMs: 5000,
        },
        { name: 'queue', routes: ['POST /api/waiting-rooms/:id/ticket'], max: 8, queue: 1000, maxWaitMs: 5000 },
      ],
    });
    securityHeaders(app, config.publicUrl);
    // Graceful shutdown (close() below): stop accepting requests, let those in flight finish, then close the pool.
    // Hooks on every request are callback-style: an async hook costs a promise per request (issue 15).
    let inFlight = 0;
    app.addHook('onRequest', (_req, _reply, done) => {
      inFlight++;
      done();
    });
    app.addHook('onResponse', (_req, _reply, done) => {
      inFlight--;
      done();
    });
    // The store's clock (injected; a test's or, later, a development shift) travels with every answer, so the web
    // client judges "the past" and "release day" by it, never by the browser's own clock.
    const devClock = config.devClock && isAdjustable(clock) ? clock : undefined;
    app.addHook('onSend', (_req, reply, payload, done) => {
      reply.header(STORE_TIME_HEADER, clock.now().toISOString());
      // The development clock was moved: every page shows a banner (web/src/components/Layout.tsx).
      const shift = devClock ? Math.round(devClock.offsetMs()) : 0;
      if (Math.abs(shift) >= 60_000) reply.header(STORE_CLOCK_SHIFT_HEADER, String(shift));
      done(null, payload);
    });
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Game Store API',
          version: '0.1.0',
          description: 'Storefront, accounts and operator console API. Errors are { error: { code, message } }.',
        },
        tags: [
          { name: 'storefront', description: 'What visitors and players see' },
          {
            name: 'accounts',
            description: 'Sign-up and profile (sign-in, sign-out and sessions live under /api/auth/*, served by Better Auth)',
          },
          { name: 'operator', description: 'Operator console: games, prices, regions, promotions (operator role required)' },
          { name: 'orders', description: 'Checkout, pre-orders, purchase list, refunds and downloads (sagas: see docs/sagas.md)' },
          { name: 'points', description: 'Points balance and ledger' },
          { name: 'friends', description: 'Friends, friend requests and blocks' },
          { name: 'notifications', description: 'In-app notifications' },
          { name: 'gifts', description: 'Gifts to friends: buy, schedule, accept, decline, cancel (saga: docs/sagas.md)' },
          { name: 'community', description: 'Discussion boards per game: threads, replies; pinned and locked by operators (R14)' },
          {
            name: 'chat',
            description: 'Chat between friends: conversations, history, messages; live over the WebSocket at /api/chat/ws (R14)',
          },
          { name: 'waiting-room', description: 'The queue in front of a launch or a sale: join, position, ETA, admission (R6)' },
          { name: 'wishlist', description: 'Games a player wants (a recommendation signal)' },
          { name: 'reviews', description: 'Ratings and reviews by owners, helpful/funny votes' },
          { name: 'play', description: 'Launcher API: play sessions with heartbeats, playtime and recently played' },
          { name: 'feed', description: "Friends' activity feed with per-item visibility; shared items' public pages (R14, R11)" },
          ...(config.devClock ? [{ name: 'development', description: 'Development only (DEV_CLOCK=on): move the store clock' }] : []),
        ],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

    // Cookie sessions are CSRF-safe only if cross-site writes are refused: browsers send Origin on them.
    const trustedOrigins = loopbackAliases(config.publicUrl);
    app.addHook('onRequest', (req, _reply, done) => {
      if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return done();
      const origin = req.headers.origin;
      if (origin && !trustedOrigins.includes(origin) && origin !== `${req.protocol}://${req.host}`) {
        return done(new AppError(403, 'cross_site_request', 'This request came from another site and was refused.'));
      }
      done();
    });

    observability(app, () => ping(pool), {
      store_open_alerts: { help: 'Operator alerts not yet resolved', read: () => alerts.openCount() },
    });
    accountRoutes(app, {
      accounts,
      guards,
      auth,
      tokens,
      providers: providerSettings(config.socialProviders, config.oidcProviders),
      breached: new BreachedPasswords(config.passwordBreachCheckUrl, app.log),
      publicUrl: config.publicUrl,
      rateLimit: config.authRateLimit,
      limits: {
        signUpsPerAddress: new SharedRateLimiter(kyselyFor(pool), 5, 10 * 60),
        signInsPerAccount: new SharedRateLimiter(kyselyFor(pool), 10, 15 * 60),
        // Password and code attempts together, per client address (TRUST_PROXY decides which address that is).
        signInsPerAddress: new SharedRateLimiter(kyselyFor(pool), 10, 60),
        codesPerSignIn: new SharedRateLimiter(kyselyFor(pool), 5, 15 * 60),
      },
    });
    catalogRoutes(app, { catalog, guards });
    promotionRoutes(app, { promotions, catalog, guards });
    waitingRoomRoutes(app, { rooms: waitingRooms, guards });
    const chat = new ChatService({
      store: new ChatStore(kyselyFor<ChatTables>(pool)),
      fanout,
      clock,
      // 20 messages per 10 s per user, on all nodes together (in Redis when there is one).
      linkPreview: async (url) => {
        // The store's own game pages are previewed from the catalogue; other pages fetched, guarded (chat/link-preview.ts).
        const u = new URL(url);
        if (u.origin === new URL(config.publicUrl).origin) {
          const key = /^\/games\/([^/?#]+)\/?$/.exec(u.pathname)?.[1];
          if (!key) return null;
          const g = await catalog.storeGame(decodeURIComponent(key), { country: config.defaultCountry, currency: 'USD', language: 'en' });
          return { url, title: g.title, description: g.summary || null, site: 'Game Store' };
        }
        return config.linkPreviews === 'off' ? null : fetchPreview(url, { allowPrivate: config.linkPreviews === 'private' });
      },
      sendLimit: burstLimiter({
        redis: fanout instanceof RedisFanout ? fanout.commands : undefined,
        prefix: 'chat-send',
        points: 20,
        seconds: 10,
      }),
      people: {
        areFriends: (a, b) => friends.areFriends(a, b),
        blockedEitherWay: (a, b) => friends.blockedEitherWay(a, b),
        names: async (ids) => new Map((await accounts.people(ids)).map((p) => [p.id, p.name])),
        friendIds: (id) => friends.friendIds(id),
        playing: async (ids) => {
          const now = await activity.playingNow(ids);
          if (!now.size) return new Map();
          const cards = await catalog.cards([...new Set(now.values())], {
            country: config.defaultCountry,
            currency: 'USD',
            language: 'en',
          });
          const titles = new Map(cards.map((c) => [c.id, c.title]));
          return new Map([...now].map(([user, gameId]) => [user, { gameId, title: titles.get(gameId) ?? '' }]));
        },
      },
    });
    notifications.pushTo(
      (userId, notification) => void fanout.publish(userChannel(userId), { type: 'notification', notification }).catch(() => undefined),
    );
    chatRoutes(app, { chat, guards });
    const community = new CommunityService({
      store: new CommunityStore(kyselyFor<CommunityTables>(pool)),
      clock,
      ports: {
        gamePublished: (id) => catalog.isPublished(id),
        names: async (ids) => new Map((await accounts.people(ids)).map((p) => [p.id, p.name])),
        clean: censored,
      },
    });
    communityRoutes(app, { community, guards });
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    chatGateway(app, { chat, guards, trustedOrigins });
    pointsRoutes(app, { points, guards });
    orderRoutes(app, {
      orders,
      store: orderStore,
      guards,
      gateway,
      signals,
      now: () => clock.now(),
      onCaptured: (p) => reconciler.settleCapture(p),
    });
    friendRoutes(app, {
      friends,
      guards,
      requestLimit: new SharedRateLimiter(kyselyFor(pool), config.friendRequestsPerHour, 3600),
      emailLookupLimit: new SharedRateLimiter(kyselyFor(pool), 30, 3600),
    });
    notificationRoutes(app, { notifications, guards });
    giftRoutes(app, { gifts, guards, now: () => clock.now() });
    regionRoutes(app, { gate: regionGate, guards });
    alertRoutes(app, { alerts, guards });
    activityRoutes(app, { activity, guards });
    feedRoutes(app, { feed, guards, publicUrl: config.publicUrl });
    recommendationRoutes(app, { recommendations, guards });
    reviewRoutes(app, { reviews, guards });
    releaseMailRoutes(app, { mailer: releaseMailer, guards, now: () => clock.now() });
    if (deps.mailbox) mailboxRoutes(app, deps.mailbox);
    if (devClock)
      devClockRoutes(app, { clock: devClock, requireOperator: (req) => guards.requireOperator(req), moved: () => timers.kick() });
    await mediaRoutes(app, { guards, mediaDir: join(config.dataDir, 'media'), maxBytes: config.maxUploadBytes });
    await serveWeb(app);

    return {
      app,
      pool,
      auth,
      accounts,
      catalog,
      points,
      promotions,
      orders,
      orderStore,
      gifts,
      giftStore,
      timers,
      mail,
      reconciler,
      events,
      activity,
      recommendations,
      sns,
      async close() {
        const closing = app.close();
        orderStore.changes.wakeAll();
        await closing;
        for (let waited = 0; inFlight > 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
        await livePromotions.stop();
        await stopCaches?.();
        await stopSignals?.();
        chat.stop();
        await chat.previewsSettled();
        await fanout.close();
        if (deps.durable) {
          await timers.stop();
          await events.stop();
          await mail.stop();
          await shutdownWorkflows();
        }
        await pool.end();
      },
    };
  } catch (err) {
    await stopLive?.().catch(() => undefined);
    await stopCaches?.().catch(() => undefined);
    await stopSignals?.().catch(() => undefined);
    await closeFanout?.().catch(() => undefined);
    await app.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    if (claimed) await releaseExecutorId();
    throw err;
  }
}

/** The built React storefront and console (web/dist); unknown non-API paths get index.html (client routing). */
async function serveWeb(app: FastifyInstance) {
  const built = existsSync(join(WEB_DIST, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: false, maxAge: '1h' });
  app.setNotFoundHandler((req, reply) => {
    const isPage = req.method === 'GET' && !/^\/(api|media|covers)\//.test(req.url) && (req.headers.accept ?? '').includes('text/html');
    if (!isPage) {
      return reply.status(404).send({
        error: {
          code: 'route_not_found',
          message: `There is no ${req.method} ${req.url.split('?')[0]} endpoint. See /docs for the API.`,
        },
      });
    }
    if (!built)
      return reply.status(503).type('text/plain').send('The web UI is not built yet: run `npm run build:web` (npm start does it for you).');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', WEB_DIST);
  });
}
