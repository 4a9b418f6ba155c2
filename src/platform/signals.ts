import { EventEmitter } from 'node:events';

/**
 * Wake-ups by key inside one process: "payment pay_1 has news", "order o1 changed". Only a hint — whoever waits
 * reads the state again afterwards and waits with a time limit, so a missed signal (another node made the change)
 * costs at most the limit, never a result.
 */
export class Signals {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  notify(key: string): void {
    this.emitter.emit(key);
  }

  /** Wakes every waiter (shutdown: long polls answer now instead of holding the process). */
  wakeAll(): void {
    for (const key of this.emitter.eventNames()) this.emitter.emit(key);
  }

  /** Resolves at the next `notify(key)`, or after `ms`. */
  wait(key: string, ms: number): Promise<void> {
    return this.listen(key, ms).fired;
  }

  /**
   * Reads until `ready` says the value is what the caller waits for, waking at each signal of `key` (and at least
   * every `recheckMs`, for changes made on another node); the last value read when `timeoutMs` runs out otherwise.
   */
  async until<T>(key: string, read: () => Promise<T>, ready: (value: T) => boolean, timeoutMs: number, recheckMs = 1000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      // Listen before reading, so a change committed between the read and the wait is not missed.
      const next = this.listen(key, Math.max(0, Math.min(recheckMs, until - Date.now())));
      const value = await read().catch((err: unknown) => {
        next.cancel();
        throw err;
      });
      if (ready(value) || Date.now() >= until) {
        next.cancel();
        return value;
      }
      await next.fired;
    }
  }

  /**
   * The next `notify(key)`, or `ms` passing, whichever comes first — listening from now on: taken before starting
   * what will signal, it cannot miss it. `cancel()` stops listening (and resolves `fired`).
   */
  next(key: string, ms: number): { fired: Promise<void>; cancel(): void } {
    return this.listen(key, ms);
  }

  private listen(key: string, ms: number): { fired: Promise<void>; cancel(): void } {
    let done!: () => void;
    const fired = new Promise<void>((resolve) => {
      done = () => {
        clearTimeout(timer);
        this.emitter.off(key, done);
        resolve();
      };
    });
    const timer = setTimeout(done, ms);
    this.emitter.once(key, done);
    return { fired, cancel: done };
  }
}
