import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from './harness.ts';
import { operations, type Op, type Schema } from './openapi.ts';

/**
 * An OpenAPI-driven fuzzer (D2): every operation the store documents, called as a visitor, a player and an
 * operator with values generated from its own schemas and then broken — wrong types, missing and unknown fields,
 * huge and empty strings, NUL characters, odd Unicode, negative and enormous numbers, deep nesting, other users'
 * and unknown ids. The bar: no answer is a 5xx. A seeded generator makes a failure repeatable (FUZZ_SEED).
 */
let t: TestStore;
let ops: Op[];
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);

/** mulberry32: small, seeded, good enough to pick cases. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const ids: string[] = []; // real ids of other users' things, collected in beforeAll
const STRANGE_STRINGS = [
  '',
  ' ',
  'x'.repeat(5000),
  'nul\u0000byte',
  '../../etc/passwd',
  '%00',
  '\u202e\u0301\ud83d\ude00',
  "' or 1=1 --",
  '<script>alert(1)</script>',
  'NaN',
  '-1',
  '1e309',
  '00000000-0000-0000-0000-000000000000',
];
/** What an HTTP client can put in a header at all (visible ASCII). */
const HEADER_SAFE = STRANGE_STRINGS.filter((x) => /^[\x20-\x7e]*$/.test(x));
const STRANGE_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  2 ** 53,
  -(2 ** 31),
  1.5,
  [],
  {},
  [[[[[]]]]],
  { __proto__: { admin: true } },
  ...STRANGE_STRINGS,
];

/** A value that fits the schema (roughly): where the request is valid enough to go deep into the code. */
function valid(s: Schema | undefined, depth = 0): unknown {
  if (!s || depth > 6) return null;
  if (s.const !== undefined) return s.const;
  if (s.enum) return pick(s.enum);
  if (s.anyOf) return valid(pick(s.anyOf), depth + 1);
  const type = Array.isArray(s.type) ? pick(s.type) : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) if (s.required?.includes(k) || rnd() < 0.5) out[k] = valid(v, depth + 1);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.floor(rnd() * 3) }, () => valid(s.items, depth + 1));
    case 'integer':
      return Math.floor((s.minimum ?? 0) + rnd() * Math.min(1000, (s.maximum ?? 1000) - (s.minimum ?? 0)));
    case 'number':
      return rnd() * 100;
    case 'boolean':
      return rnd() < 0.5;
    case 'string':
      if (s.format === 'uuid') return ids.length && rnd() < 0.7 ? pick(ids) : crypto.randomUUID();
      if (s.format === 'date-time') return new Date(Date.UTC(2026, 10, 1 + Math.floor(rnd() * 60))).toISOString();
      if (s.format === 'date') return `2026-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-15`;
      return String(
        pick(['KR', 'US', 'en', 'ko', 'card', 'kakaopay', 'standard', 'dragon', 'USD', 'KRW', ...(ids.length ? [pick(ids)] : [])]),
      ).slice(0, s.maxLength ?? 100);
    default:
      return null;
  }
}

/** The valid value with one part broken. */
function broken(s: Schema | undefined): unknown {
  const v = valid(s);
  if (v && typeof v === 'object' && !Array.isArray(v) && rnd() < 0.8) {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(s?.properties ?? {});
    const r = rnd();
    if (r < 0.3 && keys.length) delete o[pick(keys)];
    else if (r < 0.5) o[`unknown_${Math.floor(rnd() * 100)}`] = pick(STRANGE_VALUES);
    else if (keys.length) o[pick(keys)] = pick(STRANGE_VALUES);
    return o;
  }
  return pick(STRANGE_VALUES);
}

beforeAll(async () => {
  t = await startTestStore({ now: '2026-11-24T09:00:00Z', durable: true });
  ops = await operations(t.url);
  // Other people's things, so ids in requests are sometimes real ones that belong to someone else.
  const op = await signInOperator(t);
  const g = await op.post(
    '/api/operator/games',
    gameInput({ editions: [{ code: 'standard', name: { en: 'S' }, prices: [{ country: '*', currency: 'USD', amountMinor: 1000 }] }] }),
  );
  ids.push(g.body.id, g.body.editions?.[0]?.id);
  const other = await signUp(t, { country: 'US' });
  ids.push(other.me.id);
  const order = await other.client.post(
    '/api/orders',
    { gameId: g.body.id, pointsToUse: 0, paymentMethod: 'card' },
    { 'idempotency-key': `fuzz-${randomBytes(6).toString('hex')}` },
  );
  ids.push(order.body.id);
  ids.splice(0, ids.length, ...ids.filter((x): x is string => typeof x === 'string'));
}, 120_000);
afterAll(() => t?.close());

describe('fuzzing every documented operation (D2)', () => {
  it('D2 R12 no request a visitor, a player or an operator can send gets a 5xx', async () => {
    const visitor = new Client(t.url);
    const player = (await signUp(t, { country: 'KR' })).client;
    const operator = await signInOperator(t);
    const who = [visitor, player, operator];
    const failures: string[] = [];
    let sent = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const { path, method: upper, op } of ops) {
        const method = upper.toLowerCase();
        const params = op.parameters ?? [];
        const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
          const p = params.find((x) => x.in === 'path' && x.name === name);
          const v = rnd() < 0.5 ? valid(p?.schema ?? { type: 'string', format: 'uuid' }) : pick(STRANGE_STRINGS);
          return encodeURIComponent(String(v));
        });
        const query = new URLSearchParams();
        for (const q of params.filter((x) => x.in === 'query'))
          if (rnd() < 0.7) query.set(q.name, String(rnd() < 0.6 ? valid(q.schema) : pick(STRANGE_STRINGS)));
        const headers: Record<string, string> = {};
        if (params.some((x) => x.in === 'header' && x.name === 'idempotency-key') || rnd() < 0.2)
          headers['idempotency-key'] = rnd() < 0.8 ? `fuzz-${randomBytes(6).toString('hex')}` : pick(HEADER_SAFE).slice(0, 200);
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const body =
          method === 'get' || method === 'delete'
            ? undefined
            : bodySchema
              ? rnd() < 0.4
                ? valid(bodySchema)
                : broken(bodySchema)
              : rnd() < 0.3
                ? pick(STRANGE_VALUES)
                : undefined;
        const c = pick(who);
        const full = `${url}${query.size ? `?${query}` : ''}`;
        let status: number;
        let text: string;
        try {
          const r = await c.request(method.toUpperCase(), full, body, headers);
          status = r.status;
          text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        } catch (err) {
          status = 599;
          text = String(err);
        }
        sent++;
        if (status >= 500)
          failures.push(
            `${method.toUpperCase()} ${full.slice(0, 200)} as ${c === visitor ? 'visitor' : c === player ? 'player' : 'operator'} body=${JSON.stringify(body)?.slice(0, 200)} → ${status} ${text.slice(0, 200)}`,
          );
      }
    }
    // Better Auth's own endpoints and the PG webhook are not in the OpenAPI document: called with the fields they
    // read, given strange values.
    const AUTH_FIELDS = [
      'email',
      'password',
      'provider',
      'idToken',
      'code',
      'currentPassword',
      'newPassword',
      'callbackURL',
      'token',
      'name',
    ];
    const extra: [string, string][] = [
      ['POST', '/api/auth/sign-in/email'],
      ['POST', '/api/auth/sign-in/social'],
      ['POST', '/api/auth/two-factor/verify-totp'],
      ['POST', '/api/auth/two-factor/verify-backup-code'],
      ['POST', '/api/auth/two-factor/enable'],
      ['POST', '/api/auth/change-password'],
      ['POST', '/api/auth/link-social'],
      ['POST', '/api/auth/sign-out'],
      ['POST', '/api/auth/revoke-sessions'],
      ['GET', '/api/auth/get-session'],
      ['GET', '/api/auth/token'],
      ['GET', '/api/auth/callback/newidp'],
      ['POST', '/api/payments/webhooks/paysim'],
    ];
    for (let round = 0; round < ROUNDS * 2; round++) {
      for (const [method, path] of extra) {
        const body =
          method === 'GET'
            ? undefined
            : rnd() < 0.7
              ? Object.fromEntries(
                  AUTH_FIELDS.filter(() => rnd() < 0.4).map((k) => [k, rnd() < 0.5 ? pick(STRANGE_VALUES) : valid({ type: 'string' })]),
                )
              : pick(STRANGE_VALUES);
        const c = pick(who);
        const query =
          method === 'GET' && rnd() < 0.5 ? `?${new URLSearchParams({ code: pick(HEADER_SAFE), state: pick(HEADER_SAFE) })}` : '';
        const r = await c.request(method, `${path}${query}`, body).catch((err: unknown) => ({ status: 599, body: String(err) }));
        sent++;
        if (r.status >= 500)
          failures.push(
            `${method} ${path}${query} body=${JSON.stringify(body)?.slice(0, 200)} → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`,
          );
      }
    }
    console.log(
      JSON.stringify({ fuzz: { seed: SEED, rounds: ROUNDS, requests: sent, operations: ops.length, serverErrors: failures.length } }),
    );
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
  }, 300_000);
});
