import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { here, loginFor } from '../next.ts';
import { Link, useNavigate } from 'react-router';
import { api, get } from '../api.ts';
import { ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';

import type { FriendsView, Person } from '../../../src/friends/schemas.ts';
import type { FeedItem } from '../../../src/feed/schemas.ts';

/** S2.4, S2.6: the friend list, requests to answer, and "Add friend" by name or email. */
export function Friends() {
  const { me, t } = useSession();
  const navigate = useNavigate();
  const [view, setView] = useState<FriendsView>();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Person[]>();
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<string>();
  const load = useCallback(() => get<FriendsView>('/api/friends').then(setView, setError), []);
  useEffect(() => {
    if (me === null) void navigate(loginFor(here()));
    if (me) void load();
  }, [me, navigate, load]);

  const act = async (path: string, method = 'POST', json?: unknown) => {
    setError(undefined);
    try {
      await api(path, { method, ...(json ? { json } : {}) });
      await load();
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };
  const search = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    get<Person[]>(`/api/users?q=${encodeURIComponent(q)}`).then(setFound, setError);
  };
  const add = async (p: Person) => {
    if (await act('/api/friends/requests', 'POST', { userId: p.id })) setSent(t('friendRequestSent', { name: p.name }));
  };

  return (
    <div className="console friends">
      <div className="console-head">
        <h1>{t('friendsTitle')}</h1>
      </div>
      <ErrorNote error={error} />
      {sent && (
        <p className="ok" role="status">
          {sent}
        </p>
      )}
      {view && view.incoming.length > 0 && (
        <section>
          <h2>{t('friendRequests')}</h2>
          {view.incoming.map((p) => (
            <div className="row person" key={p.id} data-testid="incoming">
              <span>{p.name}</span>
              <button onClick={() => act(`/api/friends/requests/${p.id}/accept`)}>{t('accept')}</button>
              <button className="button secondary" onClick={() => act(`/api/friends/requests/${p.id}/decline`)}>
                {t('decline')}
              </button>
            </div>
          ))}
        </section>
      )}
      <section>
        <h2>{t('yourFriends')}</h2>
        {view?.friends.length === 0 && <p className="muted">{t('noFriendsAddBelow')}</p>}
        {view?.friends.map((p) => (
          <div className="row person" key={p.id} data-testid="friend">
            <span>{p.name}</span>
            <button className="button secondary" onClick={() => act(`/api/friends/${p.id}`, 'DELETE')}>
              {t('removeFriend')}
            </button>
            <button className="link danger" onClick={() => act(`/api/blocks/${p.id}`, 'PUT')}>
              {t('block')}
            </button>
          </div>
        ))}
        {view?.outgoing.map((p) => (
          <div className="row person muted" key={p.id}>
            <span>{t('waitingAnswer', { name: p.name })}</span>
            <button className="link" onClick={() => act(`/api/friends/${p.id}`, 'DELETE')}>
              {t('withdraw')}
            </button>
          </div>
        ))}
      </section>
      <section>
        <h2>{t('addFriend')}</h2>
        <form className="row" onSubmit={search}>
          <input aria-label={t('nameOrEmail')} placeholder={t('nameOrEmail')} value={q} onChange={(e) => setQ(e.target.value)} />
          <button type="submit">{t('searchButton')}</button>
        </form>
        {found?.length === 0 && <p className="muted">{t('nobodyFound')}</p>}
        {found?.map((p) => (
          <div className="row person" key={p.id}>
            <span>{p.name}</span>
            <button onClick={() => add(p)}>{t('addFriend')}</button>
          </div>
        ))}
      </section>
      {me && <Activity />}
    </div>
  );
}

/** What the item says, in the reader's language. */
function said(i: FeedItem, t: ReturnType<typeof useSession>['t']): string {
  const key =
    i.kind === 'purchase'
      ? i.detail.preorder
        ? 'feedPreordered'
        : 'feedBought'
      : i.kind === 'gift'
        ? 'feedGift'
        : i.kind === 'review'
          ? i.detail.recommended
            ? 'feedRecommends'
            : 'feedNotRecommends'
          : 'feedPosted';
  return t(key).replace('{name}', i.actor.name).replace('{game}', i.game.title);
}

/**
 * R14: friends' activity (what they bought, reviewed, posted and let friends see); R11: your own, where you choose
 * who sees each item, and share the ones open to everyone on a social network in one click.
 */
function Activity() {
  const { t, locale } = useSession();
  const [feed, setFeed] = useState<FeedItem[]>();
  const [mine, setMine] = useState<FeedItem[]>();
  const [error, setError] = useState<unknown>();
  const [copied, setCopied] = useState<string>();
  const load = useCallback(() => {
    get<FeedItem[]>('/api/feed').then(setFeed, setError);
    get<FeedItem[]>('/api/feed/mine').then(setMine, setError);
  }, []);
  useEffect(load, [load]);
  const when = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
  const setVisibility = async (i: FeedItem, visibility: FeedItem['visibility']) => {
    setError(undefined);
    try {
      await api(`/api/feed/items/${i.id}/visibility`, { method: 'PUT', json: { visibility } });
      load();
    } catch (err) {
      setError(err);
    }
  };
  const share = async (i: FeedItem) => {
    if (!i.shareUrl) return;
    const text = said(i, t);
    if (typeof navigator.share === 'function') {
      await navigator.share({ title: text, text, url: i.shareUrl }).catch(() => undefined);
      return;
    }
    await navigator.clipboard?.writeText(i.shareUrl).catch(() => undefined);
    setCopied(i.id);
  };
  const intents = (i: FeedItem) => {
    const url = encodeURIComponent(i.shareUrl ?? '');
    const text = encodeURIComponent(said(i, t));
    return [
      ['X', `https://twitter.com/intent/tweet?text=${text}&url=${url}`],
      ['Facebook', `https://www.facebook.com/sharer/sharer.php?u=${url}`],
      ['LINE', `https://social-plugins.line.me/lineit/share?url=${url}`],
    ] as const;
  };
  return (
    <>
      <section data-testid="friends-activity">
        <h2>{t('friendsActivity')}</h2>
        <ErrorNote error={error} />
        {feed?.length === 0 && <p className="muted">{t('feedEmpty')}</p>}
        <ul className="plain feed">
          {feed?.map((i) => (
            <li key={i.id} data-testid="feed-item" data-kind={i.kind}>
              <Link to={`/games/${i.game.slug}`}>{said(i, t)}</Link> <span className="muted">{when(i.occurredAt)}</span>
            </li>
          ))}
        </ul>
      </section>
      <section data-testid="my-activity">
        <h2>{t('yourActivity')}</h2>
        {mine?.length === 0 && <p className="muted">{t('feedMineEmpty')}</p>}
        <ul className="plain feed">
          {mine?.map((i) => (
            <li key={i.id} data-testid="my-item" data-visibility={i.visibility} className="row">
              <span>
                {said(i, t)} <span className="muted">{when(i.occurredAt)}</span>
              </span>
              <label>
                <span className="sr-only">{t('whoSees')}</span>
                <select
                  name="visibility"
                  value={i.visibility}
                  onChange={(e) => void setVisibility(i, e.target.value as FeedItem['visibility'])}
                >
                  <option value="everyone">{t('seenByEveryone')}</option>
                  <option value="friends">{t('seenByFriends')}</option>
                  <option value="private">{t('seenByMe')}</option>
                </select>
              </label>
              {i.shareUrl && (
                <span className="share" data-testid="share">
                  <button type="button" className="button secondary small" onClick={() => void share(i)}>
                    {copied === i.id ? t('linkCopied') : t('share')}
                  </button>
                  {intents(i).map(([name, href]) => (
                    <a key={name} href={href} target="_blank" rel="noopener noreferrer">
                      {name}
                    </a>
                  ))}
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
