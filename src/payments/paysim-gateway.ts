import type { Clock } from '../platform/clock.ts';
import { SIGNATURE_HEADER, verify } from '../paysim/signature.ts';
import {
  GatewayRejected,
  GatewayUnavailable,
  InvalidWebhook,
  PaymentDeclined,
  type GatewayEvent,
  type GatewayPayment,
  type ListedPayment,
  type PaymentGateway,
  type PaymentQuery,
  type PaymentRequest,
} from './gateway.ts';

interface SimPaymentBody {
  id: string;
  status: GatewayPayment['status'];
  amountMinor: number;
  currency: string;
  capturedMinor: number;
  refundedMinor: number;
  approvalUrl?: string;
}

export interface PaysimGatewayOptions {
  url: string;
  apiKey: string;
  webhookSecret: string;
  clock: Clock;
  timeoutMs?: number;
  /** Tests only: faults to ask paysim for on a call, given "METHOD path" (sent as X-Paysim-Fault). */
  faults?: (call: string) => string | undefined;
}

const toPayment = (b: SimPaymentBody): GatewayPayment => ({
  id: b.id,
  status: b.status,
  amount: { amountMinor: b.amountMinor, currency: b.currency },
  capturedMinor: b.capturedMinor,
  refundedMinor: b.refundedMinor,
  ...(b.approvalUrl ? { approvalUrl: b.approvalUrl } : {}),
});

export class PaysimGateway implements PaymentGateway {
  readonly name = 'paysim';
  constructor(private readonly opts: PaysimGatewayOptions) {}

  private async call(
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<SimPaymentBody & { payment?: SimPaymentBody }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.opts.apiKey}`, 'content-type': 'application/json' };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const fault = this.opts.faults?.(`${method} ${path}`);
    if (fault) headers['x-paysim-fault'] = fault;
    let res: Response;
    try {
      res = await fetch(this.opts.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new GatewayUnavailable(`paysim did not answer ${method} ${path}: ${(err as Error).message}`);
    }
    const json = (await res.json().catch(() => ({}))) as SimPaymentBody & {
      payment?: SimPaymentBody;
      error?: { code: string; message: string };
    };
    if (res.ok) return json;
    if (res.status === 402) throw new PaymentDeclined();
    // No answer yet: the request may or may not have taken effect; the same call with the same key will tell.
    if (res.status >= 500 || res.status === 408 || res.status === 429)
      throw new GatewayUnavailable(`paysim answered ${res.status} to ${method} ${path}`);
    // A definite "no" that is not a decline: retrying the same request gets the same answer.
    throw new GatewayRejected(
      res.status,
      json.error?.code ?? 'unknown',
      `paysim refused ${method} ${path}: ${res.status} ${json.error?.code ?? ''} ${json.error?.message ?? ''}`.trim(),
    );
    return json;
  }

  async createPayment(req: PaymentRequest): Promise<GatewayPayment> {
    const body = {
      orderRef: req.orderRef,
      method: req.method,
      amountMinor: req.amount.amountMinor,
      currency: req.amount.currency,
      capture: req.capture,
      returnUrl: req.returnUrl,
      webhookUrl: req.webhookUrl,
    };
    return toPayment(await this.call('POST', '/v1/payments', body, req.idempotencyKey));
  }
  async getPayment(id: string): Promise<GatewayPayment> {
    return toPayment(await this.call('GET', `/v1/payments/${encodeURIComponent(id)}`));
  }
  async capture(id: string, key: string): Promise<GatewayPayment> {
    return toPayment(await this.call('POST', `/v1/payments/${encodeURIComponent(id)}/capture`, {}, key));
  }
  async cancel(id: string, key: string): Promise<GatewayPayment> {
    return toPayment(await this.call('POST', `/v1/payments/${encodeURIComponent(id)}/cancel`, {}, key));
  }
  async refund(id: string, amountMinor: number, key: string): Promise<GatewayPayment> {
    return toPayment((await this.call('POST', `/v1/payments/${encodeURIComponent(id)}/refunds`, { amountMinor }, key)).payment!);
  }

  async listPayments(q: PaymentQuery): Promise<{ items: ListedPayment[]; hasMore: boolean }> {
    const params = new URLSearchParams();
    if (q.createdFrom) params.set('created_gte', q.createdFrom.toISOString());
    if (q.orderRef) params.set('order_ref', q.orderRef);
    if (q.limit) params.set('limit', String(q.limit));
    if (q.startingAfter) params.set('starting_after', q.startingAfter);
    const page = (await this.call('GET', `/v1/payments?${params}`)) as unknown as {
      data: (SimPaymentBody & { orderRef: string; createdAt: string })[];
      hasMore: boolean;
    };
    return { items: page.data.map((p) => ({ ...toPayment(p), orderRef: p.orderRef, createdAt: p.createdAt })), hasMore: page.hasMore };
  }

  parseWebhook(rawBody: string, headers: Record<string, string | string[] | undefined>): GatewayEvent {
    const signature = headers[SIGNATURE_HEADER];
    if (!verify(this.opts.webhookSecret, rawBody, typeof signature === 'string' ? signature : undefined, this.opts.clock.now())) {
      throw new InvalidWebhook('The webhook signature is missing, wrong or too old.');
    }
    const event = JSON.parse(rawBody) as { id: string; type: string; data: SimPaymentBody & { orderRef: string } };
    return { id: event.id, type: event.type, payment: toPayment(event.data), orderRef: event.data.orderRef };
  }
}
