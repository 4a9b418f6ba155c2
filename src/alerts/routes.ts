import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody, notFound } from '../platform/errors.ts';
import { isUuid } from '../platform/ids.ts';
import type { Guards } from '../accounts/guards.ts';
import type { AlertService } from './service.ts';
import type { AlertRow } from './store.ts';
import { AlertView } from './schemas.ts';

const view = (a: AlertRow) => ({
  id: a.id,
  kind: a.kind,
  subject: a.subject,
  message: a.message,
  details: (a.details ?? {}) as Record<string, unknown>,
  count: a.count,
  raisedAt: a.raised_at.toISOString(),
  lastRaisedAt: a.last_raised_at.toISOString(),
  resolvedAt: a.resolved_at?.toISOString() ?? null,
});

export function alertRoutes(app: FastifyInstance, deps: { alerts: AlertService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['operator'];
  r.get(
    '/api/operator/alerts',
    {
      schema: {
        tags,
        summary: 'Alerts for operators (payments the store could not settle by itself, stuck work), newest first',
        querystring: Type.Object(
          { open: Type.Optional(Type.Boolean()), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ open: Type.Integer(), items: Type.Array(AlertView) }), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => {
      await deps.guards.requireOperator(req);
      const [items, open] = await Promise.all([deps.alerts.list(req.query.open, req.query.limit), deps.alerts.openCount()]);
      return { open, items: items.map(view) };
    },
  );

  r.post(
    '/api/operator/alerts/:id/resolve',
    {
      schema: {
        tags,
        summary: 'Mark an alert handled',
        params: Type.Object({ id: Type.String() }),
        response: { 200: AlertView, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const v = await deps.guards.requireOperator(req);
      const done = isUuid(req.params.id) ? await deps.alerts.resolve(req.params.id, v.userId) : undefined;
      if (!done) throw notFound({ en: 'This open alert', ko: '이 미해결 알림', ja: 'この未解決のアラート' }, 'alert_not_found');
      return view(done);
    },
  );
}
