import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { createTestDatabase } from '../../test/harness.ts';
import { defineSaga, Refusal } from './saga.ts';
import { launchWorkflows, registerSaga, shutdownWorkflows, startSaga } from './workflows.ts';

type C = { orderId: string; charged?: string };
const calls: string[] = [];
let flakyMailFailures = 0;
let flakyCompensationFailures = 0;
let refuse = false;
let pivotTimeouts = 0;

const saga = defineSaga<C>({
  name: 'test-checkout',
  summary: 'A saga shaped like a pre-order.',
  steps: [
    {
      kind: 'compensable',
      name: 'reserve',
      call: 'orders.reserve',
      run: async (c) => void calls.push(`reserve ${c.orderId}`),
      compensation: 'orders.release',
      compensate: async (c) => void calls.push(`release ${c.orderId}`),
    },
    {
      kind: 'compensable',
      name: 'use-points',
      call: 'points.spend',
      run: async () => void calls.push('use-points'),
      compensation: 'points.refund',
      compensate: async () => {
        if (flakyCompensationFailures-- > 0) throw new Error('points service down');
        calls.push('refund-points');
      },
    },
    {
      kind: 'pivot',
      name: 'charge',
      call: 'gateway.charge',
      run: async () => {
        if (refuse) throw new Refusal('card_declined', 'The card was declined.');
        if (pivotTimeouts-- > 0) throw new Error('gateway timeout');
        calls.push('charge');
        return { charged: 'pay_1' };
      },
    },
    {
      kind: 'retriable',
      name: 'mail',
      call: 'mail.send',
      run: async (c) => {
        if (flakyMailFailures-- > 0) throw new Error('SMTP unavailable');
        calls.push(`mail ${c.charged}`);
      },
    },
  ],
});
const workflow = registerSaga(saga);

/**
 * The crash fixture (test/fixtures/crash-saga.ts) as separate processes on a database of their own: `run` starts
 * one with the given environment; `query` reads the `step` column of what the runs left behind.
 */
async function withCrashProcess(
  test: (run: (env: Record<string, string>) => Promise<{ stdout: string }>, query: (sql: string) => Promise<string[]>) => Promise<void>,
) {
  const crashDb = await createTestDatabase();
  const run = (env: Record<string, string>) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/fixtures/crash-saga.ts'], {
      env: { ...process.env, SAGA_DB: crashDb.url, ...env },
    });
  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: crashDb.url });
    await client.connect();
    try {
      return (await client.query<{ step: string }>(sql)).rows.map((r) => r.step);
    } finally {
      await client.end();
    }
  };
  try {
    await test(run, query);
  } finally {
    await crashDb.drop();
  }
}

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
  await launchWorkflows(
    { databaseUrl: db.url, applicationVersion: 'test', executorId: 'test-node', log: { info() {}, warn() {}, error() {} } },
    { intervalSeconds: 0.05, maxIntervalSeconds: 0.1 },
  );
});
afterAll(async () => {
  await shutdownWorkflows();
  await db?.drop();
});

describe('durable sagas on DBOS (D1)', () => {
  it('D1 a saga runs compensable steps, the pivot, then retriable steps, retrying a failing retriable step until it succeeds', async () => {
    calls.length = 0;
    flakyMailFailures = 7; // more failures than one round of DBOS attempts: the layer must not give up
    const outcome = await (await startSaga(workflow, 'order-1', { orderId: 'o1' })).getResult();
    expect(outcome).toEqual({ status: 'completed', context: { orderId: 'o1', charged: 'pay_1' } });
    expect(calls).toEqual(['reserve o1', 'use-points', 'charge', 'mail pay_1']);
  });

  it('D1 a refused pivot compensates the completed steps in reverse order, retrying a failing compensation', async () => {
    calls.length = 0;
    refuse = true;
    flakyCompensationFailures = 2;
    try {
      const outcome = await (await startSaga(workflow, 'order-2', { orderId: 'o2' })).getResult();
      expect(outcome).toMatchObject({
        status: 'compensated',
        failedStep: 'charge',
        code: 'card_declined',
        message: 'The card was declined.',
      });
      expect(calls).toEqual(['reserve o2', 'use-points', 'refund-points', 'release o2']);
    } finally {
      refuse = false;
    }
  });

  it('D1 a pivot without an answer (timeout) is retried, never compensated: the charge may have happened', async () => {
    calls.length = 0;
    pivotTimeouts = 8;
    const outcome = await (await startSaga(workflow, 'order-4', { orderId: 'o4' })).getResult();
    expect(outcome.status).toBe('completed');
    expect(calls).toEqual(['reserve o4', 'use-points', 'charge', 'mail pay_1']);
  });

  it('D1 D4 starting the same saga id twice runs it once (a double click does not pay twice)', async () => {
    calls.length = 0;
    const [a, b] = await Promise.all([
      startSaga(workflow, 'order-3', { orderId: 'o3' }),
      startSaga(workflow, 'order-3', { orderId: 'o3' }),
    ]);
    expect(await a.getResult()).toEqual(await b.getResult());
    expect(calls.filter((c) => c === 'charge')).toHaveLength(1);
  });

  it('D1 R4 a process killed with SIGKILL in the middle of the pivot resumes after a redeploy with changed code, without re-running completed steps', async () => {
    await withCrashProcess(async (run, query) => {
      await expect(run({ START: '1', CRASH_IN_STEP: '2' })).rejects.toMatchObject({ signal: 'SIGKILL' });
      // The restart is a new deploy with changed code; the pinned version still recovers the pending saga.
      const { stdout } = await run({ CODE_CHANGED: '1' });
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ status: 'completed', context: { id: 'x', charged: true } });
      const steps = await query('select step from step_log order by seq');
      // reserve (local: its checkpoint committed with it) ran once although the workflow was replayed from the start;
      // the remote step running at the kill ran again (hence idempotency keys on external calls); mail once.
      expect(steps).toEqual(['reserve', 'charge', 'charge', 'mail']);
    });
  });

  it('D1 a process killed inside a local step’s transaction: the step’s write and its checkpoint are gone together, and it runs once on recovery', async () => {
    await withCrashProcess(async (run, query) => {
      await expect(run({ START: '1', CRASH_IN_STEP: '3' })).rejects.toMatchObject({ signal: 'SIGKILL' });
      const { stdout } = await run({});
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ status: 'completed', context: { id: 'x', charged: true } });
      const steps = await query('select step from step_log order by seq');
      const checkpoints = await query('select step from saga_steps order by done_at');
      expect(steps).toEqual(['reserve', 'charge', 'mail']);
      expect(checkpoints).toEqual(['reserve', 'mail']);
    });
  });

  it('D1 R4 a deploy that changed a saga’s steps refuses to start while runs of the old shape are unfinished; the old version drains them', async () => {
    await withCrashProcess(async (run) => {
      await expect(run({ START: '1', CRASH_IN_STEP: '2' })).rejects.toMatchObject({ signal: 'SIGKILL' });
      // The new shape would replay the old run against other steps: refused, naming the run.
      await expect(run({ SHAPE_CHANGED: '1' })).rejects.toMatchObject({
        stderr: expect.stringMatching(/crash-test crash-saga-1 \(version [0-9a-f]{12}\)[^]*Start the version that started them/),
      });
      // The previous version finishes it; then the new one starts.
      const { stdout } = await run({});
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ status: 'completed', context: { id: 'x', charged: true } });
      await expect(run({ SHAPE_CHANGED: '1' })).resolves.toBeDefined();
    });
  });
});
