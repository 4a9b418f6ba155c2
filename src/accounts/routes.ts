import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import type { Auth } from './auth.ts';
import type { AccountService } from './service.ts';
import type { Guards } from './guards.ts';
import { webHeaders } from './guards.ts';
import { Me, Preferences, SignUp } from './schemas.ts';

export function accountRoutes(app: FastifyInstance, deps: { accounts: AccountService; guards: Guards; auth: Auth; publicUrl: string }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['accounts'];

  r.post('/api/accounts', {
    schema: {
      tags,
      summary: 'Sign up with email and password; the country of residence decides what can be bought',
      body: SignUp,
      response: { 201: Me, 400: ErrorBody, 409: ErrorBody },
    },
  }, async (req, reply) => {
    const { me, headers } = await deps.accounts.signUp(req.body);
    for (const c of headers.getSetCookie()) reply.header('set-cookie', c);
    return reply.status(201).send(me);
  });

  r.get('/api/me', { schema: { tags, summary: 'The signed-in account', response: { 200: Me, 401: ErrorBody } } }, async (req) => {
    const v = await deps.guards.requireUser(req);
    return deps.accounts.me(v.userId);
  });

  r.patch('/api/me', {
    schema: { tags, summary: 'Change language or currency (the country of residence has its own rules)', body: Preferences, response: { 200: Me, 400: ErrorBody, 401: ErrorBody } },
  }, async (req) => {
    const v = await deps.guards.requireUser(req);
    return deps.accounts.updatePreferences(v.userId, req.body);
  });

  // Better Auth's own endpoints (sign-in, sign-out, session, social callbacks) under /api/auth/*.
  app.route({
    method: ['GET', 'POST'],
    url: '/api/auth/*',
    schema: { hide: true },
    async handler(req, reply) {
      const url = new URL(req.url, deps.publicUrl);
      const body = req.method === 'POST' && req.body !== undefined ? JSON.stringify(req.body) : undefined;
      const res = await deps.auth.handler(new Request(url, { method: req.method, headers: webHeaders(req), body }));
      reply.status(res.status);
      for (const c of res.headers.getSetCookie()) reply.header('set-cookie', c);
      // Better Auth's errors ({ code, message }) get the same envelope as every other API error.
      if (res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
        const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
        return reply.send({ error: { code: (body.code ?? 'auth_error').toLowerCase(), message: body.message ?? 'Authentication failed.' } });
      }
      res.headers.forEach((value, key) => {
        if (key !== 'set-cookie' && key !== 'content-length') reply.header(key, value);
      });
      return reply.send(res.body ? Buffer.from(await res.arrayBuffer()) : null);
    },
  });
}
