import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Migration } from 'kysely';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Pool } from './db/database.ts';
import type { NotifiedCache } from './db/notified-cache.ts';
import type { Transactions, Tx } from './db/tx.ts';
import type { EventLog } from './events.ts';
import type { SharedRateLimiter } from './http/rate-limit.ts';
import type { Fanout } from './realtime.ts';
import type { Timers } from './timers.ts';

/** What every module is built on: the plumbing of one store process, the same for every context. */
export interface Platform {
  config: Config;
  clock: Clock;
  pool: Pool;
  databaseUrl: string;
  /** The root secret; a module derives its own (`${authSecret}:downloads`), never shares one. */
  authSecret: string;
  log: FastifyBaseLogger;
  /** Transactions across contexts, typed (`platform/db/tx.ts`). */
  transactions: Transactions;
  /** Durable timers: a module registers its handlers while it is built; they fire once the store has started. */
  timers: Timers;
  /** The domain event log: a module publishes in its transactions and subscribes while it is built. */
  events: EventLog;
  /** Messages to every node's subscribers (Redis across nodes when REDIS_URL is set). */
  fanout: Fanout;
  /** A per-node read cache that PostgreSQL's NOTIFY on `channel` keeps honest; started now, stopped with the store. */
  cache<V>(opts: { channel: string; ttlMs: number; max: number }): Promise<NotifiedCache<V>>;
  /** A limit of `points` per `seconds` per key, counted by every node together. */
  limiter(points: number, seconds: number): SharedRateLimiter;
}

/** An OpenAPI tag: the routes of a module are grouped under its tags at /docs. */
export interface ApiTag {
  name: string;
  description: string;
}

/** A module once built: what it gives the modules after it, and how it joins and leaves the running store. */
export interface Built<Provides> {
  provides: Provides;
  /** Its HTTP routes, registered after every module is built (a route may use any module). */
  routes?(app: FastifyInstance): void | Promise<void>;
  /** Gauges at /metrics. */
  gauges?: Record<string, { help: string; read(): Promise<number> }>;
  /** A durable store starting: the module's first timers, in one transaction with the others'. */
  schedule?(tx: Tx, now: Date): Promise<void>;
  /** The server stopped accepting requests: wake what those still in flight wait for. */
  draining?(): void;
  /** The requests have finished: stop background work (reverse module order). */
  stop?(): Promise<void>;
}

/**
 * A bounded context as the composition root sees it (`src/app.ts` is a list of these): its tables, its routes'
 * tags, and how it is built from the platform and what earlier modules provide (`Needs`, declared by the module
 * itself as the services it calls, so a context names its neighbours in one place).
 */
export interface StoreModule<Needs, Provides> {
  name: string;
  /** Its tables' migrations; names start with a date, so all modules' migrations apply in one global order. */
  migrations?: Record<string, Migration>;
  tags?: ApiTag[];
  /** Runs before the migrations (Better Auth's own tables come first). */
  migrateFirst?(p: Platform): Promise<void>;
  create(p: Platform, needs: Needs): Promise<Built<Provides>> | Built<Provides>;
}

/** Defines a module, inferring what it needs and provides from its `create`. */
export const storeModule = <Needs, Provides>(m: StoreModule<Needs, Provides>) => m;

export type AnyModule = StoreModule<any, any>;
export type ProvidesOf<M> = M extends StoreModule<unknown, infer P> ? P : never;
export type NeedsOf<M> = M extends StoreModule<infer N, unknown> ? N : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** Everything the modules of a list provide, by name. */
export type ServicesOf<Ms extends readonly AnyModule[]> = Intersection<ProvidesOf<Ms[number]>>;
/** The services some module of the list needs that no module provides, or provides of another type (never when all are met). */
export type UnmetNeeds<Ms extends readonly AnyModule[]> = {
  [K in keyof Ms]: {
    [N in keyof NeedsOf<Ms[K]>]: N extends keyof ServicesOf<Ms> ? (ServicesOf<Ms>[N] extends NeedsOf<Ms[K]>[N] ? never : N) : N;
  }[keyof NeedsOf<Ms[K]>];
}[number];

/**
 * Builds the modules in their order. Each sees what the modules before it provide; reading a service that a later
 * module provides fails at once with both names (a closure may read it later, when it is called: that is how two
 * contexts that call each other are wired). Returns every module built, in order, and the services by name.
 */
export async function buildModules<Ms extends readonly AnyModule[]>(
  p: Platform,
  modules: Ms,
  built: Built<unknown>[],
): Promise<ServicesOf<Ms>> {
  const services: Record<string, unknown> = {};
  let building = '';
  const view = new Proxy(services, {
    get(target, key) {
      if (typeof key === 'string' && key !== 'then' && !(key in target))
        throw new Error(`module ${building} needs "${key}", which no module before it provides: move it after the one that does`);
      return target[key as string];
    },
  });
  for (const m of modules) {
    building = m.name;
    const b = (await m.create(p, view)) as Built<Record<string, unknown>>;
    built.push(b);
    for (const key of Object.keys(b.provides)) {
      if (key in services) throw new Error(`module ${m.name} provides "${key}", which an earlier module provides too`);
      services[key] = b.provides[key];
    }
  }
  building = '(a closure called later)';
  return services as ServicesOf<Ms>;
}
