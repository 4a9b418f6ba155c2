import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startTestStore, type TestStore } from '../../test/harness.ts';

/** SIGNUP_COUNTRY_CHECK=block: a store that sells only where its players really are (R12). */
let t: TestStore;
// Addresses the bundled GeoLite2 country data places in these countries.
const from = (ip: string) => ({ 'x-forwarded-for': ip });
const US = '8.8.8.8';
beforeAll(async () => {
  t = await startTestStore({ env: { TRUST_PROXY: 'true', SIGNUP_COUNTRY_CHECK: 'block' } });
});
afterAll(() => t?.close());

describe('sign-up country check, strict (R12)', () => {
  it('R12 D2 a sign-up declaring another country than the connection’s is refused with a sentence; declaring the connection’s country works', async () => {
    const body = { email: 'declared@example.test', password: 'correct horse battery', name: 'Declared', language: 'en' };
    const refused = await new Client(t.url).post('/api/accounts', { ...body, country: 'KR' }, from(US));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('residence_not_where_you_are');
    expect(refused.body.error.message).toContain('United States');
    expect((await new Client(t.url).post('/api/accounts', { ...body, country: 'US' }, from(US))).status).toBe(201);
  });
});
