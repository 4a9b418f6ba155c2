import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import underPressure from '@fastify/under-pressure';

/**
 * Load shedding (R6): a checkout flood must never starve browsing and search. Two guards:
 *
 * - Bulkheads: each class of expensive writes (checkout, the waiting-room queue) has at most `max` requests in
 *   flight on this node and `queue` more waiting at most `maxWaitMs`; anything beyond is answered at once with 503
 *   and Retry-After. The pool of database connections is shared, so `max` stays well below the pool size: browsing
 *   always finds a connection. A plain counter per node, no library: the limit is per process by design (each node
 *   protects its own pool), and a semaphore with a bounded FIFO is a few lines.
 * - `@fastify/under-pressure`: when the event loop stalls past `eventLoopDelayMs` (the node is CPU-bound), every
 *   request gets 503 + Retry-After instead of a hang, until it recovers.
 */
export interface BulkheadClass {
  name: string;
  /** Which requests belong to it: "METHOD /route/pattern". */
  routes: string[];
  max: number;
  queue: number;
  maxWaitMs: number;
}

class Bulkhead {
  inFlight = 0;
  readonly waiting: Array<() => void> = [];
  shed = 0;
  constructor(readonly c: BulkheadClass) {}

  /** Resolves with true when the request may run, false when it must be shed. */
  acquire(): Promise<boolean> | boolean {
    if (this.inFlight < this.c.max) {
      this.inFlight++;
      return true;
    }
    if (this.waiting.length >= this.c.queue) return false;
    return new Promise<boolean>((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        this.inFlight++;
        resolve(true);
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(false);
      }, this.c.maxWaitMs);
      this.waiting.push(grant);
    });
  }

  release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }
}

const busy = (reply: FastifyReply, retryAfter: number, message: string) =>
  reply
    .code(503)
    .header('retry-after', String(retryAfter))
    .send({ error: { code: 'busy', message } });

const held = Symbol('bulkhead');
type Held = FastifyRequest & { [held]?: Bulkhead };

export function loadShedding(app: FastifyInstance, opts: { classes: BulkheadClass[]; eventLoopDelayMs: number }) {
  const byRoute = new Map<string, Bulkhead>();
  const heads = opts.classes.map((c) => new Bulkhead(c));
  for (const h of heads) for (const r of h.c.routes) byRoute.set(r, h);

  // Callback-style: most requests are in no class and must not pay for a promise.
  app.addHook('onRequest', (req, reply, done) => {
    const h = byRoute.get(`${req.method} ${req.routeOptions.url ?? ''}`);
    if (!h) return done();
    void Promise.resolve(h.acquire()).then((ok) => {
      if (!ok) {
        h.shed++;
        // Answered here: the chain stops (done is not called).
        busy(reply, 2, 'So many players are checking out right now that this one could not start. Try again in a few seconds.');
        return;
      }
      (req as Held)[held] = h;
      done();
    }, done);
  });
  const release = (req: FastifyRequest) => {
    const h = (req as Held)[held];
    if (h) {
      (req as Held)[held] = undefined;
      h.release();
    }
  };
  app.addHook('onResponse', (req, _reply, done) => {
    release(req);
    done();
  });
  app.addHook('onRequestAbort', (req, done) => {
    release(req);
    done();
  });

  if (opts.eventLoopDelayMs > 0) {
    void app.register(underPressure, {
      maxEventLoopDelay: opts.eventLoopDelayMs,
      retryAfter: 5,
      pressureHandler: (_req, reply) => {
        void busy(reply, 5, 'The store is overloaded for a moment. Try again in a few seconds.');
      },
    });
  }
  return {
    stats: () => Object.fromEntries(heads.map((h) => [h.c.name, { inFlight: h.inFlight, waiting: h.waiting.length, shed: h.shed }])),
  };
}
