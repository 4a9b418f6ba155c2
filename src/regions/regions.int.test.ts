import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { settle } from '../../test/checkout.ts';

let t: TestStore;
let op: Client;
const key = () => `region-${randomBytes(8).toString('hex')}`;
// Addresses the bundled GeoLite2 country data places in these countries.
const IP = { KR: '211.234.10.1', JP: '203.104.128.1', US: '8.8.8.8', DE: '81.169.145.1' };
const from = (country: keyof typeof IP) => ({ 'x-forwarded-for': IP[country] });

beforeAll(async () => {
  // Behind a proxy the client IP comes from X-Forwarded-For; the test plays that proxy.
  t = await startTestStore({ now: '2026-11-24T09:00:00Z', durable: true, env: { TRUST_PROXY: 'true', RESIDENCE_CHANGE_DAYS: '90' } });
  op = await signInOperator(t);
});
afterAll(() => t?.close());

async function createGame(regions: Record<string, unknown>, releaseDate = '2026-10-01') {
  const r = await op.post(
    '/api/operator/games',
    gameInput({
      releaseDate,
      regions: regions as never,
      editions: [
        {
          code: 'standard',
          name: { en: 'Standard' },
          prices: [
            { country: '*', currency: 'USD', amountMinor: 1500 },
            { country: 'KR', currency: 'KRW', amountMinor: 20000 },
          ],
        },
      ],
    }),
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; slug: string };
}

describe('region policy over HTTP (R12)', () => {
  it('R12 S1.4 a pre-order is refused by residence, and the refusal is in the operators’ audit log', async () => {
    const g = await createGame({ sale: { mode: 'only', countries: ['KR'] }, play: { mode: 'everywhere', countries: [] } }, '2027-03-01');
    const { client, me } = await signUp(t, { country: 'US' });
    // Connecting from Korea does not make a US resident a Korean buyer.
    const r = await client.post(
      '/api/orders',
      { gameId: g.id, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': key(), ...from('KR') },
    );
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('not_sold_in_country');
    const log = await op.get(`/api/operator/region-decisions?gameId=${g.id}`);
    expect(log.body).toEqual([
      expect.objectContaining({
        userId: me.id,
        action: 'buy',
        residence: 'US',
        ipCountry: 'KR',
        outcome: 'refused',
        reason: 'not_sold_in_country',
      }),
    ]);
    expect((await client.get('/api/operator/region-decisions')).status).toBe(403);
  });

  it('R12 buying from another country than the residence: warned by default, refused where the game says so', async () => {
    const warn = await createGame({ sale: { mode: 'everywhere', countries: [] }, play: { mode: 'everywhere', countries: [] } });
    const block = await createGame({
      sale: { mode: 'everywhere', countries: [] },
      play: { mode: 'everywhere', countries: [] },
      ipMismatch: 'block',
    });
    const { client, me } = await signUp(t, { country: 'KR' });
    const home = await client.get(`/api/checkout?gameId=${block.id}`, from('KR'));
    expect(home.status).toBe(200);
    expect(home.body.regionWarning).toBeUndefined();
    const abroad = await client.get(`/api/checkout?gameId=${warn.id}`, from('JP'));
    expect(abroad.status).toBe(200);
    expect(abroad.body.regionWarning).toContain('Japan');
    const placed = await client.post(
      '/api/orders',
      { gameId: warn.id, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': key(), ...from('JP') },
    );
    expect((await settle(client, placed.body.id)).status).toBe('paid');
    const refused = await client.post(
      '/api/orders',
      { gameId: block.id, pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': key(), ...from('JP') },
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ip_country_mismatch');
    const log = (await op.get(`/api/operator/region-decisions?userId=${me.id}`)).body;
    expect(log.map((d: { outcome: string; reason: string; gameId: string }) => [d.outcome, d.reason, d.gameId])).toEqual(
      expect.arrayContaining([
        ['refused', 'ip_country_mismatch', block.id],
        ['warned', 'ip_country_mismatch', warn.id],
      ]),
    );
    expect((await client.get('/api/region', from('JP'))).body).toEqual({ ipCountry: 'JP' });
    expect((await client.get('/api/region')).body).toEqual({ ipCountry: null }); // loopback: unknown
  });

  it('R12 S2.4 a gift is refused where the sender cannot buy it or the recipient may not play it, and audited', async () => {
    const g = await createGame({ sale: { mode: 'only', countries: ['KR', 'US'] }, play: { mode: 'except', countries: ['DE'] } });
    const sender = await signUp(t, { country: 'KR', name: 'Sender' });
    const german = await signUp(t, { country: 'DE', name: 'Lena' });
    const french = await signUp(t, { country: 'FR', name: 'Paul' });
    for (const friend of [german, french]) {
      await sender.client.post('/api/friends/requests', { userId: friend.me.id });
      await friend.client.post(`/api/friends/requests/${sender.me.id}/accept`);
    }
    const toDe = await sender.client.post(
      '/api/gifts',
      { gameId: g.id, recipientId: german.me.id, message: '', pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': key() },
    );
    expect(toDe.status).toBe(403);
    expect(toDe.body.error).toMatchObject({ code: 'not_playable_in_recipient_country', message: expect.stringContaining('Lena') });
    // A French resident may receive it (playable in France) though it is not sold there.
    const toFr = await sender.client.post(
      '/api/gifts',
      { gameId: g.id, recipientId: french.me.id, message: '', pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': key() },
    );
    expect(toFr.status).toBe(202);
    // The French friend cannot buy it as a gift for anyone: not sold where they live.
    const fromFr = await french.client.post(
      '/api/gifts',
      { gameId: g.id, recipientId: sender.me.id, message: '', pointsToUse: 0, paymentMethod: 'card' },
      { 'idempotency-key': key() },
    );
    expect(fromFr.body.error.code).toBe('not_sold_in_country');
    const log = (await op.get(`/api/operator/region-decisions?gameId=${g.id}`)).body.map(
      (d: { action: string; reason: string }) => `${d.action}:${d.reason}`,
    );
    expect(log).toEqual(expect.arrayContaining(['receive:not_playable_in_recipient_country', 'gift:not_sold_in_country']));
  });

  it('R12 an operator removes a country for legal reasons: owners there can no longer download; owners elsewhere and travellers are judged too', async () => {
    const g = await createGame({ sale: { mode: 'everywhere', countries: [] }, play: { mode: 'everywhere', countries: [] } });
    const kr = await signUp(t, { country: 'KR' });
    const us = await signUp(t, { country: 'US' });
    for (const u of [kr, us]) {
      const o = await u.client.post('/api/orders', { gameId: g.id, pointsToUse: 0, paymentMethod: 'card' }, { 'idempotency-key': key() });
      expect((await settle(u.client, o.body.id)).status).toBe('paid');
    }
    expect((await kr.client.post(`/api/library/${g.id}/download`)).status).toBe(200);

    // The operator takes Korea out of sale and play (a court order), effective at once.
    const current = await op.get(`/api/operator/games/${g.id}`);
    const edited = await op.put(
      `/api/operator/games/${g.id}`,
      {
        ...gameInput({ slug: current.body.slug, releaseDate: current.body.releaseDate, editions: current.body.editions }),
        regions: { sale: { mode: 'except', countries: ['KR'] }, play: { mode: 'except', countries: ['KR'] } },
      },
      { 'if-match': current.headers.get('etag')! },
    );
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);

    const blocked = await kr.client.post(`/api/library/${g.id}/download`);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('not_playable_in_country');
    expect((await kr.client.get('/api/library')).body).toEqual([expect.objectContaining({ gameId: g.id, downloadable: false })]);
    expect((await kr.client.get(`/api/checkout?gameId=${g.id}`)).body.error.code).toBe('not_sold_in_country');
    // A US owner still downloads at home, but not while connecting from Korea.
    expect((await us.client.post(`/api/library/${g.id}/download`, undefined, from('US'))).status).toBe(200);
    const travelling = await us.client.post(`/api/library/${g.id}/download`, undefined, from('KR'));
    expect(travelling.body.error.code).toBe('not_playable_here');
    const log = (await op.get(`/api/operator/region-decisions?gameId=${g.id}&action=download`)).body.map(
      (d: { reason: string }) => d.reason,
    );
    expect(log.sort()).toEqual(['not_playable_here', 'not_playable_in_country']);
  });

  it('R12 the country of residence changes only from a connection in the new country, and then not again for 90 days', async () => {
    const { client, me } = await signUp(t, { country: 'KR' });
    const noProof = await client.put('/api/me/residence', { country: 'JP' }, from('KR'));
    expect(noProof.status).toBe(403);
    expect(noProof.body.error.code).toBe('residence_proof_required');
    expect((await client.put('/api/me/residence', { country: 'KR' }, from('KR'))).body.error.code).toBe('same_residence');
    const moved = await client.put('/api/me/residence', { country: 'JP' }, from('JP'));
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ country: 'JP', currency: 'JPY' });
    t.clock.advance(30 * 86_400_000);
    const again = await client.put('/api/me/residence', { country: 'US' }, from('US'));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('residence_change_too_soon');
    t.clock.advance(61 * 86_400_000);
    expect((await client.put('/api/me/residence', { country: 'US' }, from('US'))).body.country).toBe('US');
    const log = (await op.get(`/api/operator/region-decisions?userId=${me.id}&action=change_residence`)).body.map(
      (d: { reason: string }) => d.reason,
    );
    expect(log.sort()).toEqual(['residence_change_too_soon', 'residence_proof_required', 'same_residence']);
    t.clock.set('2026-11-24T09:00:00Z');
  });

  it('R12 D2 a sign-up declaring another country than the connection’s is recorded as evidence for operators', async () => {
    const email = `declared-${randomBytes(3).toString('hex')}@example.test`;
    const r = await new Client(t.url).post(
      '/api/accounts',
      { email, password: 'correct horse battery', name: 'Declared', country: 'KR', language: 'en' },
      from('US'),
    );
    expect(r.status).toBe(201);
    const evidence = (await op.get('/api/operator/region-decisions?action=sign_up')).body as {
      userId: string;
      residence: string;
      ipCountry: string;
      outcome: string;
      reason: string;
    }[];
    expect(evidence.find((d) => d.userId === r.body.id)).toMatchObject({
      residence: 'KR',
      ipCountry: 'US',
      outcome: 'warned',
      reason: 'residence_differs_from_connection',
    });
    // Declared where the connection is: nothing to record.
    const same = await new Client(t.url).post(
      '/api/accounts',
      { email: `same-${email}`, password: 'correct horse battery', name: 'Same', country: 'US', language: 'en' },
      from('US'),
    );
    expect(
      (await op.get('/api/operator/region-decisions?action=sign_up')).body.find((d: { userId: string }) => d.userId === same.body.id),
    ).toBeUndefined();
  });
});
