import { sql, type ColumnType, type Kysely, type Migration } from 'kysely';
import { tablesOf, type Tx } from '../db/tx.ts';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';

/**
 * Transactional outbox for mail: a context writes the mail in the same transaction as the state change it
 * announces (so a mail is never lost nor sent for a change that rolled back), and a delivery loop sends
 * pending rows over SMTP with nodemailer, retrying with backoff. `dedupe_key` makes a re-run step a no-op.
 *
 * Delivery is claim → send → mark sent, each mail on its own: a process killed after the SMTP server took a mail
 * and before the mark resends that one mail (never a batch), and every copy carries the same Message-ID
 * (`<outbox id@sender's domain>`) so receiving systems drop the duplicate.
 */

export const outboxMigrations: Record<string, Migration> = {
  '2026-11-24-05-platform-mail-outbox': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table mail_outbox (
          id uuid primary key,
          dedupe_key text not null unique,
          to_address text not null,
          subject text not null,
          body_text text not null,
          created_at timestamptz not null,
          next_attempt_at timestamptz not null,
          attempts integer not null default 0,
          last_error text,
          sent_at timestamptz
        )`.execute(db);
      await sql`create index mail_outbox_pending on mail_outbox (next_attempt_at) where sent_at is null`.execute(db);
    },
  },
  '2026-12-02-04-platform-mail-outbox-lease': {
    async up(db: Kysely<unknown>) {
      // A mail is claimed alone for a short lease (database wall time), sent, then marked sent in its own commit.
      await sql`alter table mail_outbox add column lease_until timestamptz`.execute(db);
    },
  },
  '2026-12-02-13-platform-mail-outbox-headers': {
    async up(db: Kysely<unknown>) {
      // Extra headers a mail carries (List-Unsubscribe on marketing mail).
      await sql`alter table mail_outbox add column headers jsonb`.execute(db);
    },
  },
};

export interface OutboxTables {
  mail_outbox: {
    id: string;
    dedupe_key: string;
    to_address: string;
    subject: string;
    body_text: string;
    created_at: Date;
    next_attempt_at: Date;
    attempts: number;
    last_error: string | null;
    sent_at: Date | null;
    lease_until: Date | null;
    headers: ColumnType<Record<string, string> | null, string | null, string | null>;
  };
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** One mail per key, ever: e.g. `order:<id>:confirmation`. */
  dedupeKey: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
}

/** Writes a mail into the outbox inside the caller's transaction. */
export async function enqueueMail(tx: Tx, mail: Mail, now: Date): Promise<void> {
  await tablesOf<OutboxTables>(tx)
    .insertInto('mail_outbox')
    .values({
      id: newId(),
      dedupe_key: mail.dedupeKey,
      to_address: mail.to,
      subject: mail.subject,
      body_text: mail.text,
      created_at: now,
      next_attempt_at: now,
      attempts: 0,
      last_error: null,
      sent_at: null,
      headers: mail.headers ? JSON.stringify(mail.headers) : null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

export interface MailDeliveryOptions {
  smtpUrl: string;
  from: string;
  pollMs?: number;
  log: Pick<Logger, 'warn' | 'info'>;
}

/** Sends what the outbox holds. Several nodes may run it: rows are claimed with SKIP LOCKED. */
export class MailDelivery {
  private readonly transport: Transporter;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly db: Kysely<OutboxTables>,
    private readonly clock: Clock,
    private readonly opts: MailDeliveryOptions,
  ) {
    // Timeouts shorter than the claim's lease (deliverDue), so a send never outlives its claim. One pooled connection,
    // reused for up to 100 mails: a new SMTP connection per mail (greeting, EHLO) cost ~110 ms, capping delivery at
    // about nine mails a second — 10,000 gift receipts took 20 minutes (bench:memory); mails still go one at a time,
    // so a crash resends at most the one in flight.
    this.transport = nodemailer.createTransport({
      url: opts.smtpUrl,
      pool: true,
      maxConnections: 1,
      maxMessages: 100,
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
      socketTimeout: 10_000,
    });
  }

  start(): void {
    const tick = () => {
      const round = this.deliverDue().then(
        () => undefined,
        (err: unknown) => this.opts.log.warn({ err }, 'mail delivery round failed'),
      );
      this.running = round;
      void round.finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.opts.pollMs ?? 500);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.transport.close();
  }

  /** The Message-ID every copy of a mail carries: stable per outbox row. */
  messageId(id: string): string {
    const domain = /@([^>\s]+)>?\s*$/.exec(this.opts.from)?.[1] ?? 'store.localhost';
    return `<${id}@${domain}>`;
  }

  /** Claims one due mail for a lease of `leaseSeconds` of database time; undefined when none is due. */
  private async claim(leaseSeconds: number) {
    const r = await sql<OutboxTables['mail_outbox']>`
      update mail_outbox set lease_until = now() + make_interval(secs => ${leaseSeconds})
      where id = (
        select id from mail_outbox
        where sent_at is null and next_attempt_at <= ${this.clock.now()} and (lease_until is null or lease_until < now())
        order by next_attempt_at limit 1
        for update skip locked)
      returning *`.execute(this.db);
    return r.rows[0];
  }

  /** Sends every due mail once, one at a time; returns how many were sent. */
  async deliverDue(leaseSeconds = 20): Promise<number> {
    let sent = 0;
    for (;;) {
      const row = await this.claim(leaseSeconds);
      if (!row) return sent;
      try {
        await this.transport.sendMail({
          from: this.opts.from,
          to: row.to_address,
          subject: row.subject,
          text: row.body_text,
          messageId: this.messageId(row.id),
          headers: { ...row.headers, 'X-Outbox-Id': row.id },
        });
      } catch (err) {
        const wait = Math.min(2 ** row.attempts * 1000, 3_600_000);
        await this.db
          .updateTable('mail_outbox')
          .set({
            attempts: row.attempts + 1,
            last_error: String((err as Error).message),
            next_attempt_at: new Date(this.clock.now().getTime() + wait),
            lease_until: null,
          })
          .where('id', '=', row.id)
          .execute();
        continue;
      }
      await this.db
        .updateTable('mail_outbox')
        .set({ sent_at: this.clock.now(), attempts: row.attempts + 1, last_error: null, lease_until: null })
        .where('id', '=', row.id)
        .execute();
      sent++;
    }
  }
}
