import Fastify from 'fastify';
import { loadConfig } from '../src/platform/config.ts';
import { systemClock } from '../src/platform/clock.ts';
import { createStore } from '../src/app.ts';

/**
 * The benchmark's server process: the real store on BENCH_DATABASE_URL, and beside it a Fastify
 * hello-world route (the baseline, same process, same machine) on HELLO_PORT.
 */
const config = { ...loadConfig(), logLevel: 'warn' };
const store = await createStore({
  config,
  databaseUrl: process.env.BENCH_DATABASE_URL!,
  clock: systemClock,
  authSecret: 'bench-secret-bench-secret-bench-secret-00',
});
store.app.log.level = 'warn';
await store.app.listen({ host: '127.0.0.1', port: config.port });
const hello = Fastify();
hello.get('/hello', async () => ({ hello: 'world' }));
await hello.listen({ host: '127.0.0.1', port: Number(process.env.HELLO_PORT) });
process.send?.('ready');
process.on('SIGTERM', async () => {
  await hello.close();
  await store.close();
  process.exit(0);
});
