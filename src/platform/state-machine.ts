import type { Tx } from './db/tx.ts';

/**
 * A lifecycle declared once: which state may follow which, and what happens on entering a state (a notification,
 * a mail, a timer, a saga to start), run in the transaction of the move, so a change and its side effects commit
 * together or not at all. The store applies a move conditionally (`where state = <from>` on a locked row); only the
 * move that won runs the hooks. Like Vendure's order process: transitions and their handlers in one place.
 */
export class StateMachine<S extends string, Ctx> {
  readonly #hooks = new Map<string, ((tx: Tx, ctx: Ctx) => Promise<void>)[]>();

  constructor(
    readonly name: string,
    private readonly moves: Readonly<Record<S, readonly S[]>>,
  ) {}

  can(from: S, to: S): boolean {
    return this.moves[from].includes(to);
  }

  /** What entering `state` does; hooks run in the order they were added. */
  onEnter(state: S, hook: (tx: Tx, ctx: Ctx) => Promise<void>): this {
    return this.#add(state, hook);
  }

  /** What one move does (`pending → paid`, not `refund_pending → paid`); it runs before `to`'s `onEnter` hooks. */
  onMove(from: S, to: S, hook: (tx: Tx, ctx: Ctx) => Promise<void>): this {
    if (!this.can(from, to)) throw new Error(`${this.name}: ${from} → ${to} is not a move of the ${this.name} state machine`);
    return this.#add(`${from}→${to}`, hook);
  }

  #add(key: string, hook: (tx: Tx, ctx: Ctx) => Promise<void>): this {
    this.#hooks.set(key, [...(this.#hooks.get(key) ?? []), hook]);
    return this;
  }

  /**
   * Moves `from → to`: `apply` is the store's conditional update (false when another move won first); when it
   * applied, `to`'s hooks run in `tx`. A move the machine does not allow is a bug, not a user's error: it throws.
   */
  async move(tx: Tx, from: S, to: S, ctx: Ctx, apply: () => Promise<boolean>): Promise<boolean> {
    if (!this.can(from, to)) throw new Error(`${this.name}: ${from} → ${to} is not a move of the ${this.name} state machine`);
    if (!(await apply())) return false;
    for (const hook of [...(this.#hooks.get(`${from}→${to}`) ?? []), ...(this.#hooks.get(to) ?? [])]) await hook(tx, ctx);
    return true;
  }
}

/**
 * One machine per set of dependencies (a module's, a saga's), its hooks added once: `build` runs the first time a
 * set is seen. Lifecycles keep their hooks beside the moves that call them without a machine in every caller.
 */
export function machinePer<D extends object, S extends string, Ctx>(build: (d: D) => StateMachine<S, Ctx>): (d: D) => StateMachine<S, Ctx> {
  const machines = new WeakMap<D, StateMachine<S, Ctx>>();
  return (d) => {
    let m = machines.get(d);
    if (!m) machines.set(d, (m = build(d)));
    return m;
  };
}
