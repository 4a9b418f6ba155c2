import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';
import { SimState, type SimPayment } from './state.ts';
import { sign, SIGNATURE_HEADER } from './signature.ts';

/**
 * paysim: a payment gateway sandbox modelled on real ones (see MARKETS.md): payments are created with an
 * Idempotency-Key (a retry replays the first response, even an error), cards authorize at once, easy-pay
 * wallets and bank methods need the buyer's approval on a redirect page, captures / cancels / refunds are
 * separate calls, and every state change is announced by an HMAC-signed webhook, retried until acknowledged.
 *
 * Faults, per request (header X-Paysim-Fault, comma-separated) or at random by configuration:
 *   decline          the payment is declined (HTTP 402)
 *   timeout          the request is processed, but the answer comes only after `timeoutMs` (the client gives up)
 *   error500         the request fails with 500 and nothing happens
 *   duplicate_webhook, late_webhook, lost_webhook   what happens to this payment's webhooks
 */

export const FAULTS = ['decline', 'timeout', 'error500', 'reject', 'duplicate_webhook', 'late_webhook', 'lost_webhook'] as const;
export type Fault = (typeof FAULTS)[number];

/** Methods that need the buyer to approve on the provider's page (wallets, bank redirects, vouchers). */
const APPROVAL_METHODS = new Set([
  'kakaopay',
  'naverpay',
  'tosspay',
  'paypay',
  'konbini',
  'alipay',
  'wechatpay',
  'paypal',
  'klarna',
  'sepa',
  'pix',
  'boleto',
  'upi',
  'ideal',
  'blik',
  'applepay',
  'googlepay',
]);

export interface PaysimOptions {
  apiKey: string;
  webhookSecret: string;
  publicUrl: string;
  stateFile?: string;
  /** Probability per request of each fault, e.g. { decline: 0.05 }. */
  faultRates?: Partial<Record<Fault, number>>;
  timeoutMs?: number;
  lateWebhookMs?: number;
  random?: () => number;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export function createPaysim(opts: PaysimOptions): { app: FastifyInstance; state: SimState; webhooksInFlight(): number } {
  const state = new SimState(opts.stateFile);
  const app = Fastify({ logger: false });
  const random = opts.random ?? Math.random;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const pending = new Set<NodeJS.Timeout>();
  app.addHook('onClose', async () => {
    for (const t of pending) clearTimeout(t);
  });
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      pending.delete(t);
      fn();
    }, ms);
    pending.add(t);
  };

  const faultsOf = (req: FastifyRequest): Set<Fault> => {
    const asked = String(req.headers['x-paysim-fault'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((f): f is Fault => (FAULTS as readonly string[]).includes(f));
    for (const [fault, rate] of Object.entries(opts.faultRates ?? {})) if (rate && random() < rate) asked.push(fault as Fault);
    return new Set(asked);
  };

  /** Webhook deliveries not finished yet (waiting to be sent, being sent, or waiting to be retried). */
  let deliveries = 0;
  const deliver = (p: SimPayment, type: string, attempt = 0) => {
    if (!p.webhookUrl || p.webhookFaults.includes('lost_webhook')) return;
    const body = JSON.stringify({ id: id('evt'), type, created: new Date().toISOString(), data: p });
    const send = (n: number): void => {
      fetch(p.webhookUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(opts.webhookSecret, body, new Date()) },
        body,
        signal: AbortSignal.timeout(10_000),
      })
        .then((res) => {
          if (!res.ok) throw new Error(String(res.status));
          deliveries--;
        })
        .catch(() => {
          if (n < 8) later(Math.min(500 * 2 ** n, 60_000), () => send(n + 1));
          else deliveries--;
        });
    };
    const delay = p.webhookFaults.includes('late_webhook') ? (opts.lateWebhookMs ?? 3000) : 0;
    deliveries++;
    later(delay, () => send(attempt));
    if (p.webhookFaults.includes('duplicate_webhook')) {
      deliveries++;
      later(delay + 50, () => send(attempt));
    }
  };

  const auth = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`)
      return reply.status(401).send({ error: { code: 'unauthorized', message: 'Missing or wrong API key.' } });
  };

  /**
   * Runs a mutating call under its Idempotency-Key: the first answer is stored and replayed for every retry
   * with the same key (even an error), so a retried charge never charges twice.
   */
  const idempotent = async (req: FastifyRequest, reply: FastifyReply, work: (faults: Set<Fault>) => { status: number; body: unknown }) => {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length < 8)
      return reply
        .status(400)
        .send({ error: { code: 'idempotency_key_required', message: 'Send an Idempotency-Key header (8+ characters).' } });
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.url} ${JSON.stringify(req.body ?? {})}`)
      .digest('hex');
    const scoped = `${req.method} ${req.routeOptions.url} ${key}`;
    const seen = state.idempotency.get(scoped);
    if (seen) {
      if (seen.fingerprint !== fingerprint)
        return reply
          .status(422)
          .send({ error: { code: 'idempotency_key_reused', message: 'This Idempotency-Key was used for a different request.' } });
      return reply.status(seen.status).header('idempotent-replayed', 'true').send(seen.body);
    }
    const faults = faultsOf(req);
    if (faults.has('error500')) return reply.status(500).send({ error: { code: 'internal_error', message: 'paysim failed (injected).' } });
    // A definite refusal before the request ran (validation, an account setting): like a real PG, nothing is kept for
    // the key, so the same request succeeds once the cause is fixed.
    if (faults.has('reject'))
      return reply.status(422).send({ error: { code: 'request_rejected', message: 'paysim refused the request (injected).' } });
    const result = work(faults);
    const stored = { fingerprint, ...result };
    state.idempotency.set(scoped, stored);
    // Every request that changes a payment answers with it (or with { payment } for a refund).
    const body = result.body as { id?: unknown; payment?: { id?: unknown } } | undefined;
    const changed = state.payments.get(String(body?.payment?.id ?? body?.id ?? ''));
    state.save({ payment: changed, idempotency: [scoped, stored] });
    if (faults.has('timeout')) await new Promise((r) => later(timeoutMs, () => r(undefined)));
    return reply.status(result.status).send(result.body);
  };

  const find = (pid: string) => state.payments.get(pid);
  const notFound = { status: 404, body: { error: { code: 'payment_not_found', message: 'No such payment.' } } };

  app.post<{
    Body: {
      orderRef: string;
      method: string;
      amountMinor: number;
      currency: string;
      capture?: 'automatic' | 'manual';
      returnUrl?: string;
      webhookUrl?: string;
    };
  }>('/v1/payments', { preHandler: auth }, (req, reply) =>
    idempotent(req, reply, (faults) => {
      const b = req.body;
      if (
        !b ||
        !Number.isInteger(b.amountMinor) ||
        b.amountMinor <= 0 ||
        !/^[A-Z]{3}$/.test(b.currency ?? '') ||
        !b.method ||
        !b.orderRef
      ) {
        return {
          status: 400,
          body: {
            error: { code: 'invalid_request', message: 'orderRef, method, a positive integer amountMinor and a currency are required.' },
          },
        };
      }
      const p: SimPayment = {
        id: id('pay'),
        orderRef: b.orderRef,
        method: b.method,
        amountMinor: b.amountMinor,
        currency: b.currency,
        captureMode: b.capture ?? 'automatic',
        status: 'authorized',
        capturedMinor: 0,
        refundedMinor: 0,
        refunds: [],
        returnUrl: b.returnUrl,
        webhookUrl: b.webhookUrl,
        webhookFaults: [...faults].filter((f) => f.endsWith('_webhook')),
        createdAt: new Date().toISOString(),
      };
      state.payments.set(p.id, p);
      if (faults.has('decline')) {
        p.status = 'declined';
        deliver(p, 'payment.declined');
        return { status: 402, body: { ...p, error: { code: 'payment_declined', message: 'The payment method was declined.' } } };
      }
      if (APPROVAL_METHODS.has(b.method)) {
        p.status = 'requires_approval';
        return { status: 201, body: { ...p, approvalUrl: `${opts.publicUrl}/approve/${p.id}` } };
      }
      settle(p);
      return { status: 201, body: p };
    }),
  );

  /** Authorized → captured when the payment asked for automatic capture. */
  function settle(p: SimPayment) {
    if (p.captureMode === 'automatic') {
      p.status = 'captured';
      p.capturedMinor = p.amountMinor;
      deliver(p, 'payment.captured');
    } else deliver(p, 'payment.authorized');
  }

  // The list API reconciliation reads (like Stripe's GET /v1/payments): oldest first, filtered, a page at a time.
  app.get<{ Querystring: { created_gte?: string; order_ref?: string; limit?: string; starting_after?: string } }>(
    '/v1/payments',
    { preHandler: auth },
    async (req) => {
      const q = req.query;
      const from = q.created_gte ? Date.parse(q.created_gte) : -Infinity;
      const limit = Math.min(Math.max(Number(q.limit) || 100, 1), 100);
      let all = [...state.payments.values()].filter((p) => Date.parse(p.createdAt) >= from && (!q.order_ref || p.orderRef === q.order_ref));
      all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      if (q.starting_after) all = all.slice(all.findIndex((p) => p.id === q.starting_after) + 1);
      return { data: all.slice(0, limit), hasMore: all.length > limit };
    },
  );

  app.get<{ Params: { id: string } }>('/v1/payments/:id', { preHandler: auth }, async (req, reply) => {
    const p = find(req.params.id);
    return p ? p : reply.status(404).send(notFound.body);
  });

  app.post<{ Params: { id: string } }>('/v1/payments/:id/capture', { preHandler: auth }, (req, reply) =>
    idempotent(req, reply, () => {
      const p = find(req.params.id);
      if (!p) return notFound;
      if (p.status !== 'authorized')
        return { status: 409, body: { error: { code: 'not_capturable', message: `A ${p.status} payment cannot be captured.` } } };
      p.status = 'captured';
      p.capturedMinor = p.amountMinor;
      deliver(p, 'payment.captured');
      return { status: 200, body: p };
    }),
  );

  app.post<{ Params: { id: string } }>('/v1/payments/:id/cancel', { preHandler: auth }, (req, reply) =>
    idempotent(req, reply, () => {
      const p = find(req.params.id);
      if (!p) return notFound;
      if (p.status !== 'authorized' && p.status !== 'requires_approval')
        return {
          status: 409,
          body: { error: { code: 'not_cancelable', message: `A ${p.status} payment cannot be canceled; refund it instead.` } },
        };
      p.status = 'canceled';
      deliver(p, 'payment.canceled');
      return { status: 200, body: p };
    }),
  );

  app.post<{ Params: { id: string }; Body: { amountMinor?: number } }>('/v1/payments/:id/refunds', { preHandler: auth }, (req, reply) =>
    idempotent(req, reply, () => {
      const p = find(req.params.id);
      if (!p) return notFound;
      const amount = req.body?.amountMinor ?? p.capturedMinor - p.refundedMinor;
      if (p.status !== 'captured')
        return { status: 409, body: { error: { code: 'not_refundable', message: `A ${p.status} payment cannot be refunded.` } } };
      if (!Number.isInteger(amount) || amount <= 0 || amount > p.capturedMinor - p.refundedMinor) {
        return {
          status: 400,
          body: { error: { code: 'invalid_refund_amount', message: `At most ${p.capturedMinor - p.refundedMinor} can be refunded.` } },
        };
      }
      const refund = { id: id('re'), amountMinor: amount, createdAt: new Date().toISOString() };
      p.refunds.push(refund);
      p.refundedMinor += amount;
      deliver(p, 'payment.refunded');
      return { status: 201, body: { refund, payment: p } };
    }),
  );

  app.get('/v1/totals', { preHandler: auth }, async () => state.totals());

  // The buyer's approval page for wallets and redirect methods (what KakaoPay or PayPay would show).
  app.get<{ Params: { id: string } }>('/approve/:id', async (req, reply) => {
    const p = find(req.params.id);
    if (!p) return reply.status(404).type('text/html').send('<p>No such payment.</p>');
    const amount = new Intl.NumberFormat('en', { style: 'currency', currency: p.currency }).format(
      p.amountMinor /
        10 ** (new Intl.NumberFormat('en', { style: 'currency', currency: p.currency }).resolvedOptions().maximumFractionDigits ?? 2),
    );
    const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return reply.type('text/html').send(`<!doctype html><html><head><meta charset="utf-8"><title>${esc(p.method)} — approve payment</title>
<style>body{font-family:system-ui,sans-serif;background:#fee500;display:grid;place-items:center;height:100vh;margin:0}
main{background:#fff;border-radius:16px;padding:32px 40px;box-shadow:0 8px 30px #0003;text-align:center;min-width:320px}
h1{margin:0 0 8px;font-size:22px}.amount{font-size:32px;font-weight:800;margin:16px 0}button{font-size:18px;padding:12px 24px;border-radius:10px;border:0;margin:6px;cursor:pointer}
.ok{background:#191919;color:#fff}.no{background:#eee}</style></head><body><main>
<h1 data-method="${esc(p.method)}">${esc(p.method.toUpperCase())} · paysim</h1><p>Game Store — order ${esc(p.orderRef)}</p>
<div class="amount">${esc(amount)}</div>
${p.status === 'requires_approval' ? `<form method="post"><button class="ok" name="decision" value="approve">Approve payment</button><button class="no" name="decision" value="cancel">Cancel</button></form>` : `<p>This payment is ${esc(p.status)}.</p>`}
</main></body></html>`);
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.post<{ Params: { id: string }; Body: { decision?: string } }>('/approve/:id', async (req, reply) => {
    const p = find(req.params.id);
    if (!p) return reply.status(404).type('text/html').send('<p>No such payment.</p>');
    if (p.status === 'requires_approval') {
      if (req.body?.decision === 'approve') {
        p.status = 'authorized';
        settle(p);
      } else {
        p.status = 'canceled';
        deliver(p, 'payment.canceled');
      }
      state.save({ payment: p });
    }
    if (!p.returnUrl) return reply.type('text/html').send(`<p>Payment ${p.status}.</p>`);
    const back = new URL(p.returnUrl);
    back.searchParams.set('paymentId', p.id);
    back.searchParams.set('status', p.status);
    return reply.redirect(back.toString(), 303);
  });

  return { app, state, webhooksInFlight: () => deliveries };
}
