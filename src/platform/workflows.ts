import { DBOS, Error as DBOSErrors } from '@dbos-inc/dbos-sdk';
import pg from 'pg';
import type { Logger } from 'pino';
import { isNeedsAttention, isRefusal, type NeedsAttention, type Saga, type CompensableStep, type SagaFailure } from './saga.ts';

/**
 * Durable execution of sagas on DBOS Transact, in the store's own PostgreSQL (schema "dbos").
 * A process killed at any point resumes its sagas on restart; completed steps are not re-run, the step
 * that was running is (so every step is idempotent). DBOS is a per-process singleton: launch once.
 */

export interface WorkflowRuntimeOptions {
  databaseUrl: string;
  /**
   * Pinned so that a deploy does not orphan pending sagas: by default DBOS versions workflows by a hash
   * of their source and never recovers those of another version.
   */
  applicationVersion: string;
  /** Stable per node: each node recovers the workflows of its own executor id. */
  executorId: string;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface RetryPolicy {
  /** Seconds before the first retry of a failing step; doubles up to maxIntervalSeconds. */
  intervalSeconds: number;
  maxIntervalSeconds: number;
}

let retry: RetryPolicy = { intervalSeconds: 1, maxIntervalSeconds: 300 };

/** Where a parked step's alert goes (the alerts context, wired by the composition root). */
export type AlertHook = (a: { kind: NeedsAttention['kind']; subject: string; message: string; details: Record<string, unknown> }) => Promise<void>;
let alertHook: AlertHook = async () => undefined;

let executorLock: pg.Client | undefined;

/** Rounds of failing retries (each up to 5 attempts, then a growing durable sleep) before a step is reported stuck. */
const STUCK_AFTER_ROUNDS = 5;

/**
 * Holds a session advisory lock named after the executor id for the life of the process. Two processes with the
 * same NODE_ID (an overlapping rolling deploy, a copied configuration) would both recover and run the same sagas;
 * the second one is refused at start instead. The lock goes with the connection, so a killed process frees it.
 */
export async function claimExecutorId(databaseUrl: string, executorId: string, waitMs = 5000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // A process restarted right after a kill may find its predecessor's session not yet gone: wait a little.
  for (const until = Date.now() + waitMs; ; ) {
    const { rows } = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtext('game-store:executor'), hashtext($1)) as ok`, [executorId]);
    if (rows[0]?.ok) break;
    if (Date.now() >= until) {
      await client.end();
      throw new Error(`Another store process is running with NODE_ID=${executorId} on this database. Give every node its own NODE_ID (it names the sagas that node recovers).`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  client.on('error', () => undefined);
  executorLock = client;
}

export async function launchWorkflows(opts: WorkflowRuntimeOptions, policy?: Partial<RetryPolicy>, alert?: AlertHook): Promise<void> {
  retry = { ...retry, ...policy };
  if (alert) alertHook = alert;
  if (!executorLock) await claimExecutorId(opts.databaseUrl, opts.executorId);
  DBOS.setConfig({
    name: 'game-store',
    systemDatabaseUrl: opts.databaseUrl,
    applicationVersion: opts.applicationVersion,
    executorID: opts.executorId,
    // DBOS's own messages (retries, recovery) go to the store's structured log.
    logger: {
      debug: () => undefined,
      info: (entry) => opts.log.info({ dbos: true }, String(entry)),
      warn: (entry) => opts.log.warn({ dbos: true }, String(entry)),
      error: (entry) => opts.log.error({ dbos: true, err: entry }, entry instanceof Error ? entry.message : String(entry)),
    },
  });
  await DBOS.launch();
  opts.log.info({ executorId: opts.executorId, applicationVersion: opts.applicationVersion }, 'durable workflows ready');
}

export async function shutdownWorkflows(): Promise<void> {
  await DBOS.shutdown();
  await releaseExecutorId();
}

export async function releaseExecutorId(): Promise<void> {
  await executorLock?.end().catch(() => undefined);
  executorLock = undefined;
}

export type SagaOutcome<C> =
  | { status: 'completed'; context: C }
  | { status: 'compensated'; failedStep: string; code: string; message: string; context: C };

/** Why a saga compensated, as the buyer may read it: a refusal's own sentence; never an internal error's text. */
const describe = (err: unknown): SagaFailure =>
  isRefusal(err) ? { code: err.code, message: err.message } : { code: 'step_failed', message: 'Something went wrong on our side; nothing was charged. Please try again.' };
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * DBOS's own errors are about the workflow, not the business: another process owns it, the code no longer
 * matches what was recorded, it was cancelled. They must end this execution as they are — a saga that caught
 * them would compensate against money that may be captured. (A step that ran out of retries is ours.)
 */
function rethrowControl(err: unknown): void {
  if (err instanceof DBOSErrors.DBOSError && !(err instanceof DBOSErrors.DBOSMaxStepRetriesError)) throw err;
}

/**
 * Runs `work` as DBOS steps until it succeeds: retries with backoff, and when DBOS's attempts run out,
 * a durable sleep and another round. A retriable step or a compensation never gives up.
 */
async function untilItSucceeds<T>(name: string, work: () => Promise<T>): Promise<T> {
  let wait = retry.intervalSeconds;
  for (let round = 0; ; round++) {
    try {
      return await DBOS.runStep(work, { name: round ? `${name}#${round}` : name, retriesAllowed: true, maxAttempts: 5, intervalSeconds: retry.intervalSeconds, backoffRate: 2 });
    } catch (err) {
      rethrowControl(err);
      DBOS.logger.warn(`step ${name} still failing after round ${round + 1}: ${reason(err)}`);
      await DBOS.sleepSeconds(wait);
      wait = Math.min(wait * 2, retry.maxIntervalSeconds);
    }
  }
}

/**
 * Runs a step before or at the pivot until it has a definite answer. A refusal ends it (the saga compensates); any
 * other error (a timeout, a 5xx, a database blip) leaves the outcome unknown — the charge may have happened, the
 * row may have been written — so the step is retried (it is idempotent), never abandoned. A definite answer the
 * saga cannot act on (NeedsAttention) parks the step: operators are alerted once and it is retried slowly, so an
 * operator's fix at the PG lets it finish.
 */
async function untilDecided<T>(name: string, work: () => Promise<T>, subject: string): Promise<T> {
  let wait = retry.intervalSeconds;
  let alerted = false;
  for (let round = 0; ; round++) {
    try {
      return await DBOS.runStep(work, { name: round ? `${name}#${round}` : name, retriesAllowed: true, maxAttempts: 5, intervalSeconds: retry.intervalSeconds, backoffRate: 2, shouldRetry: (err) => !isRefusal(err) && !isNeedsAttention(err) });
    } catch (err) {
      rethrowControl(err);
      if (isRefusal(err)) throw err;
      if (isNeedsAttention(err)) {
        if (!alerted) {
          const e = err as NeedsAttention;
          await DBOS.runStep(() => alertHook({ kind: e.kind, subject, message: e.message, details: { ...e.details, step: name, workflowId: DBOS.workflowID } }), { name: `${name}:alert` });
          alerted = true;
        }
        wait = retry.maxIntervalSeconds;
      } else if (round === STUCK_AFTER_ROUNDS && !alerted) {
        // Transient errors that do not pass (a bug, a constraint, a dependency down for long): someone must look.
        await DBOS.runStep(() => alertHook({ kind: 'stuck', subject, message: `Step ${name} has failed for ${round + 1} rounds of retries: ${reason(err)}`, details: { step: name, workflowId: DBOS.workflowID } }), { name: `${name}:stuck` });
        alerted = true;
      }
      DBOS.logger.warn(`step ${name} has no answer yet after round ${round + 1}: ${reason(err)}`);
      await DBOS.sleepSeconds(wait);
      wait = Math.min(wait * 2, retry.maxIntervalSeconds);
    }
  }
}

/**
 * Registers a saga as a DBOS workflow. Compensable steps and the pivot run until they are decided: success, or a
 * business refusal — a transient error never decides anything. When a step is refused, the compensable steps done
 * so far are compensated in reverse order. After the pivot, every step is retried until it succeeds.
 */
export function registerSaga<C extends object>(saga: Saga<C>): (input: C) => Promise<SagaOutcome<C>> {
  return DBOS.registerWorkflow(
    async (input: C): Promise<SagaOutcome<C>> => {
      let context = input;
      const subject = saga.subject?.(input) ?? `workflow:${DBOS.workflowID}`;
      const done: CompensableStep<C>[] = [];
      for (const step of saga.steps) {
        if (step.kind === 'retriable') {
          context = { ...context, ...(await untilItSucceeds(step.name, () => step.run(context))) };
          continue;
        }
        try {
          const patch = await untilDecided(step.name, () => step.run(context), subject);
          context = { ...context, ...patch };
          if (step.kind === 'compensable') done.push(step);
        } catch (err) {
          rethrowControl(err);
          const failure = describe(err);
          for (const undo of done.reverse()) await untilItSucceeds(`${undo.name}:compensate`, () => undo.compensate(context, failure));
          return { status: 'compensated', failedStep: step.name, ...failure, context };
        }
      }
      return { status: 'completed', context };
    },
    { name: saga.name },
  );
}

/** Starts a saga under a caller-chosen id: the same id twice is the same saga (idempotent start). */
export async function startSaga<C>(workflow: (input: C) => Promise<SagaOutcome<C>>, workflowId: string, input: C) {
  return DBOS.startWorkflow(workflow, { workflowID: workflowId })(input);
}

/**
 * Waits (briefly, polling every 20 ms) for what a just-started saga's first step writes — the order or gift
 * row — so that the HTTP answer can describe it; undefined if it did not appear within `timeoutMs`.
 */
export async function firstStepResult<T>(read: () => Promise<T | undefined>, timeoutMs = 2000): Promise<T | undefined> {
  for (const until = Date.now() + timeoutMs; ; ) {
    const row = await read();
    if (row || Date.now() >= until) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
}
