import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * A limit on how fast one key (a user) may do something frequent and cheap — chat messages — counted across every
 * node. With Redis (`REDIS_URL`) the count lives there (`rate-limiter-flexible`: one atomic INCR + PEXPIRE per
 * attempt, ~0.1 ms on loopback, where the PostgreSQL counter used for sign-ins would add a write transaction to
 * every chat message). While Redis is away each node counts in its own memory instead (the library's insurance
 * limiter): chat degrades to a per-node limit, it never stops. Without Redis (one node), memory only.
 */
export interface BurstLimiter {
  /** Counts one attempt; the seconds to wait when it is over the limit, else undefined. */
  take(key: string): Promise<number | undefined>;
}

export function burstLimiter(opts: { redis?: Redis; prefix: string; points: number; seconds: number }): BurstLimiter {
  const memory = new RateLimiterMemory({ keyPrefix: opts.prefix, points: opts.points, duration: opts.seconds });
  const limiter: RateLimiterAbstract = opts.redis
    ? new RateLimiterRedis({
        storeClient: opts.redis,
        keyPrefix: opts.prefix,
        points: opts.points,
        duration: opts.seconds,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return undefined;
      } catch (res) {
        // Over the limit: the library rejects with its result; anything else is a failure of both stores.
        if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw res;
      }
    },
  };
}
