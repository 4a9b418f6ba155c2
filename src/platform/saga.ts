/**
 * A small declarative layer for sagas (D1). A saga is a list of steps, each declared with the customer's
 * terms and in their order:
 *   compensable — undone by its compensation if the saga fails later (create the pre-order, use points);
 *   pivot       — the go/no-go point (charge the payment); once it succeeds the saga runs to the end;
 *   retriable   — after the pivot; cannot fail for business reasons, so it is retried until it succeeds.
 * Checks without side effects (eligibility, region, price, balance) run before a saga starts, so that
 * compensation is needed as rarely as possible.
 *
 * The definition is data: the runner (platform/workflows.ts) executes it durably, and `npm run docs:sagas`
 * prints it as the D1 answer, so documentation and code cannot drift apart.
 */

import { createHash } from 'node:crypto';
import type { Tx } from './db/tx.ts';

export type StepKind = 'compensable' | 'pivot' | 'retriable';

/** Why a saga compensated: the refusal's code and sentence, or `step_failed` for an unexpected error. */
export interface SagaFailure {
  code: string;
  message: string;
}

interface StepBase {
  name: string;
  /** The API or service call this step makes, for the generated D1 table. */
  call: string;
}
/**
 * Where a step's work happens, and so how it is made durable:
 *   local  — one transaction in the store's own database (`tx`, shared by the contexts it writes). The step's
 *            checkpoint (its output, or its refusal) is written in that same transaction, so a re-run after a
 *            crash finds it and changes nothing: the effect and its record commit together or not at all.
 *   remote — a call to another system (the PG). Checkpointed by DBOS after it returns, so a crash in between
 *            runs it again: it must be idempotent at the other end (an Idempotency-Key).
 */
type Work<C> =
  | {
      local: true;
      /** Returns fields to add to the saga's context. */
      run(context: C, tx: Tx): Promise<Partial<C> | void>;
    }
  | {
      local?: false;
      /** Returns fields to add to the saga's context. Must be idempotent: a crash re-runs it. */
      run(context: C): Promise<Partial<C> | void>;
    };
type Undo<C> =
  | {
      local: true;
      run(context: C, tx: Tx): Promise<Partial<C> | void>;
      /** Undoes `run` in one transaction, checkpointed like it; told why the saga failed. Retried until it succeeds. */
      compensate(context: C, failure: SagaFailure, tx: Tx): Promise<void>;
      /**
       * When `run` itself is refused, its transaction rolls back; this writes what the refusal leaves behind (the
       * order, cancelled with the reason, so the buyer sees why) in the transaction that records the refusal.
       */
      refused?(context: C, failure: SagaFailure, tx: Tx): Promise<void>;
    }
  | {
      local?: false;
      run(context: C): Promise<Partial<C> | void>;
      /** Undoes `run`; told why the saga failed. Retried until it succeeds, so it must be idempotent too. */
      compensate(context: C, failure: SagaFailure): Promise<void>;
    };
export type CompensableStep<C> = StepBase & {
  kind: 'compensable';
  /** What the compensation does, for the generated D1 table. */
  compensation: string;
} & Undo<C>;
export type PivotStep<C> = StepBase & { kind: 'pivot' } & Work<C>;
export type RetriableStep<C> = StepBase & { kind: 'retriable' } & Work<C>;
export type SagaStep<C> = CompensableStep<C> | PivotStep<C> | RetriableStep<C>;

export interface Saga<C> {
  name: string;
  /**
   * The saga's shape — its steps' names, kinds and places, in order — as a short hash, set by `defineSaga`. Every
   * run records the version it started under; a process whose saga has another shape refuses to take over runs of
   * the old one (see platform/workflows.ts), so changing a saga's steps is a deliberate, drained deploy.
   */
  version?: string;
  summary: string;
  steps: SagaStep<C>[];
  /** What an operator alert about this saga names, e.g. `order:<id>`. */
  subject?(context: C): string;
}

export class SagaDefinitionError extends Error {}

/**
 * A business refusal (declined card, not enough points): never retried, it makes the saga compensate.
 * Any other error in a compensable step also makes the saga compensate; in the pivot it means "no answer
 * yet" and the pivot is retried; after the pivot, everything is retried until it succeeds.
 */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A definite answer the saga cannot act on by itself — the PG refused a request outright (a 4xx that is not a
 * decline): retrying will not change it, and giving up could strand money. The step is parked: retried slowly,
 * and operators are alerted once.
 */
export class NeedsAttention extends Error {
  override readonly name = 'NeedsAttention';
  constructor(
    readonly kind: 'payment_rejected' | 'stuck',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
export const isNeedsAttention = (err: unknown): err is NeedsAttention =>
  err instanceof NeedsAttention || (err as { name?: string } | null)?.name === 'NeedsAttention';

/** Also true for a Refusal that DBOS recorded and re-threw on recovery (serialized, so not the same class). */
export const isRefusal = (err: unknown): err is Refusal => err instanceof Refusal || (err as { name?: string } | null)?.name === 'Refusal';

const ORDER: Record<StepKind, number> = { compensable: 0, pivot: 1, retriable: 2 };

/** Checks a saga's shape and returns it; a wrongly ordered or incomplete saga never gets to run. */
export function defineSaga<C>(saga: Saga<C>): Saga<C> {
  const fail = (why: string): never => {
    throw new SagaDefinitionError(`Saga "${saga.name}": ${why}`);
  };
  if (!/^[a-z]+(-[a-z]+)+$/.test(saga.name)) fail('name it verb-noun in kebab case, like "preorder-game".');
  const names = new Set<string>();
  const pivots = saga.steps.filter((s) => s.kind === 'pivot');
  if (pivots.length !== 1) fail(`needs exactly one pivot step, has ${pivots.length}.`);
  saga.steps.forEach((step, i) => {
    if (!step.name) fail(`step ${i + 1} has no name.`);
    if (names.has(step.name)) fail(`two steps are named "${step.name}".`);
    names.add(step.name);
    if (!(step.kind in ORDER)) fail(`step "${step.name}" has unknown kind "${String(step.kind)}".`);
    const previous = saga.steps[i - 1];
    if (previous && ORDER[step.kind] < ORDER[previous.kind]) {
      fail(
        `${step.kind} step "${step.name}" comes after ${previous.kind} step "${previous.name}"; the order is compensable, then the pivot, then retriable.`,
      );
    }
    if (step.kind === 'compensable' && (typeof step.compensate !== 'function' || !step.compensation)) {
      fail(`compensable step "${step.name}" has no compensation.`);
    }
  });
  const shape = saga.steps.map((s) => `${s.kind}:${s.name}:${s.local ? 'local' : 'remote'}`).join('|');
  return { ...saga, version: createHash('sha256').update(`${saga.name}|${shape}`).digest('hex').slice(0, 12) };
}

/** The D1 table of one saga, in Markdown: each step's call, its type and its compensation. */
export function sagaTable<C>(saga: Saga<C>): string {
  const rows = saga.steps.map(
    (s, i) =>
      `| ${i + 1} | ${s.name} | ${s.call}${s.local ? ' — one local transaction with its checkpoint' : ''} | ${s.kind} | ${s.kind === 'compensable' ? s.compensation : s.kind === 'pivot' ? '— (go/no-go point)' : '— (retried until it succeeds)'} |`,
  );
  return [
    `### ${saga.name}`,
    '',
    saga.summary,
    '',
    '| # | Step | API / service call | Type | Compensation |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
