import Fastify, { type FastifyInstance } from 'fastify';
import { resolve } from 'node:path';
import type { Config } from './platform/config.ts';
import { isAdjustable, type Clock } from './platform/clock.ts';
import { devClockRoutes } from './platform/http/dev-clock.ts';
import { installErrorHandler } from './platform/errors.ts';
import { createPool, kyselyFor, migrate, ping, type Pool } from './platform/db/database.ts';
import { NotifiedCache } from './platform/db/notified-cache.ts';
import { Transactions } from './platform/db/tx.ts';
import { observability } from './platform/http/observability.ts';
import { edgeGuards, refuseCrossSiteWrites, requestsInFlight, securityHeaders } from './platform/http/edge.ts';
import { loadShedding } from './platform/http/shedding.ts';
import { rateLimitMigrations, SharedRateLimiter } from './platform/http/rate-limit.ts';
import { storeTimeHeaders } from './platform/http/store-time.ts';
import { apiDocs } from './platform/http/api-docs.ts';
import { serveWeb } from './platform/http/web.ts';
import { outboxMigrations, MailDelivery, type OutboxTables } from './platform/mail/outbox.ts';
import type { MailSink } from './platform/mail/sink.ts';
import { mailboxRoutes } from './platform/mail/mailbox.ts';
import {
  claimExecutorId,
  launchWorkflows,
  releaseExecutorId,
  sagaMigrations,
  shutdownWorkflows,
  type RetryPolicy,
} from './platform/workflows.ts';
import { timerMigrations, Timers, type TimerTables } from './platform/timers.ts';
import { EventLog, eventMigrations, type EventTables } from './platform/events.ts';
import { LocalFanout, RedisFanout } from './platform/realtime.ts';
import { buildModules, type AnyModule, type Built, type Platform, type ServicesOf, type UnmetNeeds } from './platform/module.ts';
import { loopbackAliases } from './accounts/auth.ts';
import type { PaymentGateway } from './payments/gateway.ts';
import { regionsModule } from './regions/module.ts';
import { accountsModule } from './accounts/module.ts';
import { catalogModule } from './catalog/module.ts';
import { pointsModule } from './points/module.ts';
import { promotionsModule } from './promotions/module.ts';
import { waitingRoomModule } from './waiting-room/module.ts';
import { notificationsModule } from './notifications/module.ts';
import { friendsModule } from './friends/module.ts';
import { alertsModule } from './alerts/module.ts';
import { paymentsModule } from './payments/module.ts';
import { ordersModule } from './orders/module.ts';
import { giftsModule } from './gifts/module.ts';
import { flowsModule } from './flows/module.ts';
import { activityModule } from './activity/module.ts';
import { reviewsModule } from './reviews/module.ts';
import { recommendationsModule } from './recommendations/module.ts';
import { feedModule } from './feed/module.ts';
import { chatModule } from './chat/module.ts';
import { communityModule } from './community/module.ts';

/**
 * The store: its bounded contexts in the order they are built — each may call what the ones before it provide,
 * and reach a later one only from a closure run after start-up (the sagas, promotions' prices). A module is a
 * context's tables, routes, timers and subscriptions in one place (`src/<context>/module.ts`).
 */
const modules = (gateway?: PaymentGateway) =>
  [
    regionsModule,
    accountsModule,
    catalogModule,
    pointsModule,
    promotionsModule,
    waitingRoomModule,
    notificationsModule,
    friendsModule,
    alertsModule,
    paymentsModule(gateway),
    ordersModule,
    giftsModule,
    flowsModule,
    activityModule,
    reviewsModule,
    recommendationsModule,
    feedModule,
    chatModule,
    communityModule,
  ] as const;
type Modules = ReturnType<typeof modules>;
export type Services = ServicesOf<Modules>;
// Compile-time: every module's needs are provided by some module of the list (else this names the module).
const everyNeedMet: [UnmetNeeds<Modules>] extends [never] ? true : UnmetNeeds<Modules> = true;
void everyNeedMet;

/** Every migration, the platform's and each module's; names start with a date, so they apply in one global order. */
export const migrations = Object.assign(
  { ...outboxMigrations, ...timerMigrations, ...eventMigrations, ...rateLimitMigrations, ...sagaMigrations },
  ...(modules() as readonly AnyModule[]).map((m) => m.migrations ?? {}),
);

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

type Pick2<K extends keyof Services> = Pick<Services, K>;
export interface Store extends Pick2<
  | 'auth'
  | 'accounts'
  | 'catalog'
  | 'points'
  | 'promotions'
  | 'orders'
  | 'orderStore'
  | 'gifts'
  | 'giftStore'
  | 'reconciler'
  | 'activity'
  | 'recommendations'
  | 'sns'
> {
  app: FastifyInstance;
  pool: Pool;
  timers: Timers;
  mail: MailDelivery;
  events: EventLog;
  close(): Promise<void>;
}

/** Trusts the socket peer and the next n − 1 X-Forwarded-For entries from the right: n proxies in front. */
const trustHops = (n: number) => (_address: string, hop: number) => hop < n;

const WEB_DIST = resolve(import.meta.dirname, '../web/dist');

/** The composition root: the platform, then the modules over it, then their routes in one Fastify app. */
export async function createStore(deps: StoreDeps): Promise<Store> {
  const { config, clock, databaseUrl } = deps;
  const pool = createPool(databaseUrl);
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
  const list = modules(deps.gateway);
  const built: Built<unknown>[] = [];
  const caches: NotifiedCache<never>[] = [];
  // Chat's fan-out and live notifications: Redis across nodes when REDIS_URL is set, in process otherwise (R14, R3).
  const fanout = config.redisUrl ? new RedisFanout(config.redisUrl) : new LocalFanout();
  const stopModules = async () => {
    for (const b of [...built].reverse()) await b.stop?.();
    await Promise.all(caches.map((c) => c.stop()));
    await fanout.close();
  };
  let claimed = false;
  try {
    // Before anything registers with DBOS: a second process with this NODE_ID is refused here.
    if (deps.durable) {
      await claimExecutorId(databaseUrl, config.nodeId);
      claimed = true;
    }
    const transactions = new Transactions(pool);
    const platform: Platform = {
      config,
      clock,
      pool,
      databaseUrl,
      authSecret: deps.authSecret,
      log: app.log,
      transactions,
      timers: new Timers(kyselyFor<TimerTables>(pool), clock, app.log, config.timerPollMs),
      events: new EventLog(kyselyFor<EventTables>(pool), transactions, app.log, config.eventPollMs),
      fanout,
      cache: async <V>(opts: { channel: string; ttlMs: number; max: number }) => {
        const cache = new NotifiedCache<V>({ ...opts, databaseUrl, log: app.log });
        caches.push(cache as NotifiedCache<never>);
        await cache.start();
        return cache;
      },
      limiter: (points, seconds) => new SharedRateLimiter(kyselyFor(pool), points, seconds),
    };
    for (const m of list as readonly AnyModule[]) await m.migrateFirst?.(platform);
    await migrate(pool, migrations, app.log);
    const s = await buildModules(platform, list, built);
    const { timers, events } = platform;
    const mail = new MailDelivery(kyselyFor<OutboxTables>(pool), clock, {
      smtpUrl: deps.smtpUrl ?? config.smtpUrl ?? `smtp://127.0.0.1:${config.smtpSinkPort}`,
      from: config.mailFrom,
      log: app.log,
    });
    if (deps.durable) {
      await launchWorkflows(
        { databaseUrl, applicationVersion: config.workflowVersion, executorId: config.nodeId, log: app.log },
        deps.retryPolicy,
        (a) => s.alerts.raise(a),
      );
      mail.start();
      events.start();
      await transactions.run(async (tx) => {
        for (const b of built) await b.schedule?.(tx, clock.now());
      });
      timers.start();
    }

    installErrorHandler(app, (req) => s.guards.language(req));
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
    const inFlight = requestsInFlight(app);
    const devClock = config.devClock && isAdjustable(clock) ? clock : undefined;
    storeTimeHeaders(app, clock, devClock);
    await apiDocs(app, [
      ...(list as readonly AnyModule[]).flatMap((m) => m.tags ?? []),
      ...(devClock ? [{ name: 'development', description: 'Development only (DEV_CLOCK=on): move the store clock' }] : []),
    ]);
    refuseCrossSiteWrites(app, loopbackAliases(config.publicUrl));
    observability(app, () => ping(pool), Object.assign({}, ...built.map((b) => b.gauges ?? {})));
    for (const b of built) await b.routes?.(app);
    if (deps.mailbox) mailboxRoutes(app, deps.mailbox);
    if (devClock)
      devClockRoutes(app, { clock: devClock, requireOperator: (req) => s.guards.requireOperator(req), moved: () => timers.kick() });
    await serveWeb(app, WEB_DIST);

    return {
      ...s,
      app,
      pool,
      timers,
      mail,
      events,
      async close() {
        // Stop accepting requests, let those in flight finish, stop the modules' work, then close the pool.
        const closing = app.close();
        for (const b of built) b.draining?.();
        await closing;
        await inFlight.settled(10_000);
        await stopModules();
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
    await stopModules().catch(() => undefined);
    await app.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    if (claimed) await releaseExecutorId();
    throw err;
  }
}
