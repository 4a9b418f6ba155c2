import { inject } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretOf, totp } from './totp.ts';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from './ports.ts';
import { loadConfig } from '../src/platform/config.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { createStore, type Store } from '../src/app.ts';
import type { GameInput } from '../src/catalog/schemas.ts';
import { createPaysim } from '../src/paysim/server.ts';
import type { SimState } from '../src/paysim/state.ts';
import { PaysimGateway } from '../src/payments/paysim-gateway.ts';
import { MailSink } from '../src/platform/mail/sink.ts';
import { systemClock } from '../src/platform/clock.ts';

export interface TestStore {
  url: string;
  store: Store;
  clock: ManualClock;
  databaseUrl: string;
  authSecret: string;
  /** paysim's own books (durable stores only). */
  paysim: SimState;
  /** Webhooks paysim has not finished delivering (late, duplicate and retried ones included). */
  webhooksInFlight(): number;
  paysimUrl: string;
  mailbox: MailSink;
  /**
   * Faults paysim injects into the store's next gateway calls (comma-separated), until cleared; with `only`, just
   * into the calls whose "METHOD path" it matches (say /cancel$/), counted in `hits`.
   */
  faults: Faults;
  close(): Promise<void>;
}

export interface Faults {
  next: string | undefined;
  only?: RegExp;
  hits: number;
}

/** Runs admin SQL against the test server's maintenance database. */
async function admin(sql: string) {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database on the run's PostgreSQL server; drop() removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/** A real store over HTTP on a random port, on a fresh database of the run's PostgreSQL, with a movable clock. */
export async function startTestStore(
  opts: {
    now?: string;
    env?: Record<string, string>;
    durable?: boolean;
    port?: number;
  } = {},
): Promise<TestStore> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'store-test-'));
  const clock = new ManualClock(opts.now ?? '2026-11-24T09:00:00Z');
  const port = opts.port ?? (await freePort());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: dataDir,
    DEMO_CATALOG: 'off',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PAYMENT_APPROVAL_TIMEOUT_SECONDS: '20',
    TIMER_POLL_MS: '50',
    AUTH_RATE_LIMIT: 'off',
    ...opts.env,
  });
  // paysim in this process but behind real HTTP, with its own state; the SMTP sink receives the mail.
  const simPort = await freePort();
  const sim = createPaysim({
    apiKey: 'test-key',
    webhookSecret: 'whsec_test',
    publicUrl: `http://127.0.0.1:${simPort}`,
    timeoutMs: 1500,
    lateWebhookMs: 500,
  });
  const paysimUrl = await sim.app.listen({ host: '127.0.0.1', port: simPort });
  const mailbox = new MailSink();
  const smtpPort = await mailbox.start();
  const faults: Faults = { next: undefined, hits: 0 };
  const gateway = new PaysimGateway({
    url: paysimUrl,
    apiKey: 'test-key',
    webhookSecret: 'whsec_test',
    clock: systemClock,
    timeoutMs: 1000,
    faults: (call) => {
      if (!faults.next || (faults.only && !faults.only.test(call))) return undefined;
      faults.hits++;
      return faults.next;
    },
  });
  // Exposed so that another node of this store (a child process) can share it: sessions, signed links and quotes.
  const authSecret = randomBytes(32).toString('hex');
  const store = await createStore({
    config,
    databaseUrl: database.url,
    clock,
    authSecret,
    gateway,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    mailbox,
    durable: opts.durable,
    retryPolicy: { intervalSeconds: 0.05, maxIntervalSeconds: 0.5 },
  });
  const address = await store.app.listen({ host: '127.0.0.1', port });
  return {
    url: address,
    store,
    clock,
    databaseUrl: database.url,
    authSecret,
    paysim: sim.state,
    webhooksInFlight: sim.webhooksInFlight,
    paysimUrl,
    mailbox,
    faults,
    async close() {
      await store.close();
      await sim.app.close();
      await mailbox.stop();
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** An HTTP client with its own cookie jar: one per simulated browser/user. */
export class Client {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      const value = v.join('=');
      if (!value || /max-age=0/i.test(c)) this.cookies.delete(k!.trim());
      else this.cookies.set(k!.trim(), value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }
}

let seq = 0;
export async function signUp(
  t: TestStore,
  fields: Partial<{ email: string; country: string; language: string; currency: string; name: string; timeZone: string }> = {},
) {
  const client = new Client(t.url);
  const email = fields.email ?? `player${++seq}-${randomBytes(3).toString('hex')}@example.test`;
  // Each test user signs up from its own documentation address (used only where TRUST_PROXY is on), so
  // per-IP sign-up limits do not mix unrelated users; the address has no country.
  const ip = { 'x-forwarded-for': `203.0.113.${(seq % 250) + 1}` };
  const res = await client.post(
    '/api/accounts',
    {
      email,
      password: 'correct horse battery',
      name: fields.name ?? 'Player',
      country: fields.country ?? 'US',
      language: fields.language ?? 'en',
      ...(fields.currency ? { currency: fields.currency } : {}),
      ...(fields.timeZone ? { timeZone: fields.timeZone } : {}),
    },
    ip,
  );
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { client, email, me: res.body };
}

/**
 * An operator signed in the way operators must be (R7): two-factor authentication turned on with an
 * authenticator (TOTP), then a fresh sign-in with password + code.
 */
export async function signInOperator(t: TestStore) {
  const email = `operator-${randomBytes(3).toString('hex')}@example.test`;
  const password = 'operator password 1';
  await t.store.accounts.ensureOperator(email, password, 'US');
  const setup = new Client(t.url);
  const first = await setup.post('/api/auth/sign-in/email', { email, password });
  if (first.status !== 200) throw new Error(`operator sign-in failed: ${first.status} ${JSON.stringify(first.body)}`);
  const enabled = await setup.post('/api/auth/two-factor/enable', { password });
  if (enabled.status !== 200) throw new Error(`enabling 2FA failed: ${enabled.status} ${JSON.stringify(enabled.body)}`);
  const secret = secretOf(enabled.body.totpURI);
  const verified = await setup.post('/api/auth/two-factor/verify-totp', { code: totp(secret) });
  if (verified.status !== 200) throw new Error(`2FA enrolment failed: ${verified.status} ${JSON.stringify(verified.body)}`);
  const client = new Client(t.url);
  const challenged = await client.post('/api/auth/sign-in/email', { email, password });
  if (!challenged.body?.twoFactorRedirect) throw new Error(`expected a 2FA challenge: ${JSON.stringify(challenged.body)}`);
  // A code signs in once: the enrolment used this step's, so the sign-in uses the next step's (accepted ±1 step).
  const done = await client.post('/api/auth/two-factor/verify-totp', { code: totp(secret, Date.now() + 30_000) });
  if (done.status !== 200) throw new Error(`operator 2FA sign-in failed: ${done.status} ${JSON.stringify(done.body)}`);
  return Object.assign(client, { email, password, totpSecret: secret, backupCodes: enabled.body.backupCodes as string[] });
}

/** A valid game document; tests override what they exercise. */
export function gameInput(overrides: Partial<GameInput> = {}): GameInput {
  const slug = overrides.slug ?? `game-${randomBytes(4).toString('hex')}`;
  return {
    slug,
    status: 'published',
    defaultLanguage: 'en',
    title: { en: 'Test Game' },
    summary: { en: 'A game for tests.' },
    description: { en: 'A longer description.' },
    genres: ['Action'],
    tags: ['Shooter'],
    developer: 'Test Dev',
    publisher: 'Test Pub',
    releaseDate: '2026-01-01',
    coverUrl: null,
    screenshots: [],
    editions: [{ code: 'standard', name: { en: 'Standard' }, prices: [{ country: '*', currency: 'USD', amountMinor: 1999 }] }],
    regions: { sale: { mode: 'everywhere', countries: [] }, play: { mode: 'everywhere', countries: [] } },
    ...overrides,
  };
}
