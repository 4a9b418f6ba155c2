import { kyselyFor } from '../platform/db/database.ts';
import { pickText } from '../platform/languages.ts';
import { storeModule } from '../platform/module.ts';
import type { Guards } from '../accounts/guards.ts';
import type { AccountService } from '../accounts/service.ts';
import type { CatalogService } from '../catalog/service.ts';
import {
  discoveryMigrations,
  genrePickMigrations,
  recommendationMigrations,
  releaseMailMigrations,
  reviewSignalMigrations,
  socialMigrations,
} from './migrations/index.ts';
import { ReleaseMailer, type ReleaseMailDb } from './release-mail.ts';
import { recommendationRoutes, releaseMailRoutes } from './routes.ts';
import { RecommendationService, REC_TRAIN_TIMER } from './service.ts';
import { JsonLinesFileFeed, JsonLinesHttpFeed, SnsIngest, socialTrends, SNS_TIMER, type SnsTables } from './sns.ts';
import { RecommendationStore, type RecommendationTables } from './store.ts';
import { trainInWorker } from './training.ts';

/**
 * Recommendations (R5, R10): signals read from the domain event log, a model trained on a timer in a worker,
 * lists per player, social trends from an SNS feed when one is configured, and release mail to likely buyers.
 */
export const recommendationsModule = storeModule({
  name: 'recommendations',
  migrations: {
    ...recommendationMigrations,
    ...releaseMailMigrations,
    ...reviewSignalMigrations,
    ...genrePickMigrations,
    ...discoveryMigrations,
    ...socialMigrations,
  },
  create: (
    p,
    s: {
      guards: Guards;
      accounts: AccountService;
      catalog: CatalogService;
      friends: { friendIds(userId: string): Promise<string[]> };
      orderStore: { libraryOf(userId: string): Promise<{ game_id: string }[]> };
    },
  ) => {
    const { config, clock, timers, pool, log } = p;
    const snsFeed = config.snsFeedUrl
      ? new JsonLinesHttpFeed(config.snsFeedUrl)
      : config.snsFeedFile
        ? new JsonLinesFileFeed(config.snsFeedFile)
        : undefined;
    const sns = snsFeed
      ? new SnsIngest(kyselyFor<SnsTables>(pool), snsFeed, async () =>
          (await s.catalog.features()).map((g) => ({ id: g.id, title: pickText(g.title, 'en', g.default_language) })),
        )
      : undefined;
    const recommendations = new RecommendationService({
      store: new RecommendationStore(kyselyFor<RecommendationTables>(pool)),
      clock,
      log,
      cards: (ids, shopper) => s.catalog.cards(ids, shopper),
      friendsOf: (userId) => s.friends.friendIds(userId),
      owned: async (userId) => (await s.orderStore.libraryOf(userId)).map((o) => o.game_id),
      published: (gameId) => s.catalog.isPublished(gameId),
      popular: async () =>
        (await s.catalog.features())
          .sort((a, b) => b.popularity - a.popularity || (a.id < b.id ? -1 : 1))
          .map((g) => ({ id: g.id, genres: g.genres })),
      genres: async () => (await s.catalog.genres()).map((g) => g.name),
      train: trainInWorker,
      trends: sns ? () => socialTrends(kyselyFor<SnsTables>(pool), new Date(clock.now().getTime() - 30 * 86_400_000), 50) : undefined,
    });
    recommendations.subscribe(p.events);
    const snsPollMs = config.snsPollMinutes * 60_000;
    if (sns) {
      timers.register(SNS_TIMER.handler, {
        kind: 'local',
        run: async (tx, _input, now) => {
          await timers.schedule(tx, SNS_TIMER.next(now, snsPollMs));
          // Not awaited, like training: a feed that answers slowly must not hold a transaction open.
          void sns.runOnce().then(
            (r) => r.posts && log.info({ sns: r }, 'social posts ingested'),
            (err: unknown) => log.warn({ err }, 'social feed read failed'),
          );
        },
      });
    }
    const releaseMailer = new ReleaseMailer({
      db: kyselyFor<ReleaseMailDb>(pool),
      timers,
      publicUrl: config.publicUrl,
      secret: `${p.authSecret}:mail-links`,
      features: (alsoId) => s.catalog.features(alsoId),
      contacts: (ids) => s.accounts.contacts(ids),
      cards: (ids, shopper, opts) => s.catalog.cards(ids, shopper, opts),
      options: {
        minTaste: config.releaseMail.minTastePercent / 100,
        maxPerGame: config.releaseMail.maxPerGame,
        maxPerWeek: config.releaseMail.maxPerWeek,
        batch: config.releaseMail.batch,
      },
    });
    releaseMailer.subscribe(p.events);
    releaseMailer.registerTimers(timers);
    const recTrainMs = config.recTrainIntervalMinutes * 60_000;
    timers.register(REC_TRAIN_TIMER.handler, {
      kind: 'local',
      run: async (tx, _input, now) => {
        await timers.schedule(tx, REC_TRAIN_TIMER.next(now, recTrainMs));
        // Not awaited: a transaction held open for the whole training would hold back every event-log reader
        // (they read only what is older than the oldest open transaction). A crash mid-training loses one run; the
        // next slot trains again.
        void recommendations.trainNow().catch((err: unknown) => log.warn({ err }, 'recommendation training failed'));
      },
    });
    return {
      provides: { recommendations, sns, releaseMailer },
      routes: (app) => {
        recommendationRoutes(app, { recommendations, guards: s.guards });
        releaseMailRoutes(app, { mailer: releaseMailer, guards: s.guards, now: () => clock.now() });
      },
      schedule: async (tx, now) => {
        await timers.schedule(tx, REC_TRAIN_TIMER.next(now, recTrainMs));
        if (sns) await timers.schedule(tx, SNS_TIMER.next(now, snsPollMs));
      },
    };
  },
});
