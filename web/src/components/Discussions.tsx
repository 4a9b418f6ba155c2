import { useEffect, useState, type FormEvent } from 'react';
import { api, get } from '../api.ts';
import type { PostView, ThreadView } from '../../../src/community/service.ts';
import { ErrorNote } from './Form.tsx';
import { useSession } from '../session.tsx';

/** A game's discussion board on its page (R14): threads, a thread's posts, a new thread, replies. */
export function Discussions({ gameId }: { gameId: string }) {
  const { t, me, locale } = useSession();
  const [threads, setThreads] = useState<ThreadView[]>();
  const [open, setOpen] = useState<{ thread: ThreadView; posts: PostView[] }>();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [reply, setReply] = useState('');
  const [error, setError] = useState<unknown>();
  const load = () => get<ThreadView[]>(`/api/games/${gameId}/discussions`).then(setThreads, setError);
  const show = (id: string) => get<{ thread: ThreadView; posts: PostView[] }>(`/api/discussions/${id}`).then(setOpen, setError);
  useEffect(() => {
    void load();
  }, [gameId]);
  const when = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  const start = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const { data } = await api<ThreadView>(`/api/games/${gameId}/discussions`, { method: 'POST', json: { title, body } });
      setTitle('');
      setBody('');
      await load();
      await show(data.id);
    } catch (err) {
      setError(err);
    }
  };
  const answer = async (e: FormEvent) => {
    e.preventDefault();
    if (!open) return;
    setError(undefined);
    try {
      await api(`/api/discussions/${open.thread.id}/posts`, { method: 'POST', json: { body: reply } });
      setReply('');
      await show(open.thread.id);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="discussions" data-testid="discussions">
      <h2>{t('discussions')}</h2>
      <ErrorNote error={error} />
      {open ? (
        <div data-testid="thread">
          <button type="button" className="button secondary small" onClick={() => setOpen(undefined)}>
            ← {t('allThreads')}
          </button>
          <h3>
            {open.thread.pinned && <span className="badge">{t('pinned')}</span>} {open.thread.title}
          </h3>
          {open.posts.map((p) => (
            <article key={p.id} className="post" data-testid="post">
              <div className="muted">
                {p.author.name} · {when(p.createdAt)}
              </div>
              <p>{p.body}</p>
            </article>
          ))}
          {open.thread.locked ? (
            <p className="muted">{t('threadLocked')}</p>
          ) : (
            me && (
              <form onSubmit={answer} className="reply-form">
                <textarea value={reply} onChange={(e) => setReply(e.target.value)} aria-label={t('reply')} maxLength={8000} required />
                <button type="submit" className="button small">
                  {t('reply')}
                </button>
              </form>
            )
          )}
        </div>
      ) : (
        <>
          {threads && threads.length === 0 && <p className="muted">{t('noThreads')}</p>}
          <ul className="threads">
            {threads?.map((th) => (
              <li key={th.id}>
                <button type="button" onClick={() => void show(th.id)} data-testid="thread-link">
                  {th.pinned && <span className="badge">{t('pinned')}</span>} {th.title}
                  <span className="muted">
                    {' '}
                    · {th.author.name} · {t('postsCount').replace('{n}', String(th.posts))} · {when(th.lastPostAt)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {me && (
            <form onSubmit={start} className="reply-form" data-testid="new-thread">
              <input
                value={title}
                onChange={(e) => setTitle(e.target.value)}
                aria-label={t('threadTitle')}
                placeholder={t('threadTitle')}
                maxLength={200}
                required
              />
              <textarea
                value={body}
                onChange={(e) => setBody(e.target.value)}
                aria-label={t('firstPost')}
                placeholder={t('firstPost')}
                maxLength={8000}
                required
              />
              <button type="submit" className="button small">
                {t('startThread')}
              </button>
            </form>
          )}
        </>
      )}
    </section>
  );
}
