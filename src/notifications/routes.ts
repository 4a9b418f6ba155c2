import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Guards } from '../accounts/guards.ts';
import type { NotificationService } from './service.ts';
import { NotificationView } from './schemas.ts';

export function notificationRoutes(app: FastifyInstance, deps: { notifications: NotificationService; guards: Guards }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['notifications'];
  const me = async (req: Parameters<Guards['requireUser']>[0]) => (await deps.guards.requireUser(req)).userId;
  r.get(
    '/api/notifications',
    {
      schema: { tags, summary: 'Your in-app notifications, newest first', response: { 200: Type.Array(NotificationView), 401: ErrorBody } },
    },
    async (req) => deps.notifications.list(await me(req)),
  );
  r.post(
    '/api/notifications/:id/read',
    {
      schema: {
        tags,
        summary: 'Mark a notification read',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const ok = await deps.notifications.markRead(await me(req), req.params.id);
      if (!ok) return reply.status(404).send({ error: { code: 'notification_not_found', message: 'This notification does not exist.' } });
      return reply.status(204).send(null);
    },
  );
}
