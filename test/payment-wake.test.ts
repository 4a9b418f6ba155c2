import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gameInput, signInOperator, signUp, startTestStore, type TestStore } from './harness.ts';
import { secondNode, type StoreProcess } from './store-process.ts';
import { settle } from './checkout.ts';
import { freePort } from './ports.ts';

/**
 * A saga waiting for a wallet approval asks the PG less and less often (1 s, 2 s, 4 s … 30 s): the webhook is what
 * wakes it, on whichever node the PG calls. Node A runs the saga; its public address is node B's, so the PG's
 * webhook reaches B, which records it — and the database's NOTIFY wakes A.
 */
let a: TestStore;
let b: StoreProcess;

beforeAll(async () => {
  const port = await freePort();
  const bUrl = `http://127.0.0.1:${port}`;
  a = await startTestStore({ durable: true, env: { PUBLIC_URL: bUrl, PAYMENT_APPROVAL_TIMEOUT_SECONDS: '60' } });
  b = secondNode(a, port);
  await b.start();
});
afterAll(async () => {
  await b?.kill();
  await a?.close();
});

describe('waiting for a buyer’s approval (issue 15, D1)', () => {
  it('S1.7 D1 a webhook that reaches another node wakes the saga waiting for the approval at once, not at its next poll', async () => {
    const op = await signInOperator(a);
    const game = (await op.post('/api/operator/games', gameInput({ releaseDate: '2026-10-01' }))).body.id as string;
    const { client } = await signUp(a);
    const res = await client.post(
      '/api/orders',
      { gameId: game, pointsToUse: 0, paymentMethod: 'paypal' },
      { 'idempotency-key': 'wake-order-1' },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const placed = res.body;
    const approvalUrl = await vi.waitFor(
      async () => {
        const o = (await client.get(`/api/orders/${placed.id}`)).body;
        if (!o.approvalUrl) throw new Error(`no approval link yet: ${JSON.stringify(o)}`);
        return o.approvalUrl as string;
      },
      { timeout: 10_000, interval: 50 },
    );
    const shown = Date.now();
    // The saga asked the PG 1 s and 3 s after sending the buyer there; its next question is at 7 s. The buyer
    // approves at 3.5 s: only the webhook (recorded on B, NOTIFY to A) can complete the order before 7 s.
    await new Promise((r) => setTimeout(r, 3500 - (Date.now() - shown)));
    const approved = await fetch(approvalUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
      redirect: 'manual',
    });
    expect(approved.status).toBe(303);
    const order = await settle(client, placed.id);
    expect(order.status).toBe('paid');
    expect(Date.now() - shown).toBeLessThan(6500);
  });
});
