import type { Logger } from 'pino';
import { Listener } from '../platform/db/listen.ts';
import { compile, noPromotions, type RuleSet } from './rules.ts';
import { PROMOTIONS_CHANNEL, toRule, type PromotionStore } from './store.ts';

/**
 * The compiled promotions every price on this node is computed from (R5), kept current without a restart:
 * - every change bumps `promotion_state.version` and sends NOTIFY in its transaction; this node LISTENs on its own
 *   connection and reloads at once (milliseconds);
 * - a version poll (`pollMs`, default 1 s) catches what LISTEN missed (a dropped connection, a proxy that does not
 *   pass notifications, PgBouncer in transaction mode), so a change is live on every node within about a second
 *   even without it; on every (re)connect the node reloads everything;
 * - a reload runs under a statement and lock timeout; when it fails (table locked, database slow or down) the node
 *   keeps pricing with the last rule set it compiled and tries again at the next poll. Pricing never waits on it.
 */
export class LivePromotions {
  #set: RuleSet = noPromotions;
  #loadedAt: Date | undefined;
  #lastError: string | undefined;
  #inFlight: Promise<void> | undefined;
  #again = false;
  #poll: NodeJS.Timeout | undefined;
  #listener: Listener | undefined;
  /** Milliseconds from a NOTIFY (or poll) noticing a change to the new rules being live, for the benchmark. */
  readonly reloads: { version: number; ms: number }[] = [];

  constructor(
    private readonly store: PromotionStore,
    private readonly opts: { databaseUrl?: string; pollMs: number; timeoutMs: number; log?: Pick<Logger, 'warn'> },
  ) {}

  get rules(): RuleSet {
    return this.#set;
  }

  health() {
    return {
      version: this.#set.version,
      rules: this.#set.rules.length,
      loadedAt: this.#loadedAt?.toISOString() ?? null,
      listening: this.#listener?.connected ?? false,
      lastError: this.#lastError ?? null,
      evaluationErrors: this.#set.errors,
      evaluationsOverBudget: this.#set.overBudget,
    };
  }

  async start(): Promise<void> {
    await this.refresh();
    if (this.opts.databaseUrl) {
      this.#listener = new Listener(this.opts.databaseUrl, PROMOTIONS_CHANNEL, {
        notify: (payload) => {
          if (!(Number(payload) <= this.#set.version)) void this.refresh();
        },
        connect: () => void this.refresh(),
        error: (err) => this.opts.log?.warn({ err }, 'promotions: LISTEN connection lost; polling until it is back'),
      });
      await this.#listener.start();
    }
    this.#poll = setInterval(() => void this.check(), this.opts.pollMs);
    this.#poll.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#poll);
    await this.#listener?.stop();
    await this.#inFlight?.catch(() => undefined);
  }

  private async check(): Promise<void> {
    try {
      if ((await this.store.version(this.opts.timeoutMs)) !== this.#set.version) await this.refresh();
    } catch (err) {
      this.#lastError = String(err);
    }
  }

  /** Reloads now (coalesced: one reload at a time, and one more if a change arrived meanwhile). Never throws. */
  refresh(): Promise<void> {
    if (this.#inFlight) {
      this.#again = true;
      return this.#inFlight;
    }
    this.#inFlight = (async () => {
      do {
        this.#again = false;
        const t0 = performance.now();
        try {
          const { version, rows } = await this.store.loadLive(this.opts.timeoutMs);
          if (version !== this.#set.version || !this.#loadedAt) {
            this.#set = compile(rows.map(toRule), version);
            this.reloads.push({ version, ms: performance.now() - t0 });
            if (this.reloads.length > 1000) this.reloads.shift();
          }
          this.#loadedAt = new Date();
          this.#lastError = undefined;
        } catch (err) {
          // Keep the last good rule set (R5): pricing goes on; the next poll tries again.
          this.#lastError = String(err);
          this.opts.log?.warn({ err }, 'promotions: reload failed; pricing with the last rules loaded');
        }
      } while (this.#again);
    })().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }
}
