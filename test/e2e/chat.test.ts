import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { gameInput, signInOperator, signUp, startTestStore, type TestStore } from '../harness.ts';
import { launchChromium, signedIn } from '../browser.ts';

let t: TestStore;
let browser: Browser;
const shots = 'test-results/screenshots';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  t = await startTestStore({ now: '2026-12-02T09:00:00Z', durable: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('discussion board in Chromium (R14)', () => {
  it('R14 a player starts a discussion on a game page; another replies; both see the thread', async () => {
    const op = await signInOperator(t);
    await op.post('/api/operator/games', gameInput({ slug: 'board-game', title: { en: 'Board Game' }, releaseDate: '2026-10-01' }));
    const mia = await signUp(t, { name: 'Mia' });
    const leo = await signUp(t, { name: 'Leo' });
    const m = await signedIn(browser, t.url, mia.client);
    await m.page.goto(`${t.url}/games/board-game`);
    await m.page.waitForSelector('[data-testid=new-thread]');
    await m.page.fill('[data-testid=new-thread] input', 'Co-op tips');
    await m.page.fill('[data-testid=new-thread] textarea', 'Share your best co-op strategies here.');
    await m.page.click('[data-testid=new-thread] button[type=submit]');
    await m.page.waitForSelector('[data-testid=thread] [data-testid=post]');
    const l = await signedIn(browser, t.url, leo.client);
    await l.page.goto(`${t.url}/games/board-game`);
    await l.page.click('[data-testid=thread-link]:has-text("Co-op tips")');
    await l.page.fill('[data-testid=thread] textarea', 'Always share the healing potions.');
    await l.page.click('[data-testid=thread] button[type=submit]');
    await l.page.waitForSelector('[data-testid=post]:has-text("healing potions")');
    expect(await l.page.locator('[data-testid=post]').count()).toBe(2);
    await l.page.screenshot({ path: `${shots}/discussion.png`, fullPage: true });
    await m.ctx.close();
    await l.ctx.close();
  });
});

describe('chat moderation console in Chromium (R14)', () => {
  it('R14 an operator reads a reported message as written, mutes its writer for a day from the list, sees the mute, lifts it; the writer is refused, then may write again', async () => {
    const [rude, reader] = await Promise.all([signUp(t, { name: 'Rude' }), signUp(t, { name: 'Reader' })]);
    expect((await rude.client.post('/api/friends/requests', { userId: reader.me.id })).status).toBe(201);
    expect((await reader.client.post(`/api/friends/requests/${rude.me.id}/accept`)).status).toBe(204);
    const conv = (await rude.client.post('/api/chat/direct', { userId: reader.me.id })).body;
    const say = (body: string) => rude.client.post(`/api/chat/conversations/${conv.id}/messages`, { body });
    const bad = await say('you play like a potato, uninstall');
    expect((await reader.client.post(`/api/chat/messages/${bad.body.id}/report`, { reason: 'insulting' })).status).toBe(200);

    const op = await signInOperator(t);
    const o = await signedIn(browser, t.url, op);
    await o.page.goto(`${t.url}/console`);
    await o.page.click('[data-testid=chat-reports-link]');
    const row = o.page.locator('[data-testid=chat-report]', { hasText: 'potato' });
    await row.waitFor();
    expect(await row.textContent()).toContain('insulting');
    await row.locator('button:has-text("Mute 1 day")').click();
    await o.page.locator('[data-testid=chat-mute]', { hasText: 'Rude' }).waitFor();
    await o.page.locator('[data-testid=chat-report]', { hasText: 'potato' }).waitFor({ state: 'detached' });
    await o.page.screenshot({ path: `${shots}/console-chat.png`, fullPage: true });
    const refused = await say('sorry');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'muted']);

    await o.page.locator('[data-testid=chat-mute]', { hasText: 'Rude' }).locator('button:has-text("Lift")').click();
    await o.page.locator('[data-testid=chat-mute]', { hasText: 'Rude' }).waitFor({ state: 'detached' });
    expect((await say('sorry')).status).toBe(201);
    await o.ctx.close();
  });
});

describe('chat in Chromium (R14)', () => {
  it('R14 two friends in two browsers: each sees the other online, they chat, and when one leaves the other sees them go offline', async () => {
    const hana = await signUp(t, { name: 'Hana', country: 'KR', language: 'ko' });
    const sora = await signUp(t, { name: 'Sora', country: 'JP', language: 'en' });
    expect((await hana.client.post('/api/friends/requests', { userId: sora.me.id })).status).toBe(201);
    expect((await sora.client.post(`/api/friends/requests/${hana.me.id}/accept`)).status).toBe(204);

    const h = await signedIn(browser, t.url, hana.client, 'ko-KR');
    const s = await signedIn(browser, t.url, sora.client);
    await s.page.goto(`${t.url}/`);
    await s.page.waitForSelector('[data-testid=chat-toggle]');
    await h.page.goto(`${t.url}/`);
    await h.page.click('[data-testid=chat-toggle]');
    // Sora is online (her page is open).
    await h.page.waitForSelector('[data-testid=chat-friend][data-name=Sora][data-state=online]');
    await h.page.click('[data-testid=chat-friend][data-name=Sora]');
    await h.page.fill('[data-testid=chat-input]', 'こんにちは! 같이 할래?');
    await h.page.press('[data-testid=chat-input]', 'Enter');
    await h.page.waitForSelector('[data-testid=chat-message]:has-text("같이 할래?")');

    // Sora sees it arrive: the unread count, then the message in the window.
    await s.page.waitForSelector('[data-testid=chat-toggle] .bell-count');
    await s.page.click('[data-testid=chat-toggle]');
    await s.page.click('[data-testid=chat-friend][data-name=Hana]');
    await s.page.waitForSelector('[data-testid=chat-message]:has-text("같이 할래?")');
    await s.page.fill('[data-testid=chat-input]', 'Sure, in 5 minutes');
    await s.page.press('[data-testid=chat-input]', 'Enter');
    await h.page.waitForSelector('[data-testid=chat-message]:has-text("Sure, in 5 minutes")');
    // A link to a game: clickable, and previewed from the catalogue under the message.
    const op = await signInOperator(t);
    await op.post('/api/operator/games', gameInput({ slug: 'linked-game', title: { en: 'Linked Game' }, releaseDate: '2026-10-01' }));
    await s.page.fill('[data-testid=chat-input]', `This one? ${t.url}/games/linked-game`);
    await s.page.press('[data-testid=chat-input]', 'Enter');
    await h.page.waitForSelector('[data-testid=chat-preview]:has-text("Linked Game")');
    expect(await h.page.getAttribute(`[data-testid=chat-message] p a[href="${t.url}/games/linked-game"]`, 'rel')).toBe(
      'noopener noreferrer nofollow ugc',
    );
    await h.page.screenshot({ path: `${shots}/chat-ko.png` });

    // Sora closes the store: Hana sees her offline.
    await s.ctx.close();
    await h.page.click('[data-testid=chat-window] button:text("←")');
    await h.page.waitForSelector('[data-testid=chat-friend][data-name=Sora][data-state=offline]');
    await h.ctx.close();
  });
});

describe('group chat management in Chromium (R14)', () => {
  it('R14 a player creates a group with a friend from the chat panel, adds another, removes the first (who can no longer read it) and leaves, handing it on', async () => {
    const [ana, ben, cy] = await Promise.all(['Ana', 'Ben', 'Cy'].map((name) => signUp(t, { name })));
    for (const other of [ben!, cy!]) {
      expect((await ana!.client.post('/api/friends/requests', { userId: other.me.id })).status).toBe(201);
      expect((await other.client.post(`/api/friends/requests/${ana!.me.id}/accept`)).status).toBe(204);
    }
    const a = await signedIn(browser, t.url, ana!.client);
    await a.page.goto(`${t.url}/`);
    await a.page.click('[data-testid=chat-toggle]');
    await a.page.click('[data-testid=new-group]');
    await a.page.fill('[data-testid=new-group-form] input[maxlength="80"]', 'Raid night');
    await a.page.locator('[data-testid=new-group-form] label', { hasText: 'Ben' }).locator('input').check();
    await a.page.click('[data-testid=new-group-form] button[type=submit]');
    await a.page.fill('[data-testid=chat-input]', 'Tonight at 9?');
    await a.page.press('[data-testid=chat-input]', 'Enter');
    await a.page.waitForSelector('[data-testid=chat-message]:has-text("Tonight at 9?")');
    const group = ((await ben!.client.get('/api/chat/conversations')).body as { id: string; name: string }[]).find(
      (c) => c.name === 'Raid night',
    )!;
    expect(group).toBeDefined();

    await a.page.click('[data-testid=group-members-toggle]');
    await a.page.selectOption('[data-testid=group-add-select]', { label: 'Cy' });
    await a.page.click('[data-testid=group-members] button:has-text("Add")');
    await a.page.waitForSelector('[data-testid=group-member][data-name=Cy]');
    await a.page.click('[data-testid=group-member][data-name=Ben] button');
    await a.page.locator('[data-testid=group-member][data-name=Ben]').waitFor({ state: 'detached' });
    expect((await ben!.client.get(`/api/chat/conversations/${group.id}/messages`)).status).toBe(404);
    const cySees = (await cy!.client.get(`/api/chat/conversations/${group.id}/messages`)).body as { body: string }[];
    expect(cySees.map((m) => m.body)).toEqual(['Tonight at 9?']);
    await a.page.screenshot({ path: `${shots}/chat-group.png` });

    await a.page.click('[data-testid=leave-group]');
    await a.page.waitForSelector('[data-testid=chat-friend]');
    const left = ((await cy!.client.get('/api/chat/conversations')).body as { id: string; ownerId: string; members: unknown[] }[]).find(
      (c) => c.id === group.id,
    )!;
    expect([left.ownerId, left.members.length]).toEqual([cy!.me.id, 1]);
    expect(await a.page.locator('[data-testid=chat-group][data-name="Raid night"]').count()).toBe(0);
    await a.ctx.close();
  });
});
