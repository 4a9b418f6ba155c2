import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Client, gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../../test/harness.ts';
import { kyselyFor } from '../platform/db/database.ts';
import { Transactions } from '../platform/db/tx.ts';
import { publish } from '../platform/events.ts';
import '../orders/events.ts';

let t: TestStore;
let op: Client;
const games: Record<string, string> = {};
type User = Awaited<ReturnType<typeof signUp>>;
const users: Record<string, User> = {};
const prices = [
  { country: '*', currency: 'USD', amountMinor: 2000 },
  { country: 'KR', currency: 'KRW', amountMinor: 30000 },
  { country: 'JP', currency: 'JPY', amountMinor: 3000 },
];
const newGame = (slug: string, status: 'draft' | 'published') =>
  gameInput({
    slug,
    status,
    title: { en: 'Crypt of Embers', ko: '엠버의 지하실', ja: 'エンバーの地下墓地' },
    genres: ['RPG'],
    tags: ['Roguelike', 'Dungeon Crawler'],
    developer: 'Ember Works',
    releaseDate: '2027-03-01',
    editions: [{ code: 'standard', name: { en: 'Standard' }, prices }],
    regions: { sale: { mode: 'only', countries: ['KR', 'JP', 'US'] }, play: { mode: 'everywhere', countries: [] } },
  });

async function owns(user: User, ...names: string[]) {
  const tx = new Transactions(t.store.pool);
  for (const name of names) {
    await tx.run((x) =>
      publish(
        x,
        'library.added',
        { userId: user.me.id, gameId: games[name]!, orderId: `seed-${randomBytes(4).toString('hex')}`, source: 'purchase' },
        t.clock.now(),
      ),
    );
  }
}

beforeAll(async () => {
  t = await startTestStore({ now: '2026-12-02T09:00:00Z', durable: true, env: { RELEASE_MAIL_BATCH: '2' } });
  op = await signInOperator(t);
  for (const [name, genre, tags] of [
    ['rogue1', 'RPG', ['Roguelike', 'Pixel Graphics']],
    ['rogue2', 'RPG', ['Roguelike', 'Dungeon Crawler']],
    ['ball', 'Sports', ['Football']],
  ] as const) {
    const r = await op.post(
      '/api/operator/games',
      gameInput({
        slug: `${name}-${randomBytes(3).toString('hex')}`,
        genres: [genre],
        tags: [...tags],
        editions: [{ code: 'standard', name: { en: 'S' }, prices }],
      }),
    );
    games[name] = r.body.id;
  }
  // Publishing those three started campaigns of their own; nobody had history then, so they mailed nobody.
  await t.store.events.caughtUp();
  await t.store.timers.drain();
  const who: [string, string, string][] = [
    ['fanKo', 'KR', 'ko'],
    ['fanJa', 'JP', 'ja'],
    ['fanEn', 'US', 'en'],
    ['fanVictim', 'US', 'en'],
    ['fanOptedOut', 'KR', 'en'],
    ['fanInGermany', 'DE', 'en'],
    ['sporty1', 'KR', 'en'],
    ['sporty2', 'US', 'en'],
  ];
  for (const [name, country, language] of who) users[name] = await signUp(t, { name, country, language });
  for (const name of ['fanKo', 'fanJa', 'fanEn', 'fanVictim', 'fanOptedOut', 'fanInGermany']) await owns(users[name]!, 'rogue1', 'rogue2');
  await owns(users.sporty1!, 'ball');
  await owns(users.sporty2!, 'ball');
  expect((await users.fanOptedOut!.client.put('/api/me/mail-preferences', { releaseMails: false })).body).toEqual({ releaseMails: false });
  await t.store.events.caughtUp();
}, 120_000);
afterAll(() => t?.close());

const releaseMails = () => t.mailbox.mails.filter((m) => /Crypt of Embers|엠버의 지하실|エンバーの地下墓地/.test(m.subject));

describe('the new-release mail (S1.2)', () => {
  it('S1.2 the operator sees the audience before publishing; publishing mails exactly the fans who can buy it, once each, even when a batch fails midway', async () => {
    const draft = await op.post('/api/operator/games', newGame(`crypt-${randomBytes(3).toString('hex')}`, 'draft'));
    expect(draft.status).toBe(201);
    const gameId: string = draft.body.id;
    const preview = await op.get(`/api/operator/games/${gameId}/release-audience`);
    expect(preview.body).toEqual({ scored: 8, wouldMail: 4 }); // not the sports fans, the opted-out fan or the one in Germany

    // A failure in the middle of a batch: the mail outbox refuses the victim's mail once (a real database error).
    const db = kyselyFor(t.store.pool);
    await sql`create sequence victim_attempts`.execute(db);
    await sql
      .raw(
        `
      create function fail_victim_once() returns trigger language plpgsql as $$
      begin
        if new.to_address = '${users.fanVictim!.email}' and nextval('victim_attempts') = 1 then
          raise exception 'simulated crash while mailing the victim';
        end if;
        return new;
      end $$`,
      )
      .execute(db);
    await sql`create trigger fail_victim_once before insert on mail_outbox for each row execute function fail_victim_once()`.execute(db);

    const published = await op.put(`/api/operator/games/${gameId}`, newGame(draft.body.slug, 'published'), {
      'if-match': `"v${draft.body.version}"`,
    });
    expect(published.status).toBe(200);
    await t.store.events.caughtUp();
    await t.store.timers.drain();
    const failed = await t.store.timers.pending('release-mail-send');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.last_error).toContain('simulated crash');
    t.clock.advance(5_000); // past the retry back-off
    await t.store.timers.drain();
    expect(await t.store.timers.pending('release-mail-send')).toEqual([]);

    const expected = ['fanKo', 'fanJa', 'fanEn', 'fanVictim'].map((n) => users[n]!.email).sort();
    await vi.waitFor(
      () =>
        expect(
          releaseMails()
            .map((m) => m.to)
            .sort(),
        ).toEqual(expected),
      { timeout: 10_000 },
    );
    // Localised, with the release date, the price in the player's currency and the reservation link.
    const ko = releaseMails().find((m) => m.to === users.fanKo!.email)!;
    expect(ko.subject).toBe('새 게임 소식: 엠버의 지하실');
    expect(ko.text).toContain('출시일: 2027년 3월 1일');
    expect(ko.text).toContain('₩30,000');
    const ja = releaseMails().find((m) => m.to === users.fanJa!.email)!;
    expect(ja.text).toMatch(/￥3,000|¥3,000/);
    const en = releaseMails().find((m) => m.to === users.fanEn!.email)!;
    expect(en.text).toContain('$20.00');
    expect(en.listUnsubscribePost).toBe('List-Unsubscribe=One-Click');

    // The link opens the pre-order page of the game (S1.3) and counts the click.
    const link = /Pre-order it: (\S+)/.exec(en.text)![1]!;
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/games/${draft.body.slug}?preorder=1`);
    const campaigns = (await op.get('/api/operator/release-mails')).body;
    expect(campaigns.find((c: { gameId: string }) => c.gameId === gameId)).toMatchObject({
      status: 'done',
      chosen: 4,
      sent: 4,
      clicked: 1,
    });

    // Unpublished and published again: no second campaign, no second mail.
    const hidden = await op.put(`/api/operator/games/${gameId}`, newGame(draft.body.slug, 'draft'), {
      'if-match': `"v${published.body.version}"`,
    });
    expect(hidden.status).toBe(200);
    const again = await op.put(`/api/operator/games/${gameId}`, newGame(draft.body.slug, 'published'), {
      'if-match': `"v${hidden.body.version}"`,
    });
    expect(again.status).toBe(200);
    await t.store.events.caughtUp();
    await t.store.timers.drain();
    expect(await t.store.timers.pending('release-mail')).toEqual([]);
    expect(releaseMails()).toHaveLength(4);
    expect((await op.get('/api/operator/release-mails')).body.filter((c: { gameId: string }) => c.gameId === gameId)).toHaveLength(1);
    await sql`drop trigger fail_victim_once on mail_outbox`.execute(db);
  });

  it('S1.2 one click on List-Unsubscribe stops the mails; a forged link does nothing; the weekly cap holds', async () => {
    const mail = releaseMails().find((m) => m.to === users.fanEn!.email)!;
    const url = /^<(.+)>$/.exec(mail.listUnsubscribe!)![1]!;
    const forged = url.replace(/.{4}$/, 'AAAA');
    expect(
      (
        await fetch(forged, {
          method: 'POST',
          body: 'List-Unsubscribe=One-Click',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(404);
    const page = await fetch(url);
    expect(await page.text()).toContain('Stop new-release mails?');
    expect((await users.fanEn!.client.get('/api/me/mail-preferences')).body).toEqual({ releaseMails: true }); // a GET changes nothing
    const oneClick = await fetch(url, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);
    expect((await users.fanEn!.client.get('/api/me/mail-preferences')).body).toEqual({ releaseMails: false });

    // Two more roguelikes the same week: fanEn opted out; the others get one more (the cap is 2 per week).
    const more: string[] = [];
    for (const n of [1, 2]) {
      const g = await op.post('/api/operator/games', {
        ...newGame(`crypt-${n}-${randomBytes(3).toString('hex')}`, 'published'),
        title: { en: `Crypt of Embers ${n + 1}` },
      });
      expect(g.status).toBe(201);
      more.push(g.body.id);
      await t.store.events.caughtUp();
      await t.store.timers.drain();
    }
    const count = (email: string) => releaseMails().filter((m) => m.to === email).length;
    await vi.waitFor(() => {
      expect(count(users.fanKo!.email)).toBe(2);
      expect(count(users.fanJa!.email)).toBe(2);
      expect(count(users.fanVictim!.email)).toBe(2);
    });
    expect(count(users.fanEn!.email)).toBe(1);
    // The third game reached nobody: every fan who still wants mails had two this week.
    const campaigns: { gameId: string }[] = (await op.get('/api/operator/release-mails')).body;
    const [second, third] = more.map((id) => campaigns.find((c) => c.gameId === id));
    expect(second).toMatchObject({ status: 'done', chosen: 3, sent: 3 });
    expect(third).toMatchObject({ status: 'done', chosen: 0, sent: 0 });
    expect(releaseMails()).toHaveLength(7);
  });
});
