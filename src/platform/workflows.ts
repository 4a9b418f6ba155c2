import { DBOS, Error as DBOSErrors } from '@dbos-inc/dbos-sdk';
import { sql, type Kysely, type Migration } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import {
  isNeedsAttention,
  isRefusal,
  Refusal,
  type NeedsAttention,
  type Saga,
  type SagaStep,
  type CompensableStep,
  type SagaFailure,
} from './saga.ts';
import { tablesOf, type Transactions, type Tx } from './db/tx.ts';

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
export type AlertHook = (a: {
  kind: NeedsAttention['kind'];
  subject: string;
  message: string;
  details: Record<string, unknown>;
}) => Promise<void>;
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
  for (const until = Date.now() + waitMs; ;) {
    const { rows } = await client.query<{ ok: boolean }>(
      `select pg_try_advisory_lock(hashtext('game-store:executor'), hashtext($1)) as ok`,
      [executorId],
    );
    if (rows[0]?.ok) break;
    if (Date.now() >= until) {
      await client.end();
      throw new Error(
        `Another store process is running with NODE_ID=${executorId} on this database. Give every node its own NODE_ID (it names the sagas that node recovers).`,
      );
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
  await assertNoRunsOfOtherVersions(opts.databaseUrl, opts.executorId);
  DBOS.setConfig({
    name: 'game-store',
    systemDatabaseUrl: withIdleTransactionTimeout(opts.databaseUrl),
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

/**
 * DBOS limits idle transactions on its connections (60 s). Given in the connection string it is part of each
 * connection's start-up, instead of DBOS sending a SET on every new connection that races the first query pg-pool
 * hands it (pg's "client.query() when the client is already executing a query" deprecation, an error in pg 9).
 */
function withIdleTransactionTimeout(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    const options = u.searchParams.get('options') ?? '';
    if (options.includes('idle_in_transaction_session_timeout')) return databaseUrl;
    u.searchParams.set('options', `${options} -c idle_in_transaction_session_timeout=60000`.trim());
    return u.toString();
  } catch {
    return databaseUrl;
  }
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
  { status: 'completed'; context: C } | { status: 'compensated'; failedStep: string; code: string; message: string; context: C };

/** Why a saga compensated, as the buyer may read it: a refusal's own sentence; never an internal error's text. */
const describe = (err: unknown): SagaFailure =>
  isRefusal(err)
    ? { code: err.code, message: err.message }
    : { code: 'step_failed', message: 'Something went wrong on our side; nothing was charged. Please try again.' };
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
      return await DBOS.runStep(work, {
        name: round ? `${name}#${round}` : name,
        retriesAllowed: true,
        maxAttempts: 5,
        intervalSeconds: retry.intervalSeconds,
        backoffRate: 2,
      });
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
      return await DBOS.runStep(work, {
        name: round ? `${name}#${round}` : name,
        retriesAllowed: true,
        maxAttempts: 5,
        intervalSeconds: retry.intervalSeconds,
        backoffRate: 2,
        shouldRetry: (err) => !isRefusal(err) && !isNeedsAttention(err),
      });
    } catch (err) {
      rethrowControl(err);
      if (isRefusal(err)) throw err;
      if (isNeedsAttention(err)) {
        if (!alerted) {
          const e = err;
          await DBOS.runStep(
            () =>
              alertHook({ kind: e.kind, subject, message: e.message, details: { ...e.details, step: name, workflowId: DBOS.workflowID } }),
            { name: `${name}:alert` },
          );
          alerted = true;
        }
        wait = retry.maxIntervalSeconds;
      } else if (round === STUCK_AFTER_ROUNDS && !alerted) {
        // Transient errors that do not pass (a bug, a constraint, a dependency down for long): someone must look.
        await DBOS.runStep(
          () =>
            alertHook({
              kind: 'stuck',
              subject,
              message: `Step ${name} has failed for ${round + 1} rounds of retries: ${reason(err)}`,
              details: { step: name, workflowId: DBOS.workflowID },
            }),
          { name: `${name}:stuck` },
        );
        alerted = true;
      }
      DBOS.logger.warn(`step ${name} has no answer yet after round ${round + 1}: ${reason(err)}`);
      await DBOS.sleepSeconds(wait);
      wait = Math.min(wait * 2, retry.maxIntervalSeconds);
    }
  }
}

/** The checkpoints of local steps, written in the step's own transaction (see `Work` in saga.ts). */
interface SagaStepTables {
  saga_steps: { workflow_id: string; step: string; outcome: StepOutcome; done_at: Date };
}
type StepOutcome = { output: Record<string, unknown> } | { refusal: { code: string; message: string } };

export const sagaMigrations: Record<string, Migration> = {
  '2026-12-02-10-saga-steps': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table saga_steps (
          workflow_id text not null,
          step text not null,
          outcome jsonb not null,
          done_at timestamptz not null,
          primary key (workflow_id, step)
        )`.execute(db);
      await sql`create index saga_steps_done_at on saga_steps (done_at)`.execute(db);
    },
  },
};

/** A saga run that needs a person: it failed for good, DBOS gave up recovering it, or it has not finished for long. */
export interface UnhealthyRun {
  workflowId: string;
  name: string;
  status: 'ERROR' | 'MAX_RECOVERY_ATTEMPTS_EXCEEDED' | 'PENDING';
  since: Date;
  error: string | null;
}

/**
 * What operators are told about the durable runs themselves (read from DBOS's own tables, which DBOS does not
 * watch): runs that ended in ERROR or MAX_RECOVERY_ATTEMPTS_EXCEEDED, and runs still PENDING long after they started.
 * Also drops checkpoints of finished runs. Times are wall-clock (DBOS records them so).
 */
export class WorkflowHealth {
  constructor(private readonly db: Kysely<unknown>) {}

  async unhealthy(opts: { failedSince: Date; pendingBefore: Date; limit?: number }): Promise<UnhealthyRun[]> {
    const r = await sql<{ workflow_uuid: string; name: string; status: UnhealthyRun['status']; at: string; error: string | null }>`
      select workflow_uuid, name, status, updated_at as at, left(error, 500) as error from dbos.workflow_status
      where (status in ('ERROR', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED') and updated_at >= ${opts.failedSince.getTime()})
         or (status = 'PENDING' and created_at < ${opts.pendingBefore.getTime()})
      order by updated_at limit ${opts.limit ?? 200}`
      .execute(this.db)
      .catch((err: { code?: string }) => {
        if (err.code === '42P01' || err.code === '3F000') return { rows: [] }; // DBOS not launched on this database yet
        throw err;
      });
    return r.rows.map((row) => ({
      workflowId: row.workflow_uuid,
      name: row.name,
      status: row.status,
      since: new Date(Number(row.at)),
      error: row.error,
    }));
  }

  /** Checkpoints of runs that ended before `before` (finished: DBOS will not run them again). */
  async pruneCheckpoints(before: Date): Promise<number> {
    const r = await sql`
      delete from saga_steps s where s.done_at < ${before}
        and exists (select 1 from dbos.workflow_status w where w.workflow_uuid = s.workflow_id and w.status in ('SUCCESS', 'ERROR', 'CANCELLED'))`.execute(
      this.db,
    );
    return Number(r.numAffectedRows ?? 0);
  }
}

/** Wall-clock sleep inside a workflow that is not a DBOS operation, so a re-run's sequence of operations stays the same. */
const pause = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/**
 * Runs a local step: in one transaction, the work and its checkpoint. A re-run (after a crash, or in a recovered
 * workflow) finds the checkpoint and returns what was recorded — the output, or the refusal — without doing the
 * work again. A refusal rolls the work back and is recorded on its own, so the saga's path never changes on a
 * re-run. Any other error (a database blip) rolls back and is tried again, until `decided`.
 *
 * This is plain code inside the workflow, not a DBOS operation: the sequence of DBOS operations a saga records
 * does not depend on how many times a local step had to be tried (a DBOS sleep between tries would shift it).
 */
async function localStep(
  transactions: Transactions,
  name: string,
  work: (tx: Tx) => Promise<Record<string, unknown> | void>,
  subject: string,
  mayRefuse: boolean,
  refused?: (failure: SagaFailure, tx: Tx) => Promise<void>,
): Promise<Record<string, unknown>> {
  const workflowId = DBOS.workflowID!;
  const recorded = async (tx: Tx) => {
    const row = await tablesOf<SagaStepTables>(tx)
      .selectFrom('saga_steps')
      .select('outcome')
      .where('workflow_id', '=', workflowId)
      .where('step', '=', name)
      .executeTakeFirst();
    return row?.outcome;
  };
  const record = async (tx: Tx, outcome: StepOutcome) => {
    const r = await tablesOf<SagaStepTables>(tx)
      .insertInto('saga_steps')
      .values({ workflow_id: workflowId, step: name, outcome, done_at: new Date() })
      .onConflict((oc) => oc.columns(['workflow_id', 'step']).doNothing())
      .returning('step')
      .executeTakeFirst();
    return r !== undefined;
  };
  let wait = retry.intervalSeconds;
  let alerted = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await transactions.run(async (tx) => {
        const seen = await recorded(tx);
        if (seen) return seen;
        const output = (await work(tx)) ?? {};
        const done: StepOutcome = { output };
        // Recorded or nothing: had another run of this workflow recorded the step meanwhile, this transaction's
        // work must not commit beside it — it rolls back and the retry returns what that run recorded.
        if (!(await record(tx, done))) throw new Error(`step ${name} of ${workflowId} was recorded by another run meanwhile`);
        return done;
      });
      if ('refusal' in outcome) throw new Refusal(outcome.refusal.code, outcome.refusal.message);
      return outcome.output;
    } catch (err) {
      rethrowControl(err);
      if (isRefusal(err) && mayRefuse) {
        // Recorded in its own transaction; if a concurrent run recorded something first, that one holds.
        const held = await transactions.run(async (tx) => {
          const refusal = { code: err.code, message: err.message };
          if (await record(tx, { refusal })) await refused?.(refusal, tx);
          return recorded(tx);
        });
        if (held && 'output' in held) return held.output;
        throw held && 'refusal' in held ? new Refusal(held.refusal.code, held.refusal.message) : err;
      }
      if (attempt === STUCK_AFTER_ROUNDS * 5 && !alerted) {
        await alertHook({
          kind: 'stuck',
          subject,
          message: `Step ${name} has failed ${attempt} times: ${reason(err)}`,
          details: { step: name, workflowId },
        }).catch(() => undefined);
        alerted = true;
      }
      DBOS.logger.warn(`local step ${name} failed (attempt ${attempt}), trying again: ${reason(err)}`);
      await pause(wait);
      wait = Math.min(wait * 2, retry.maxIntervalSeconds);
    }
  }
}

/** One step's work, wherever it runs: local steps in a checkpointed transaction, remote ones as DBOS steps. */
function runner<C>(transactions: Transactions | undefined, subject: string) {
  const inTx = (
    name: string,
    work: (tx: Tx) => Promise<Partial<C> | void>,
    mayRefuse: boolean,
    refused?: (failure: SagaFailure, tx: Tx) => Promise<void>,
  ) => {
    if (!transactions) throw new Error(`local step ${name} needs registerSaga(…, transactions)`);
    return localStep(transactions, name, work, subject, mayRefuse, refused) as Promise<Partial<C>>;
  };
  return {
    decide: (step: SagaStep<C>, c: C): Promise<Partial<C> | void> => {
      if (!step.local) return untilDecided(step.name, () => step.run(c), subject);
      const refused = step.kind === 'compensable' && step.refused ? (f: SagaFailure, tx: Tx) => step.refused!(c, f, tx) : undefined;
      return inTx(step.name, (tx) => step.run(c, tx), true, refused);
    },
    complete: (step: SagaStep<C>, c: C): Promise<Partial<C> | void> =>
      step.local ? inTx(step.name, (tx) => step.run(c, tx), false) : untilItSucceeds(step.name, () => step.run(c)),
    undo: async (step: CompensableStep<C>, c: C, failure: SagaFailure): Promise<void> => {
      const name = `${step.name}:compensate`;
      if (step.local) await inTx(name, (tx) => step.compensate(c, failure, tx), false);
      else await untilItSucceeds(name, () => step.compensate(c, failure));
    },
  };
}

/**
 * Registers a saga as a DBOS workflow. Compensable steps and the pivot run until they are decided: success, or a
 * business refusal — a transient error never decides anything. When a step is refused, the compensable steps done
 * so far are compensated in reverse order. After the pivot, every step is retried until it succeeds. Local steps
 * need `transactions` (the store's database).
 *
 * Every run records the saga version it started under (its second argument). A run of another version is never
 * executed with this code: `assertNoRunsOfOtherVersions` refuses to start a process that would recover one.
 */
export function registerSaga<C extends object>(saga: Saga<C>, transactions?: Transactions): SagaWorkflow<C> {
  if (saga.steps.some((s) => s.local) && !transactions)
    throw new Error(`Saga ${saga.name} has local steps: register it with the store's transactions.`);
  const version = saga.version ?? 'unversioned';
  registered.set(saga.name, version);
  const workflow = DBOS.registerWorkflow(
    async (input: C, startedUnder?: string): Promise<SagaOutcome<C>> => {
      if ((startedUnder ?? 'unversioned') !== version) {
        throw new Error(
          `Saga ${saga.name} run ${DBOS.workflowID} was started by version ${startedUnder ?? 'unversioned'} of the saga; this process has ${version}. Finish it with the code that started it.`,
        );
      }
      let context = input;
      const subject = saga.subject?.(input) ?? `workflow:${DBOS.workflowID}`;
      const run = runner<C>(transactions, subject);
      const done: CompensableStep<C>[] = [];
      for (const step of saga.steps) {
        if (step.kind === 'retriable') {
          context = { ...context, ...(await run.complete(step, context)) };
          continue;
        }
        try {
          context = { ...context, ...(await run.decide(step, context)) };
          if (step.kind === 'compensable') done.push(step);
        } catch (err) {
          rethrowControl(err);
          const failure = describe(err);
          for (const undo of done.reverse()) await run.undo(undo, context, failure);
          return { status: 'compensated', failedStep: step.name, ...failure, context };
        }
      }
      return { status: 'completed', context };
    },
    { name: saga.name },
  );
  return { workflow, version };
}

export interface SagaWorkflow<C> {
  workflow: (input: C, version?: string) => Promise<SagaOutcome<C>>;
  version: string;
}

/** The saga versions this process runs, by saga name (filled by registerSaga). */
const registered = new Map<string, string>();

/**
 * Refuses to start a process that would recover runs of a saga whose shape changed (a deploy that changed steps
 * while runs of the old shape were still in flight on this NODE_ID): DBOS would replay them against the new steps.
 * The way through is to drain: run the previous version until they finish (`GET /api/operator/sagas` on it, or
 * this message, says which), then start this one.
 */
export async function assertNoRunsOfOtherVersions(databaseUrl: string, executorId: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client
      .query<{ workflow_uuid: string; name: string; inputs: string | null }>(
        `select ws.workflow_uuid, ws.name, coalesce(wi.inputs, ws.inputs) as inputs from dbos.workflow_status ws left join dbos.workflow_input wi using (workflow_uuid)
         where ws.executor_id = $1 and ws.status in ('PENDING', 'ENQUEUED') and ws.name = any($2)`,
        [executorId, [...registered.keys()]],
      )
      .catch((err: { code?: string }) => {
        if (err.code === '42P01' || err.code === '3F000') return { rows: [] }; // first start: no DBOS schema yet
        throw err;
      });
    const stale = rows.filter((r) => runVersion(r.inputs) !== registered.get(r.name));
    if (stale.length) {
      const list = stale
        .slice(0, 10)
        .map((r) => `${r.name} ${r.workflow_uuid} (version ${runVersion(r.inputs) ?? 'unversioned'})`)
        .join(', ');
      throw new Error(
        `${stale.length} saga run(s) on NODE_ID=${executorId} were started by another version of their saga and are not finished: ${list}. Start the version that started them until they finish, then this one.`,
      );
    }
  } finally {
    await client.end();
  }
}

/** The version a run was started under: the second argument DBOS recorded (superjson `{ json: [input, version] }`). */
function runVersion(inputs: string | null): string | undefined {
  if (!inputs) return undefined;
  try {
    const parsed = JSON.parse(inputs) as unknown;
    const args = Array.isArray(parsed) ? parsed : (parsed as { json?: unknown })?.json;
    return Array.isArray(args) && typeof args[1] === 'string' ? args[1] : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a saga under a caller-chosen id: the same id twice is the same saga (idempotent start). */
export async function startSaga<C>(saga: SagaWorkflow<C>, workflowId: string, input: C) {
  return DBOS.startWorkflow(saga.workflow, { workflowID: workflowId })(input, saga.version);
}

/**
 * True as soon as one of a saga's steps is parked for an operator (its `:alert` or `:stuck` step is recorded: see
 * `untilDecided`); false when `ms` pass first or `signal` aborts. Reads the saga's recorded steps every 200 ms and
 * changes nothing in the saga, so a request waiting for one can answer at once instead of waiting out its time.
 */
export async function parkedWithin(workflowId: string, ms: number, signal?: AbortSignal): Promise<boolean> {
  for (const until = Date.now() + ms; !signal?.aborted;) {
    const steps = await DBOS.listWorkflowSteps(workflowId).catch(() => undefined);
    if (steps?.some((s) => /:(alert|stuck)$/.test(s.name))) return true;
    const left = until - Date.now();
    if (left <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(200, left)).unref());
  }
  return false;
}

/**
 * Waits (briefly, polling every 20 ms) for what a just-started saga's first step writes — the order or gift
 * row — so that the HTTP answer can describe it; undefined if it did not appear within `timeoutMs`.
 */
export async function firstStepResult<T>(read: () => Promise<T | undefined>, timeoutMs = 2000): Promise<T | undefined> {
  for (const until = Date.now() + timeoutMs; ;) {
    const row = await read();
    if (row || Date.now() >= until) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
}
