import { notFound } from '../platform/errors.ts';
import { failureText } from '../orders/errors.ts';
import type { Tx } from '../platform/db/tx.ts';
import { firstStepResult } from '../platform/workflows.ts';
import { isUuid } from '../platform/ids.ts';
import type { FriendService } from '../friends/service.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { PaymentMethodCatalogue } from '../payments/methods.ts';
import { orderIdFor, purchaseOf, requireIdempotencyKey, type Buyer, type OrderService } from '../orders/service.ts';
import { chargeUrls } from '../payments/gateway.ts';
import { moveGift, type GiftLifecycleDeps } from './lifecycle.ts';
import type { GiftContext } from './sagas.ts';
import { giftTitle, type GiftStore } from './store.ts';
import { giftError } from './errors.ts';
import type { OrderStore } from '../orders/store.ts';
import type { Clock } from '../platform/clock.ts';
import type { Transactions } from '../platform/db/tx.ts';
import type { GiftReportFilter, GiftWithOrder } from './store.ts';
import { VISIBLE_TO_RECIPIENT } from './state.ts';
import { decide } from '../regions/policy.ts';
import type { RegionGate } from '../regions/gate.ts';
import type { GiftRecipients, GiftReport, GiftReportQuery, GiftView, SendGift } from './schemas.ts';

const REPORT_ROWS = 500;
const CSV_ROWS = 100_000;

/**
 * Gifting (S2.1–S2.14). Checks without side effects happen here, then the send-gift saga pays; answers
 * (accept, decline, cancel) are one locked state change each, so racing answers get one winner and 409s.
 */
/** Who reads a gift: their id, and the language its texts are shown in. */
export interface Reader {
  userId: string;
  language: string;
}

export class GiftService {
  constructor(
    private readonly d: GiftLifecycleDeps & {
      orders: Pick<OrderStore, 'grant'>;
      transactions: Transactions;
      clock: Clock;
      friends: FriendService;
      catalog: CatalogService;
      orderService: OrderService;
      methods: PaymentMethodCatalogue;
      regions: RegionGate;
      startSaga(workflowId: string, input: GiftContext): Promise<unknown>;
    },
  ) {}

  /** S2.4, S2.5, R12: the friends this game can be given to, and those it cannot, with the reason. */
  async recipients(sender: Buyer, gameId: string): Promise<GiftRecipients> {
    await this.d.orderService.quote(sender, gameId, undefined, 'gift'); // sold where the sender lives (403 otherwise)
    const facts = await this.d.catalog.facts(gameId, sender.shopper.language);
    const { friends } = await this.d.friends.list(sender.userId);
    const ids = friends.map((f) => f.id);
    const [taken, profiles] = await Promise.all([this.d.gifts.ownersOrPending(ids, gameId), this.d.gifts.profiles(ids)]);
    const out: GiftRecipients = { recipients: [], unavailable: [], leftOut: 0 };
    for (const p of profiles.sort((a, b) => a.name.localeCompare(b.name))) {
      if (taken.has(p.id)) {
        out.leftOut++;
        continue;
      }
      const may = decide('receive', facts.regions, { residence: p.country, recipientName: p.name });
      if (may.allowed) out.recipients.push({ id: p.id, name: p.name, country: p.country, timeZone: p.time_zone });
      else out.unavailable.push({ id: p.id, name: p.name, reason: may.reason, message: may.text(sender.shopper.language) });
    }
    return out;
  }

  /** S2.1–S2.9: checks, then starts the send-gift saga. A retry with the same Idempotency-Key is the same gift. */
  async send(sender: Buyer & { name: string }, idempotencyKey: string | undefined, req: SendGift): Promise<GiftView> {
    const key = requireIdempotencyKey(idempotencyKey);
    // Its own id space: the same key sent to POST /api/orders is another purchase.
    const giftId = orderIdFor(sender.userId, `gift:${key}`);
    const existing = await this.d.gifts.byId(giftId);
    if (existing) return this.view(existing, sender.userId, sender.shopper.language);

    if (req.recipientId === sender.userId) throw giftError(400, 'cannot_gift_self');
    if (!(await this.d.friends.areFriends(sender.userId, req.recipientId))) {
      throw giftError(403, 'not_a_friend');
    }
    // The same price, region and promotion checks as a purchase (403 where not sold to the sender).
    const { quote, redemptions } = await this.d.orderService.checkoutPrice(sender, req, 'gift');
    const facts = await this.d.catalog.facts(req.gameId, sender.shopper.language);
    const [recipient] = await this.d.gifts.profiles([req.recipientId]);
    if (!recipient) throw notFound({ en: 'This user', ko: '이 사용자', ja: 'このユーザー' }, 'user_not_found');
    const may = decide('receive', facts.regions, { residence: recipient.country, recipientName: recipient.name });
    if (!may.allowed)
      await this.d.regions.check('receive', facts.regions, { userId: sender.userId, residence: recipient.country }, req.gameId, may);
    if ((await this.d.gifts.ownersOrPending([recipient.id], req.gameId)).size) {
      throw giftError(409, 'recipient_has_game', { name: recipient.name, title: facts.title });
    }
    const paidMinor = this.d.orderService.checkPayment(sender, req, quote, (v) => giftError(409, 'insufficient_points', v));
    const now = this.d.clock.now();
    let deliverAt = now;
    if (req.deliverAt) {
      deliverAt = new Date(req.deliverAt);
      if (deliverAt.getTime() < now.getTime() - 5 * 60_000) throw giftError(400, 'delivery_in_past');
      if (deliverAt.getTime() > now.getTime() + 366 * 86_400_000) throw giftError(400, 'delivery_too_far');
      if (deliverAt < now) deliverAt = now;
    }
    await this.d.orderService.admit({ gameId: req.gameId, userId: sender.userId, orderId: giftId, admission: req.admission });
    await this.d.startSaga(`send-gift:${giftId}`, {
      ...purchaseOf(`gift:${key}`, req, quote, paidMinor, redemptions),
      giftId,
      senderId: sender.userId,
      senderEmail: sender.email,
      language: sender.shopper.language,
      senderName: sender.name,
      senderCountry: sender.shopper.country,
      recipientId: recipient.id,
      recipientName: recipient.name,
      recipientCountry: recipient.country,
      recipientTimeZone: recipient.time_zone,
      gameTitles: facts.titles,
      message: req.message.trim(),
      deliverAt: deliverAt.toISOString(),
      ...chargeUrls(this.d.publicUrl, `/gifts/${giftId}`),
    });
    const row = await firstStepResult(() => this.d.gifts.byId(giftId), 5000);
    if (row) return this.view(row, sender.userId, sender.shopper.language);
    throw giftError(503, 'gift_starting');
  }

  async list(reader: Reader): Promise<{ sent: GiftView[]; received: GiftView[] }> {
    const userId = reader.userId;
    const [sent, received] = await Promise.all([this.d.gifts.listSent(userId), this.d.gifts.listReceived(userId)]);
    return {
      sent: sent.map((g) => this.view(g, userId, reader.language)),
      received: received.map((g) => this.view(g, userId, reader.language)),
    };
  }

  /** Only the sender, and the recipient once it has arrived, can see a gift; to anyone else it does not exist. */
  private async visible(userId: string, giftId: string): Promise<GiftWithOrder> {
    const g = isUuid(giftId) ? await this.d.gifts.byId(giftId) : undefined;
    if (!g || !(g.sender_id === userId || (g.recipient_id === userId && VISIBLE_TO_RECIPIENT.includes(g.state))))
      throw notFound({ en: 'This gift', ko: '이 선물', ja: 'このギフト' }, 'gift_not_found');
    return g;
  }

  async get(reader: Reader, giftId: string): Promise<GiftView> {
    const userId = reader.userId;
    return this.view(await this.visible(userId, giftId), userId, reader.language);
  }

  /** S2.11: the recipient accepts; the game enters their library (downloadable from its release day). */
  async accept(reader: Reader, giftId: string): Promise<GiftView> {
    const userId = reader.userId;
    await this.answer(userId, giftId, 'recipient', async (tx, g, now) => {
      if (g.state !== 'delivered') throw giftError(409, `gift_${g.state}`);
      if (g.expires_at && g.expires_at <= now) throw giftError(409, 'gift_expired');
      if (!(await this.d.orders.grant(tx, { user_id: userId, game_id: g.game_id, order_id: g.id, acquired_at: now })))
        throw giftError(409, 'already_owned', { title: giftTitle(g, reader.language) });
      await moveGift(this.d, tx, g.id, 'delivered', 'accepted', { settled_at: now }, now);
    });
    return this.get(reader, giftId);
  }

  /** S2.12: the recipient declines; the sender is refunded at once (money and points) and told by mail. */
  async decline(reader: Reader, giftId: string): Promise<GiftView> {
    const userId = reader.userId;
    await this.answer(userId, giftId, 'recipient', async (tx, g, now) => {
      if (g.state !== 'delivered') throw giftError(409, `gift_${g.state}`);
      if (g.expires_at && g.expires_at <= now) throw giftError(409, 'gift_expired');
      await moveGift(this.d, tx, g.id, 'delivered', 'declined', { settled_at: now }, now);
    });
    this.d.timers.kick();
    return this.get(reader, giftId);
  }

  /** The sender cancels a gift that has not been delivered yet; it is refunded and the recipient never sees it. */
  async cancel(reader: Reader, giftId: string): Promise<GiftView> {
    const userId = reader.userId;
    await this.answer(userId, giftId, 'sender', async (tx, g, now) => {
      if (g.state !== 'scheduled') throw giftError(409, g.state === 'delivered' ? 'gift_already_delivered' : `gift_${g.state}`);
      await moveGift(this.d, tx, g.id, 'scheduled', 'cancelled', { settled_at: now }, now);
    });
    this.d.timers.kick();
    return this.get(reader, giftId);
  }

  /** One answer: the gift row is locked, so answers arriving together are decided one after another. */
  private async answer(
    userId: string,
    giftId: string,
    as: 'sender' | 'recipient',
    change: (tx: Tx, g: NonNullable<Awaited<ReturnType<GiftStore['lock']>>>, now: Date) => Promise<void>,
  ) {
    const seen = await this.visible(userId, giftId);
    const role = seen.sender_id === userId ? 'sender' : 'recipient';
    if (role !== as) {
      throw giftError(403, as === 'sender' ? 'not_sender' : 'not_recipient');
    }
    await this.d.transactions.run(async (tx) => {
      const g = await this.d.gifts.lock(tx, giftId);
      if (!g) throw notFound({ en: 'This gift', ko: '이 선물', ja: 'このギフト' }, 'gift_not_found');
      await change(tx, g, this.d.clock.now());
    });
  }

  private view(g: GiftWithOrder, userId: string, language: string): GiftView {
    const role = g.sender_id === userId ? 'sender' : 'recipient';
    const money = (amountMinor: number) => ({ amountMinor, currency: g.currency });
    const now = this.d.clock.now();
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      id: g.id,
      role,
      // In the reader's language: the recipient's may differ from the sender's (S2).
      game: { id: g.game_id, title: giftTitle(g, language) },
      from: { id: g.sender_id, name: g.sender_name },
      to: { id: g.recipient_id, name: g.recipient_name, timeZone: g.recipient_time_zone },
      message: g.message,
      state: g.state,
      deliverAt: g.deliver_at.toISOString(),
      deliveredAt: iso(g.delivered_at),
      expiresAt: iso(g.expires_at),
      settledAt: iso(g.settled_at),
      createdAt: g.created_at.toISOString(),
      ...(role === 'sender'
        ? {
            payment: {
              status: g.order_status,
              price: money(g.price_minor),
              paid: money(g.paid_minor),
              pointsUsed: g.points_used,
              method: g.payment_method,
              approvalUrl: g.order_status === 'pending' ? g.approval_url : null,
              failure: g.failure_code
                ? { code: g.failure_code, message: failureText(language, g.failure_code, g.failure_message ?? '') }
                : null,
              refunded: g.refunded_minor === null ? null : money(g.refunded_minor),
            },
          }
        : {}),
      actions: {
        accept: role === 'recipient' && g.state === 'delivered' && (!g.expires_at || g.expires_at > now),
        decline: role === 'recipient' && g.state === 'delivered' && (!g.expires_at || g.expires_at > now),
        cancel: role === 'sender' && g.state === 'scheduled',
      },
    };
  }

  /** S2.14: the operators' gift report. */
  async report(q: GiftReportQuery, language = 'en'): Promise<GiftReport> {
    const f = this.filter(q);
    const { rows, totals } = await this.d.gifts.report(f, REPORT_ROWS + 1);
    const byState = Object.fromEntries(totals.byState.map((r) => [r.state, r.count]));
    const days = new Map<string, Record<string, number>>();
    for (const r of totals.perDay) days.set(r.day, { ...days.get(r.day), [r.state]: r.count });
    return {
      rows: rows.slice(0, REPORT_ROWS).map((g) => this.reportRow(g, language)),
      truncated: rows.length > REPORT_ROWS,
      totals: {
        count: totals.byState.reduce((n, r) => n + r.count, 0),
        byState,
        money: totals.money.map((m) => ({
          currency: m.currency,
          count: m.count,
          paidMinor: Number(m.paid),
          refundedMinor: Number(m.refunded),
          pointsUsed: Number(m.points),
        })),
      },
      perDay: [...days].map(([day, counts]) => ({ day, counts })),
    };
  }

  /** S2.14: the same report as CSV, every matching gift (up to 100,000 rows). */
  async reportCsv(q: GiftReportQuery, language = 'en'): Promise<string> {
    const { rows } = await this.d.gifts.report(this.filter(q), CSV_ROWS);
    const head = [
      'gift_id',
      'created_at',
      'state',
      'order_status',
      'game_id',
      'game_title',
      'sender_name',
      'sender_country',
      'recipient_name',
      'recipient_country',
      'deliver_at',
      'delivered_at',
      'settled_at',
      'currency',
      'paid_minor',
      'points_used',
      'refunded_minor',
    ];
    const lines = rows.map((g) =>
      [
        g.id,
        g.created_at.toISOString(),
        g.state,
        g.order_status,
        g.game_id,
        giftTitle(g, language),
        g.sender_name,
        g.sender_country,
        g.recipient_name,
        g.recipient_country,
        g.deliver_at.toISOString(),
        g.delivered_at?.toISOString() ?? '',
        g.settled_at?.toISOString() ?? '',
        g.currency,
        g.paid_minor,
        g.points_used,
        g.refunded_minor ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
    return `${[head.join(','), ...lines].join('\r\n')}\r\n`;
  }

  private filter(q: GiftReportQuery): GiftReportFilter {
    if (q.from && q.to && q.from > q.to) throw giftError(400, 'invalid_date_range', { from: q.from, to: q.to });
    return {
      from: q.from,
      to: q.to,
      state: q.state,
      gameId: q.gameId,
      game: q.game?.trim() || undefined,
      senderCountry: q.senderCountry,
      recipientCountry: q.recipientCountry,
      points: q.points,
    };
  }

  private reportRow(g: GiftWithOrder, language: string) {
    const money = (amountMinor: number) => ({ amountMinor, currency: g.currency });
    return {
      id: g.id,
      createdAt: g.created_at.toISOString(),
      state: g.state,
      orderStatus: g.order_status,
      game: { id: g.game_id, title: giftTitle(g, language) },
      sender: { id: g.sender_id, name: g.sender_name, country: g.sender_country },
      recipient: { id: g.recipient_id, name: g.recipient_name, country: g.recipient_country },
      deliverAt: g.deliver_at.toISOString(),
      deliveredAt: g.delivered_at?.toISOString() ?? null,
      settledAt: g.settled_at?.toISOString() ?? null,
      paid: money(g.paid_minor),
      pointsUsed: g.points_used,
      refunded: g.refunded_minor === null ? null : money(g.refunded_minor),
    };
  }
}

/** RFC 4180 quoting; a cell that a spreadsheet would run as a formula is prefixed with a quote. */
export function csvCell(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
