import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, get } from '../api.ts';
import type { NotificationView } from '../../../src/notifications/schemas.ts';
import { useSession } from '../session.tsx';
import type { T } from '../i18n.ts';
import { chat } from '../chat.ts';

type Payload = {
  giftId?: string;
  from?: { name: string };
  by?: { name: string };
  to?: { name: string };
  game?: { title: string };
};

/** What a notification says, in the reader's language, and where it leads. */
export function describe(n: NotificationView, t: T): { text: string; to: string } {
  const p = n.payload as Payload;
  const fill = (s: string) => s.replace('{name}', p.from?.name ?? p.by?.name ?? p.to?.name ?? '').replace('{game}', p.game?.title ?? '');
  switch (n.kind) {
    case 'friend_request':
      return { text: fill(t('noteFriendRequest')), to: '/friends' };
    case 'friend_accepted':
      return { text: fill(t('noteFriendAccepted')), to: '/friends' };
    case 'gift_received':
      return { text: fill(t('noteGiftReceived')), to: `/gifts/${p.giftId}` };
    case 'gift_accepted':
      return { text: fill(t('noteGiftAccepted')), to: `/gifts/${p.giftId}` };
    case 'gift_declined':
      return { text: fill(t('noteGiftDeclined')), to: `/gifts/${p.giftId}` };
    case 'gift_expired':
      return { text: fill(t('noteGiftExpired')), to: `/gifts/${p.giftId}` };
    default:
      return { text: n.kind, to: '/' };
  }
}

/**
 * The bell in the header: unread count, the latest notifications, each marked read when opened. Polled every 30 s
 * (and when the tab comes back); pushed over the chat connection once that exists.
 */
export function NotificationBell() {
  const { t, locale } = useSession();
  const navigate = useNavigate();
  const [items, setItems] = useState<NotificationView[]>([]);
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const load = () => get<NotificationView[]>('/api/notifications').then(setItems, () => undefined);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 30_000);
    const onFocus = () => void load();
    window.addEventListener('focus', onFocus);
    // Pushed over the chat connection as they happen.
    const off = chat.on((f) => {
      if (f.type === 'notification') void load();
    });
    return () => {
      off();
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, []);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const unread = items.filter((n) => !n.read).length;
  const read = (n: NotificationView) =>
    n.read ? Promise.resolve() : api(`/api/notifications/${n.id}/read`, { method: 'POST' }).then(() => undefined);
  const openOne = async (n: NotificationView) => {
    await read(n).catch(() => undefined);
    setOpen(false);
    await load();
    void navigate(describe(n, t).to);
  };
  const readAll = async () => {
    await Promise.all(items.filter((n) => !n.read).map((n) => read(n).catch(() => undefined)));
    await load();
  };
  const when = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
  return (
    <div className="bell" ref={box}>
      <button
        type="button"
        className="bell-button"
        aria-label={`${t('notifications')}${unread ? ` (${unread})` : ''}`}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        data-testid="bell"
      >
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="currentColor">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
        </svg>
        {unread > 0 && (
          <span className="bell-count" data-testid="bell-count">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-panel" role="dialog" aria-label={t('notifications')} data-testid="bell-panel">
          <div className="bell-head">
            <strong>{t('notifications')}</strong>
            {unread > 0 && (
              <button type="button" className="button secondary small" onClick={() => void readAll()}>
                {t('markAllRead')}
              </button>
            )}
          </div>
          {items.length === 0 && <p className="muted">{t('noNotifications')}</p>}
          <ul>
            {items.slice(0, 20).map((n) => (
              <li key={n.id} className={n.read ? 'read' : 'unread'}>
                <button type="button" onClick={() => void openOne(n)} data-testid="notification">
                  <span>{describe(n, t).text}</span>
                  <span className="muted">{when(n.createdAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
