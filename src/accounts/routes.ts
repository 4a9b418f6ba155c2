import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '../platform/errors.ts';
import { accountError } from './errors.ts';
import type { Auth } from './auth.ts';
import { SESSION_COOKIE, type AccountService } from './service.ts';
import type { Guards } from './guards.ts';
import { webHeaders } from './guards.ts';
import { Me, Preferences, ProviderView, SignUp } from './schemas.ts';
import { Type } from 'typebox';
import { CountryCode } from '../platform/schemas.ts';
import type { TokenService } from './tokens.ts';
import type { ProviderSettings } from './providers.ts';
import type { BreachedPasswords } from './breached.ts';
import type { SharedRateLimiter } from '../platform/http/rate-limit.ts';

const TWO_FACTOR_COOKIE = /(?:^|;\s*)(?:__Secure-)?better-auth\.two_factor=([^;]+)/;

export function accountRoutes(
  app: FastifyInstance,
  deps: {
    accounts: AccountService;
    guards: Guards;
    auth: Auth;
    tokens: TokenService;
    providers: ProviderSettings;
    breached: BreachedPasswords;
    publicUrl: string;
    rateLimit: boolean;
    /** Shared by every node, counted before the attempt: sign-ups and sign-ins per address, sign-ins per account, second-factor codes per sign-in. */
    limits: {
      signUpsPerAddress: SharedRateLimiter;
      signInsPerAccount: SharedRateLimiter;
      signInsPerAddress: SharedRateLimiter;
      codesPerSignIn: SharedRateLimiter;
      /** Password-reset mails: per client address, and per address mailed (no mailbox flooded through us). */
      resetsPerAddress: SharedRateLimiter;
      resetsPerAccount: SharedRateLimiter;
    };
  },
) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['accounts'];

  r.post(
    '/api/accounts',
    {
      schema: {
        tags,
        summary: 'Sign up with email and password; the country of residence decides what can be bought',
        body: SignUp,
        response: { 201: Me, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      if (deps.rateLimit)
        await deps.limits.signUpsPerAddress.take(`sign-up-ip:${req.ip}`, {
          en: 'sign-ups from your network',
          ko: '사용 중인 네트워크의 가입 시도',
          ja: 'お使いのネットワークからの登録',
        });
      await deps.breached.assertNotBreached(req.body.password);
      const { me, headers } = await deps.accounts.signUp(req.body, 'player', deps.guards.ipCountry(req));
      for (const c of headers.getSetCookie()) reply.header('set-cookie', c);
      return reply.status(201).send(me);
    },
  );

  r.get('/api/me', { schema: { tags, summary: 'The signed-in account', response: { 200: Me, 401: ErrorBody } } }, async (req) => {
    const v = await deps.guards.requireUser(req);
    return deps.accounts.me(v.userId);
  });

  r.patch(
    '/api/me',
    {
      schema: {
        tags,
        summary: 'Change language or currency (the country of residence has its own rules)',
        body: Preferences,
        response: { 200: Me, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => {
      const v = await deps.guards.requireUser(req);
      return deps.accounts.updatePreferences(v.userId, req.body);
    },
  );

  r.get(
    '/api/auth-providers',
    {
      schema: {
        tags,
        summary: 'R7: the social and OpenID Connect sign-in providers of this deployment, those serving the visitor’s country first',
        querystring: Type.Object({ country: Type.Optional(CountryCode) }, { additionalProperties: false }),
        response: {
          200: Type.Array(ProviderView),
        },
      },
    },
    async (req) => deps.providers.list(req.query.country ?? (await deps.guards.shopper(req)).country),
  );

  r.put(
    '/api/me/residence',
    {
      schema: {
        tags,
        summary: 'R12: move your country of residence — once per RESIDENCE_CHANGE_DAYS, from a connection in the new country',
        body: Type.Object({ country: CountryCode }, { additionalProperties: false }),
        response: { 200: Me, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const v = await deps.guards.requireUser(req);
      return deps.accounts.changeResidence(v.userId, req.body.country, deps.guards.ipCountry(req));
    },
  );

  const TokenPair = Type.Object({
    accessToken: Type.String(),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds' }),
    refreshToken: Type.String(),
    refreshExpiresAt: Type.String({ format: 'date-time' }),
  });
  const Refresh = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
  r.post(
    '/api/tokens',
    {
      schema: {
        tags,
        summary:
          'D2: an access token (JWT, 15 min, verify with /api/auth/jwks) and a refresh token for API clients; needs a signed-in session',
        response: { 201: TokenPair, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      const v = await deps.guards.requireUser(req);
      if (v.viaToken) throw accountError(403, 'session_required');
      return reply.status(201).send(await deps.tokens.issue(v.userId, v.sessionId));
    },
  );
  r.post(
    '/api/tokens/refresh',
    {
      schema: {
        tags,
        summary: 'D2: trade a refresh token for a new pair (the old one is spent; presenting it again revokes the family)',
        body: Refresh,
        response: { 200: TokenPair, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => deps.tokens.refresh(req.body.refreshToken),
  );
  r.post(
    '/api/tokens/revoke',
    {
      schema: {
        tags,
        summary: 'D2: revoke a refresh token and every token refreshed from it',
        body: Refresh,
        response: { 204: Type.Null(), 400: ErrorBody },
      },
    },
    async (req, reply) => {
      await deps.tokens.revoke(req.body.refreshToken);
      return reply.status(204).send(null);
    },
  );

  // Better Auth's own endpoints (sign-in, sign-out, session, social callbacks) under /api/auth/*.
  app.route({
    method: ['GET', 'POST'],
    url: '/api/auth/*',
    schema: { hide: true },
    async handler(req, reply) {
      const url = new URL(req.url, deps.publicUrl);
      const body = req.method === 'POST' && req.body !== undefined ? JSON.stringify(req.body) : undefined;
      const account =
        url.pathname === '/api/auth/sign-in/email' ? String((req.body as { email?: unknown })?.email ?? '').toLowerCase() : '';
      if (deps.rateLimit && /^\/api\/auth\/(sign-in\/|two-factor\/verify-)/.test(url.pathname))
        await deps.limits.signInsPerAddress.take(`sign-in-ip:${req.ip}`, {
          en: 'sign-in attempts from your network',
          ko: '사용 중인 네트워크의 로그인 시도',
          ja: 'お使いのネットワークからのサインイン試行',
        });
      if (account && deps.rateLimit)
        await deps.limits.signInsPerAccount.take(`sign-in:${account}`, {
          en: 'sign-in attempts for this account',
          ko: '이 계정의 로그인 시도',
          ja: 'このアカウントへのサインイン試行',
        });
      // Second-factor codes: counted per pending sign-in (its two-factor cookie) or session, whatever address they come from.
      const codeStep = /^\/api\/auth\/two-factor\/verify-(totp|backup-code|otp)$/.exec(url.pathname)?.[1];
      const attempt = req.headers.cookie
        ? (TWO_FACTOR_COOKIE.exec(req.headers.cookie)?.[1] ?? SESSION_COOKIE.exec(req.headers.cookie)?.[1])
        : undefined;
      if (codeStep && attempt && deps.rateLimit)
        await deps.limits.codesPerSignIn.take(`2fa:${attempt}`, {
          en: 'codes for this sign-in',
          ko: '이번 로그인의 인증 코드 입력',
          ja: 'このサインインでのコード入力',
        });
      if (url.pathname === '/api/auth/request-password-reset' && deps.rateLimit) {
        await deps.limits.resetsPerAddress.take(`reset-ip:${req.ip}`, {
          en: 'password reset requests from your network',
          ko: '사용 중인 네트워크의 비밀번호 재설정 요청',
          ja: 'お使いのネットワークからのパスワード再設定の依頼',
        });
        const email = String((req.body as { email?: unknown })?.email ?? '').toLowerCase();
        if (email)
          await deps.limits.resetsPerAccount.take(`reset:${email}`, {
            en: 'password reset mails to this address',
            ko: '이 주소로 보내는 비밀번호 재설정 메일',
            ja: 'このアドレスへのパスワード再設定メール',
          });
      }
      const newPassword = (req.body as { newPassword?: unknown } | undefined)?.newPassword;
      if (
        typeof newPassword === 'string' &&
        (url.pathname === '/api/auth/change-password' || url.pathname === '/api/auth/reset-password')
      ) {
        await deps.breached.assertNotBreached(newPassword);
      }
      const headers = webHeaders(req);
      // Better Auth's own per-IP limits key on this header; it is ours (set from req.ip), never the client's.
      headers.set('x-store-client-ip', req.ip);
      let res = await deps.auth.handler(new Request(url, { method: req.method, headers, body }));
      if (account && deps.rateLimit && res.ok) await deps.limits.signInsPerAccount.reset(`sign-in:${account}`);
      if (codeStep === 'totp' && res.ok) {
        const done = (await res
          .clone()
          .json()
          .catch(() => ({}))) as { token?: string; user?: { id?: string } };
        const code = String((req.body as { code?: unknown } | undefined)?.code ?? '');
        if (done.user?.id && !(await deps.accounts.acceptTotpOnce(done.user.id, code, done.token))) {
          res = Response.json(
            {
              code: 'TOTP_CODE_ALREADY_USED',
              message: 'This code was already used to sign in. Wait for the next code from your authenticator app.',
            },
            { status: 401 },
          );
        }
      }
      reply.status(res.status);
      for (const c of res.headers.getSetCookie()) reply.header('set-cookie', c);
      // Better Auth's errors ({ code, message }) get the same envelope as every other API error.
      if (res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
        const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
        return reply.send({
          error: { code: (body.code ?? 'auth_error').toLowerCase(), message: body.message ?? 'Authentication failed.' },
        });
      }
      res.headers.forEach((value, key) => {
        if (key !== 'set-cookie' && key !== 'content-length') reply.header(key, value);
      });
      return reply.send(res.body ? Buffer.from(await res.arrayBuffer()) : null);
    },
  });
}
