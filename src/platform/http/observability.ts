import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics, Gauge, Histogram } from 'prom-client';

/** A gauge read when /metrics is scraped. */
export type GaugeSource = Record<string, { help: string; read: () => Promise<number> }>;

/** /health (process is up), /ready (dependencies answer) and Prometheus metrics at /metrics. */
export function observability(app: FastifyInstance, ready: () => Promise<void>, gauges: GaugeSource = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const [name, g] of Object.entries(gauges)) {
    new Gauge({
      name,
      help: g.help,
      registers: [registry],
      async collect() {
        this.set(await g.read());
      },
    });
  }
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', (req, reply, done) => {
    duration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await ready();
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ error: { code: 'not_ready', message: 'The database does not answer yet.' } });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
}
