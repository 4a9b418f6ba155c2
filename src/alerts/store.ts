import { sql, type Kysely, type Selectable } from 'kysely';
import { enqueueMail, type Mail } from '../platform/mail/outbox.ts';
import { asTx } from '../platform/db/tx.ts';

export interface AlertsTable {
  id: string;
  kind: string;
  subject: string;
  message: string;
  details: unknown;
  count: number;
  raised_at: Date;
  last_raised_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
}
export interface AlertTables {
  alerts: AlertsTable;
}
export type AlertRow = Selectable<AlertsTable>;

export class AlertStore {
  constructor(private readonly db: Kysely<AlertTables>) {}

  /**
   * Opens the alert, or counts one more occurrence of the open one; `mail` is queued only when it opens. With
   * `once`, a subject that ever had this kind of alert (open or resolved) is left alone: a fact that does not change
   * (a run that failed for good) is reported once, and stays resolved once an operator handled it.
   */
  async raise(
    a: { id: string; kind: string; subject: string; message: string; details: unknown },
    now: Date,
    mail?: (id: string) => Mail,
    once = false,
  ): Promise<{ opened: boolean; id: string | undefined }> {
    return this.db.transaction().execute(async (trx) => {
      const row = once
        ? await sql<{ id: string; inserted: boolean }>`
            insert into alerts (id, kind, subject, message, details, raised_at, last_raised_at)
            select ${a.id}, ${a.kind}, ${a.subject}, ${a.message}, ${JSON.stringify(a.details)}::jsonb, ${now}, ${now}
            where not exists (select 1 from alerts where kind = ${a.kind} and subject = ${a.subject})
            on conflict do nothing
            returning id, true as inserted`.execute(trx)
        : await sql<{ id: string; inserted: boolean }>`
            insert into alerts (id, kind, subject, message, details, raised_at, last_raised_at)
            values (${a.id}, ${a.kind}, ${a.subject}, ${a.message}, ${JSON.stringify(a.details)}::jsonb, ${now}, ${now})
            on conflict (kind, subject) where resolved_at is null
            do update set count = alerts.count + 1, last_raised_at = excluded.last_raised_at, message = excluded.message, details = excluded.details
            returning id, (xmax = 0) as inserted`.execute(trx);
      const r = row.rows[0];
      if (r?.inserted && mail) await enqueueMail(asTx(trx), mail(r.id), now);
      return { opened: r?.inserted ?? false, id: r?.id };
    });
  }

  list(opts: { open?: boolean; limit: number }) {
    let q = this.db.selectFrom('alerts').selectAll().orderBy('last_raised_at', 'desc').limit(opts.limit);
    if (opts.open !== undefined) q = q.where('resolved_at', opts.open ? 'is' : 'is not', null);
    return q.execute();
  }

  async resolve(id: string, by: string, now: Date): Promise<AlertRow | undefined> {
    return this.db
      .updateTable('alerts')
      .set({ resolved_at: now, resolved_by: by })
      .where('id', '=', id)
      .where('resolved_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  byId(id: string) {
    return this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async openCount(): Promise<number> {
    const r = await this.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('resolved_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
