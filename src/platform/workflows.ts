import { DBOS } from '@dbos-inc/dbos-sdk';
import type { Logger } from 'pino';
import { isRefusal, type Saga, type CompensableStep, type SagaFailure } from './saga.ts';

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

export async function launchWorkflows(opts: WorkflowRuntimeOptions, policy?: Partial<RetryPolicy>): Promise<void> {
  retry = { ...retry, ...policy };
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
}

export type SagaOutcome<C> =
  | { status: 'completed'; context: C }
  | { status: 'compensated'; failedStep: string; code: string; message: string; context: C };

const describe = (err: unknown): SagaFailure =>
  isRefusal(err) ? { code: err.code, message: err.message } : { code: 'step_failed', message: err instanceof Error ? err.message : String(err) };

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
      DBOS.logger.warn(`step ${name} still failing after round ${round + 1}: ${describe(err).message}`);
      await DBOS.sleepSeconds(wait);
      wait = Math.min(wait * 2, retry.maxIntervalSeconds);
    }
  }
}

/**
 * Runs the pivot until it has a definite answer. A refusal ends it (the saga compensates); any other error
 * (timeout, 5xx) leaves the outcome unknown — the charge may have happened — so the pivot is retried with
 * the same idempotency key, never abandoned.
 */
async function untilDecided<T>(name: string, work: () => Promise<T>): Promise<T> {
  let wait = retry.intervalSeconds;
  for (let round = 0; ; round++) {
    try {
      return await DBOS.runStep(work, { name: round ? `${name}#${round}` : name, retriesAllowed: true, maxAttempts: 5, intervalSeconds: retry.intervalSeconds, backoffRate: 2, shouldRetry: (err) => !isRefusal(err) });
    } catch (err) {
      if (isRefusal(err)) throw err;
      DBOS.logger.warn(`pivot ${name} has no answer yet after round ${round + 1}: ${describe(err).message}`);
      await DBOS.sleepSeconds(wait);
      wait = Math.min(wait * 2, retry.maxIntervalSeconds);
    }
  }
}

/**
 * Registers a saga as a DBOS workflow. Compensable steps run once each; the pivot runs until it is decided;
 * if a compensable step fails or the pivot is refused, the compensable steps done so far are compensated in reverse
 * order. After the pivot, every step is retried until it succeeds.
 */
export function registerSaga<C extends object>(saga: Saga<C>): (input: C) => Promise<SagaOutcome<C>> {
  return DBOS.registerWorkflow(
    async (input: C): Promise<SagaOutcome<C>> => {
      let context = input;
      const done: CompensableStep<C>[] = [];
      for (const step of saga.steps) {
        if (step.kind === 'retriable') {
          context = { ...context, ...(await untilItSucceeds(step.name, () => step.run(context))) };
          continue;
        }
        try {
          const patch = step.kind === 'pivot' ? await untilDecided(step.name, () => step.run(context)) : await DBOS.runStep(() => step.run(context), { name: step.name });
          context = { ...context, ...patch };
          if (step.kind === 'compensable') done.push(step);
        } catch (err) {
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
