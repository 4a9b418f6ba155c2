import { mkdirSync } from 'node:fs';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { ShiftableClock, systemClock } from './platform/clock.ts';
import { openDatabase } from './platform/db/open.ts';
import { authSecret } from './platform/secrets.ts';
import type { Store } from './app.ts';
import { spawnPaysim } from './paysim/spawn.ts';
import { MailSink } from './platform/mail/sink.ts';
import { join } from 'node:path';

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel });
  // Development: an operator may move this clock from the console (DEV_CLOCK); production runs on the system clock.
  const clock = config.devClock ? new ShiftableClock() : systemClock;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o755 });

  // PostgreSQL, the payment gateway sandbox (its own process, unless a gateway is configured), without an SMTP server
  // the local mail sink shown at /dev/mailbox, and with --build-web (npm start) the web client's build when its
  // sources changed, start side by side — and while they do, this process loads the store's own modules, the longest
  // part of a start on an existing data directory (issue 15). If one fails, the others are stopped.
  const modules = Promise.all([import('./app.ts'), import('./catalog/demo-catalog.ts')]);
  modules.catch(() => undefined); // awaited below, after the sidecars; not an unhandled rejection meanwhile
  const mailbox = config.smtpUrl ? undefined : new MailSink();
  const started = await Promise.allSettled([
    openDatabase(config, log),
    config.paymentGatewayUrl
      ? Promise.resolve(undefined)
      : spawnPaysim({
          port: config.paysimPort,
          apiKey: config.paysimApiKey,
          webhookSecret: config.paysimWebhookSecret,
          stateFile: join(config.dataDir, 'paysim', 'state.json'),
        }),
    mailbox ? mailbox.start(config.smtpSinkPort) : Promise.resolve(undefined),
    process.argv.includes('--build-web')
      ? import('../web/build-inputs.ts').then((web) => web.buildWebIfChanged({ info: (msg) => log.info(msg) }))
      : Promise.resolve(),
  ] as const);
  const [db, sim, sink] = started;
  const value = <T>(r: PromiseSettledResult<T>): T | undefined => (r.status === 'fulfilled' ? r.value : undefined);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await value(db)?.stop();
    await value(sim)?.stop();
    if (sink.status === 'fulfilled') await mailbox?.stop();
    throw failed.reason;
  }
  const sidecarsMs = Math.round(performance.now());
  const database = value(db)!;
  const paysim = value(sim);
  const smtpUrl = config.smtpUrl ?? `smtp://127.0.0.1:${value(sink)}`;
  const stopSidecars = async () => {
    await paysim?.stop();
    await mailbox?.stop();
    await database.stop();
  };

  let store: Store | undefined;
  let stopping = false;
  // DBOS can keep a notification connection a moment after its shutdown; when our own embedded PostgreSQL
  // then stops, that connection emits "terminating connection due to administrator command" (57P01). During
  // our own shutdown that is expected, not a crash; any other error still is.
  process.on('uncaughtException', (err: Error & { code?: string }) => {
    if (stopping && err.code === '57P01') return;
    log.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  const shutdown = async (signal: string) => {
    stopping = true;
    log.info({ signal }, 'shutting down');
    await store?.close().catch((err) => log.error({ err }, 'closing the store failed'));
    await stopSidecars();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const [{ createStore }, { seedDemoCatalog }] = await modules;
    store = await createStore({
      config,
      databaseUrl: database.url,
      clock,
      authSecret: authSecret(config),
      smtpUrl,
      mailbox,
      durable: true,
    });
    if (config.operatorEmail && config.operatorPassword) {
      const op = await store.accounts.ensureOperator(config.operatorEmail, config.operatorPassword);
      log.info({ email: config.operatorEmail, created: op.created }, 'operator account ready');
    }
    const seeded = await seedDemoCatalog(store.catalog, systemClock, {
      mode: config.demoCatalog,
      dataDir: config.demoDataDir,
      size: config.demoCatalogSize,
    });
    if (seeded.builtin || seeded.steam) log.info(seeded, 'demo catalog seeded');
    await store.app.listen({ host: config.host, port: config.port });
    log.info(
      { startMs: { sidecars: sidecarsMs, ready: Math.round(performance.now()) } },
      `Game store running at ${config.publicUrl} (API docs at ${config.publicUrl}/docs${mailbox ? `, mailbox at ${config.publicUrl}/dev/mailbox` : ''})`,
    );
  } catch (err) {
    log.error({ err }, 'start-up failed');
    await store?.close().catch(() => undefined);
    await stopSidecars();
    process.exit(1);
  }
}

void main();
