import { AppError } from '../errors.ts';

/**
 * A fixed-window counter per key (an IP, an account), in this node's memory. Enough for one node; with
 * several nodes the same interface belongs on Redis (INCR + EXPIRE) so the budget is shared.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt; false when the key has used up its budget for the current window. */
  hit(key: string): boolean {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.sweep(now);
    }
    w.count++;
    return w.count <= this.max;
  }

  /** Throws 429 with the wait when the key is over budget. */
  take(key: string, what: string): void {
    if (this.hit(key)) return;
    this.refuseIfSpent(key, what);
  }

  /** Throws 429 when the key has already used up its budget, without counting this call. */
  refuseIfSpent(key: string, what: string): void {
    const w = this.windows.get(key);
    if (!w || this.now() - w.start >= this.windowMs || w.count < this.max) return;
    const seconds = Math.ceil((w.start + this.windowMs - this.now()) / 1000);
    throw new AppError(429, 'too_many_attempts', `Too many ${what}. Try again in ${seconds} seconds.`);
  }

  /** Forgets a key (a successful sign-in clears its failures). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
