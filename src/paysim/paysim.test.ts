import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPaysim } from './server.ts';
import { SIGNATURE_HEADER, sign, verify } from './signature.ts';
import { SimState } from './state.ts';

const dir = mkdtempSync(join(tmpdir(), 'paysim-'));
const stateFile = join(dir, 'paysim.json');
const sim = createPaysim({
  apiKey: 'test-key',
  webhookSecret: 'whsec_test',
  publicUrl: 'http://paysim.test',
  stateFile,
  timeoutMs: 400,
  lateWebhookMs: 300,
});
const hooks: { type: string; paymentId: string; valid: boolean; at: number }[] = [];
const receiver = Fastify();
receiver.addContentTypeParser('application/json', { parseAs: 'string' }, (_r, body, done) => done(null, body));
receiver.post('/hooks', async (req) => {
  const raw = String(req.body);
  const event = JSON.parse(raw);
  hooks.push({
    type: event.type,
    paymentId: event.data.id,
    valid: verify('whsec_test', raw, req.headers[SIGNATURE_HEADER] as string, new Date()),
    at: Date.now(),
  });
  return { ok: true };
});
let base = '';
let hookUrl = '';
beforeAll(async () => {
  base = await sim.app.listen({ host: '127.0.0.1', port: 0 });
  hookUrl = `${await receiver.listen({ host: '127.0.0.1', port: 0 })}/hooks`;
});
afterAll(async () => {
  await sim.app.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs?: number) => {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: 'Bearer test-key', 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
};
const pay = (body: Record<string, unknown>, key = `key-${++n}-xxxxxxxx`, fault?: string) =>
  call(
    'POST',
    '/v1/payments',
    { orderRef: `order-${n}`, method: 'card', amountMinor: 5000, currency: 'USD', webhookUrl: hookUrl, ...body },
    { 'idempotency-key': key, ...(fault ? { 'x-paysim-fault': fault } : {}) },
  );
const waitFor = async (check: () => boolean, ms = 3000) => {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('paysim, the payment gateway sandbox (R10, S1.5, S1.7, S2.9)', () => {
  it('S1.5 R10 a card payment is captured at once and announced by a signed webhook', async () => {
    const res = await pay({});
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'captured', capturedMinor: 5000 });
    await waitFor(() => hooks.some((h) => h.paymentId === res.body.id));
    expect(hooks.filter((h) => h.paymentId === res.body.id)).toEqual([expect.objectContaining({ type: 'payment.captured', valid: true })]);
  });

  it('R10 a retried request with the same Idempotency-Key replays the first answer and never charges twice', async () => {
    const before = sim.state.totals().KRW?.capturedMinor ?? 0;
    const first = await pay({ currency: 'KRW', amountMinor: 55000 }, 'same-key-123456');
    const again = await pay({ currency: 'KRW', amountMinor: 55000 }, 'same-key-123456');
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(sim.state.totals().KRW!.capturedMinor - before).toBe(55000);
    const misuse = await pay({ currency: 'KRW', amountMinor: 1 }, 'same-key-123456');
    expect(misuse.status).toBe(422);
    expect(misuse.body.error.code).toBe('idempotency_key_reused');
  });

  it('R10 injected decline answers 402 and moves no money', async () => {
    const res = await pay({ currency: 'EUR' }, undefined, 'decline');
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ status: 'declined', capturedMinor: 0, error: { code: 'payment_declined' } });
    expect(sim.state.totals().EUR?.capturedMinor ?? 0).toBe(0);
  });

  it('R10 injected 500 does nothing; the retry with the same key then succeeds once', async () => {
    const key = 'retry-after-500-key';
    expect((await pay({ currency: 'GBP' }, key, 'error500')).status).toBe(500);
    expect(sim.state.totals().GBP).toBeUndefined();
    const ok = await pay({ currency: 'GBP' }, key);
    expect(ok.status).toBe(201);
    expect(sim.state.totals().GBP!.capturedMinor).toBe(5000);
  });

  it('R10 injected timeout: the charge happens although the client gave up; the retry with the same key learns the result', async () => {
    const firstTry = await call(
      'POST',
      '/v1/payments',
      { orderRef: 'order-t', method: 'card', amountMinor: 6600, currency: 'CHF' },
      { 'idempotency-key': 'timeout-chf-key', 'x-paysim-fault': 'timeout' },
      100,
    ).catch((e: Error) => e);
    expect(firstTry).toBeInstanceOf(Error);
    const retry = await call(
      'POST',
      '/v1/payments',
      { orderRef: 'order-t', method: 'card', amountMinor: 6600, currency: 'CHF' },
      { 'idempotency-key': 'timeout-chf-key' },
    );
    expect(retry.body.status).toBe('captured');
    expect(sim.state.totals().CHF!.capturedMinor).toBe(6600);
  });

  it('R10 duplicate, late and lost webhooks behave as asked', async () => {
    const dup = await pay({ currency: 'SEK' }, undefined, 'duplicate_webhook');
    const late = await pay({ currency: 'NOK' }, undefined, 'late_webhook');
    const lost = await pay({ currency: 'DKK' }, undefined, 'lost_webhook');
    const created = Date.now();
    await waitFor(() => hooks.filter((h) => h.paymentId === dup.body.id).length === 2 && hooks.some((h) => h.paymentId === late.body.id));
    expect(hooks.filter((h) => h.paymentId === dup.body.id)).toHaveLength(2);
    expect(hooks.find((h) => h.paymentId === late.body.id)!.at - created).toBeGreaterThanOrEqual(250);
    await new Promise((r) => setTimeout(r, 200));
    expect(hooks.filter((h) => h.paymentId === lost.body.id)).toHaveLength(0);
    expect((await call('GET', `/v1/payments/${lost.body.id}`)).body.status).toBe('captured');
  });

  it('S1.7 S1.5 an easy-pay wallet (KakaoPay) needs the buyer approval page, then redirects back with the result', async () => {
    const res = await pay({
      method: 'kakaopay',
      currency: 'KRW',
      amountMinor: 44000,
      returnUrl: 'http://store.test/checkout/return?order=o9',
    });
    expect(res.body).toMatchObject({ status: 'requires_approval', approvalUrl: `http://paysim.test/approve/${res.body.id}` });
    const page = await fetch(`${base}/approve/${res.body.id}`);
    expect(await page.text()).toContain('₩44,000');
    const approved = await fetch(`${base}/approve/${res.body.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
      redirect: 'manual',
    });
    expect(approved.status).toBe(303);
    const back = new URL(approved.headers.get('location')!);
    expect(back.searchParams.get('paymentId')).toBe(res.body.id);
    expect(back.searchParams.get('status')).toBe('captured');
    expect(back.searchParams.get('order')).toBe('o9');
  });

  it('S1.12 refunds: at most what was captured, idempotent, and a manual authorization can be captured or canceled', async () => {
    const p = (await pay({ currency: 'PLN', amountMinor: 9000 })).body;
    const over = await call('POST', `/v1/payments/${p.id}/refunds`, { amountMinor: 9001 }, { 'idempotency-key': 'refund-over-1' });
    expect(over.status).toBe(400);
    const r1 = await call('POST', `/v1/payments/${p.id}/refunds`, {}, { 'idempotency-key': 'refund-once-1' });
    const r2 = await call('POST', `/v1/payments/${p.id}/refunds`, {}, { 'idempotency-key': 'refund-once-1' });
    expect(r1.body.refund.id).toBe(r2.body.refund.id);
    expect(sim.state.totals().PLN).toEqual({ capturedMinor: 9000, refundedMinor: 9000 });

    const auth = (await pay({ currency: 'BRL', capture: 'manual' })).body;
    expect(auth.status).toBe('authorized');
    expect((await call('POST', `/v1/payments/${auth.id}/capture`, {}, { 'idempotency-key': 'capture-key-1' })).body.status).toBe(
      'captured',
    );
    const other = (await pay({ currency: 'BRL', capture: 'manual' })).body;
    expect((await call('POST', `/v1/payments/${other.id}/cancel`, {}, { 'idempotency-key': 'cancel-key-1' })).body.status).toBe('canceled');
    expect(sim.state.totals().BRL).toEqual({ capturedMinor: 5000, refundedMinor: 0 });
  });

  it('R10 the API needs the key and an Idempotency-Key; paysim keeps its state across restarts', async () => {
    expect((await fetch(`${base}/v1/totals`)).status).toBe(401);
    expect((await call('POST', '/v1/payments', { orderRef: 'x', method: 'card', amountMinor: 1, currency: 'USD' })).status).toBe(400);
    const reloaded = new SimState(stateFile);
    expect(reloaded.totals()).toEqual(sim.state.totals());
  });

  it('R10 the state is a journal: a payment reloads as it last was, an earlier snapshot file is read, a line cut short by a crash is skipped', () => {
    const file = join(dir, 'journal.json');
    const state = new SimState(file);
    const p = {
      id: 'pay_1',
      orderRef: 'o1',
      method: 'card',
      amountMinor: 500,
      currency: 'USD',
      captureMode: 'automatic' as const,
      status: 'authorized' as const,
      capturedMinor: 0,
      refundedMinor: 0,
      refunds: [],
      webhookFaults: [],
      createdAt: new Date().toISOString(),
    };
    state.payments.set(p.id, p);
    state.save({ payment: p, idempotency: ['POST /v1/payments key-1', { fingerprint: 'f', status: 201, body: { id: p.id } }] });
    state.save({ payment: { ...p, status: 'captured', capturedMinor: 500 } });
    appendFileSync(file, '{"p":{"id":"pay_2","amou');
    const reloaded = new SimState(file);
    expect([...reloaded.payments.keys()]).toEqual(['pay_1']);
    expect(reloaded.payments.get('pay_1')).toMatchObject({ status: 'captured', capturedMinor: 500 });
    expect(reloaded.idempotency.get('POST /v1/payments key-1')?.status).toBe(201);

    const legacy = join(dir, 'legacy.json');
    writeFileSync(legacy, JSON.stringify({ payments: { pay_1: p }, idempotency: {} }));
    expect(new SimState(legacy).totals()).toEqual({ USD: { capturedMinor: 0, refundedMinor: 0 } });
    expect(readFileSync(legacy, 'utf8').startsWith('{"p":')).toBe(true);
    expect(new SimState(legacy).payments.get('pay_1')?.amountMinor).toBe(500);
  });

  it('R10 webhook signatures: a tampered body, a wrong secret or an old timestamp are refused', () => {
    const body = '{"type":"payment.captured"}';
    const now = new Date();
    const header = sign('whsec_test', body, now);
    expect(verify('whsec_test', body, header, now)).toBe(true);
    expect(verify('whsec_test', body.replace('captured', 'refunded'), header, now)).toBe(false);
    expect(verify('other', body, header, now)).toBe(false);
    expect(verify('whsec_test', body, header, new Date(now.getTime() + 301_000))).toBe(false);
  });
});
