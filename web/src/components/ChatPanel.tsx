import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, get } from '../api.ts';
import type { ConversationView, MessageView } from '../../../src/chat/schemas.ts';
import { chat, type ChatFrame } from '../chat.ts';
import { useSession } from '../session.tsx';
import { ErrorNote } from './Form.tsx';
import { splitLinks } from '../../../src/chat/links.ts';

type Friend = { id: string; name: string; state: 'online' | 'away' | 'offline'; playing: { gameId: string; title: string } | null };

/** R14: friends with their presence and a chat window, on every page for a signed-in player. */
export function ChatPanel() {
  const { t, me } = useSession();
  const [open, setOpen] = useState(false);
  const [friends, setFriends] = useState<Friend[]>([]);
  const [status, setStatus] = useState(chat.status);
  const [linked, setLinked] = useState(true);
  const [conversation, setConversation] = useState<ConversationView>();
  const [unread, setUnread] = useState(0);
  const [groups, setGroups] = useState<ConversationView[]>([]);
  const [creating, setCreating] = useState(false);
  const loadGroups = () =>
    get<ConversationView[]>('/api/chat/conversations').then(
      (list) => setGroups(list.filter((c) => c.kind === 'group')),
      () => undefined,
    );
  // What is on screen, for the listener (which outlives renders): a message in the open window is not unread.
  const showing = useRef<string | undefined>(undefined);
  showing.current = open ? conversation?.id : undefined;
  const load = () => get<Friend[]>('/api/chat/presence').then(setFriends, () => undefined);
  useEffect(() => {
    chat.start();
    void load();
    void loadGroups();
    const offStatus = chat.onStatus(setStatus);
    const off = chat.on((f: ChatFrame) => {
      if (f.type === 'status') setLinked(f.fanout === 'live');
      if (f.type === 'presence')
        setFriends((list) => list.map((x) => (x.id === f.userId ? { ...x, state: f.state, playing: f.playing } : x)));
      if (f.type === 'message' && f.message.senderId !== me?.id && showing.current !== f.message.conversationId) setUnread((n) => n + 1);
      if (f.type === 'conversation') void loadGroups();
    });
    return () => {
      off();
      offStatus();
      chat.stop();
    };
  }, [me?.id]);
  const talkTo = async (f: Friend) => {
    setConversation((await api<ConversationView>('/api/chat/direct', { method: 'POST', json: { userId: f.id } })).data);
    setUnread(0);
  };
  const order = { online: 0, away: 1, offline: 2 };
  return (
    <aside className={`chat-panel ${open ? 'open' : ''}`} data-testid="chat-panel">
      <button type="button" className="chat-toggle" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="chat-toggle">
        {t('friendsAndChat')}
        {unread > 0 && <span className="bell-count">{unread}</span>}
        {(status === 'reconnecting' || !linked) && <span className="muted"> · {t('reconnecting')}</span>}
      </button>
      {open && (
        <div className="chat-body">
          {conversation ? (
            <ChatWindow
              conversation={conversation}
              friends={friends}
              onChange={setConversation}
              onBack={() => {
                setConversation(undefined);
                void loadGroups();
              }}
            />
          ) : creating ? (
            <NewGroup
              friends={friends}
              onCancel={() => setCreating(false)}
              onCreated={(c) => {
                setCreating(false);
                setConversation(c);
                void loadGroups();
              }}
            />
          ) : (
            <>
              <ul className="chat-friends">
                {friends.length === 0 && <li className="muted">{t('noFriendsYet')}</li>}
                {[...friends]
                  .sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name))
                  .map((f) => (
                    <li key={f.id}>
                      <button
                        type="button"
                        onClick={() => void talkTo(f)}
                        data-testid="chat-friend"
                        data-state={f.state}
                        data-name={f.name}
                      >
                        <span className={`dot ${f.state}`} aria-hidden="true" />
                        <span>
                          {f.name}
                          <span className="muted">
                            {' · '}
                            {f.playing ? t('nowPlaying').replace('{game}', f.playing.title) : t(f.state)}
                          </span>
                        </span>
                      </button>
                    </li>
                  ))}
              </ul>
              <div className="chat-groups-head">
                <strong>{t('chatGroups')}</strong>
                {friends.length > 0 && (
                  <button type="button" className="button secondary small" onClick={() => setCreating(true)} data-testid="new-group">
                    {t('newGroup')}
                  </button>
                )}
              </div>
              <ul className="chat-friends">
                {groups.map((g) => (
                  <li key={g.id}>
                    <button type="button" onClick={() => setConversation(g)} data-testid="chat-group" data-name={g.name ?? ''}>
                      <span>
                        {g.name}
                        <span className="muted">
                          {' · '}
                          {g.members.length}
                        </span>
                      </span>
                      {g.unread > 0 && <span className="bell-count">{g.unread}</span>}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </aside>
  );
}

/** A new group: a name and the friends to invite; the creator owns it. */
function NewGroup({ friends, onCancel, onCreated }: { friends: Friend[]; onCancel: () => void; onCreated: (c: ConversationView) => void }) {
  const { t } = useSession();
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      onCreated((await api<ConversationView>('/api/chat/groups', { method: 'POST', json: { name: name.trim(), memberIds: picked } })).data);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="chat-new-group" onSubmit={submit} data-testid="new-group-form">
      <label>
        {t('groupName')}
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} />
      </label>
      <fieldset>
        <legend>{t('pickFriends')}</legend>
        {friends.map((f) => (
          <label key={f.id}>
            <input
              type="checkbox"
              checked={picked.includes(f.id)}
              onChange={(e) => setPicked((p) => (e.target.checked ? [...p, f.id] : p.filter((x) => x !== f.id)))}
            />{' '}
            {f.name}
          </label>
        ))}
      </fieldset>
      <ErrorNote error={error} />
      <div className="chat-group-actions">
        <button type="submit" className="button small">
          {t('createGroup')}
        </button>
        <button type="button" className="button secondary small" onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

/** A group's members: the owner adds friends and removes people; anyone leaves (an owner who leaves hands it on). */
function GroupMembers({
  conversation,
  friends,
  onChange,
  onLeft,
}: {
  conversation: ConversationView;
  friends: Friend[];
  onChange: (c: ConversationView) => void;
  onLeft: () => void;
}) {
  const { t, me } = useSession();
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<unknown>();
  const owner = conversation.ownerId === me?.id;
  const reload = async () => {
    const all = await get<ConversationView[]>('/api/chat/conversations');
    const now = all.find((c) => c.id === conversation.id);
    if (now) onChange(now);
  };
  const run = async (work: () => Promise<void>) => {
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError(err);
    }
  };
  const candidates = friends.filter((f) => !conversation.members.some((m) => m.id === f.id));
  const base = `/api/chat/conversations/${conversation.id}/members`;
  return (
    <div className="chat-members" data-testid="group-members">
      <ul>
        {conversation.members.map((m) => (
          <li key={m.id} data-testid="group-member" data-name={m.name}>
            {m.name}
            {m.id === conversation.ownerId && <span className="muted"> · {t('groupOwner')}</span>}
            {owner && m.id !== me?.id && (
              <button
                type="button"
                className="button secondary small"
                onClick={() => void run(async () => (await api(`${base}/${m.id}`, { method: 'DELETE' }), reload()))}
              >
                {t('removeFromGroup')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {owner && candidates.length > 0 && (
        <div className="chat-group-actions">
          <select value={adding} onChange={(e) => setAdding(e.target.value)} aria-label={t('addToGroup')} data-testid="group-add-select">
            <option value="" />
            {candidates.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button small"
            disabled={!adding}
            onClick={() =>
              void run(async () => {
                onChange((await api<ConversationView>(base, { method: 'POST', json: { userId: adding } })).data);
                setAdding('');
              })
            }
          >
            {t('addToGroup')}
          </button>
        </div>
      )}
      <button
        type="button"
        className="button secondary small"
        onClick={() => void run(async () => (await api(`${base}/${me!.id}`, { method: 'DELETE' }), onLeft()))}
        data-testid="leave-group"
      >
        {t('leaveGroup')}
      </button>
      <ErrorNote error={error} />
    </div>
  );
}

function ChatWindow({
  conversation,
  friends,
  onChange,
  onBack,
}: {
  conversation: ConversationView;
  friends: Friend[];
  onChange: (c: ConversationView) => void;
  onBack: () => void;
}) {
  const { t, me } = useSession();
  const [showMembers, setShowMembers] = useState(false);
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [text, setText] = useState('');
  const [typing, setTyping] = useState<string>();
  const [error, setError] = useState<unknown>();
  const end = useRef<HTMLDivElement>(null);
  const lastTyping = useRef(0);
  const add = (m: MessageView) =>
    setMessages((list) => (list.some((x) => x.id === m.id) ? list : [...list, m].sort((a, b) => a.seq - b.seq)));
  useEffect(() => {
    get<MessageView[]>(`/api/chat/conversations/${conversation.id}/messages?limit=50`).then(
      (page) => setMessages(page.reverse()),
      setError,
    );
    return chat.on((f) => {
      if ((f.type === 'message' || f.type === 'ack') && f.message.conversationId === conversation.id) add(f.message);
      if (f.type === 'typing' && f.conversationId === conversation.id) {
        setTyping(f.name);
        setTimeout(() => setTyping(undefined), 3000);
      }
      if (f.type === 'preview' && f.conversationId === conversation.id)
        setMessages((list) => list.map((m) => (m.id === f.messageId ? { ...m, preview: f.preview } : m)));
      if (f.type === 'error') setError(new Error(f.message));
    });
  }, [conversation.id]);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
    const last = messages.at(-1);
    if (last) chat.send({ type: 'read', conversationId: conversation.id, seq: last.seq });
  }, [messages.length]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setText('');
    setError(undefined);
    // Over the socket when it is live; over HTTP otherwise (the message is stored either way).
    if (!chat.send({ type: 'send', conversationId: conversation.id, body, ref: crypto.randomUUID() })) {
      try {
        add((await api<MessageView>(`/api/chat/conversations/${conversation.id}/messages`, { method: 'POST', json: { body } })).data);
      } catch (err) {
        setError(err);
      }
    }
  };
  const other = conversation.members.find((m) => m.id !== me?.id);
  return (
    <div className="chat-window" data-testid="chat-window">
      <div className="chat-head">
        <button type="button" className="button secondary small" onClick={onBack}>
          ←
        </button>
        <strong>{conversation.name ?? other?.name}</strong>
        {conversation.kind === 'group' && (
          <button
            type="button"
            className="button secondary small"
            aria-expanded={showMembers}
            onClick={() => setShowMembers(!showMembers)}
            data-testid="group-members-toggle"
          >
            {t('groupMembers')} ({conversation.members.length})
          </button>
        )}
      </div>
      {showMembers && <GroupMembers conversation={conversation} friends={friends} onChange={onChange} onLeft={onBack} />}
      <div className="chat-messages">
        {messages.map((m) => (
          <div key={m.id} className={m.senderId === me?.id ? 'mine' : 'theirs'} data-testid="chat-message">
            <Linked text={m.body} />
            {m.preview && (
              <a
                className="chat-preview"
                href={m.preview.url}
                target="_blank"
                rel="noopener noreferrer nofollow ugc"
                data-testid="chat-preview"
              >
                {m.preview.site && <small className="muted">{m.preview.site}</small>}
                <strong>{m.preview.title}</strong>
                {m.preview.description && <small>{m.preview.description}</small>}
              </a>
            )}
          </div>
        ))}
        {typing && <p className="muted">{t('isTyping').replace('{name}', typing)}</p>}
        <div ref={end} />
      </div>
      <ErrorNote error={error} />
      <form onSubmit={submit} className="chat-input">
        <input
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            // At most one "typing" every 3 seconds.
            if (Date.now() - lastTyping.current > 3000) {
              lastTyping.current = Date.now();
              chat.send({ type: 'typing', conversationId: conversation.id });
            }
          }}
          aria-label={t('writeMessage')}
          placeholder={t('writeMessage')}
          maxLength={4000}
          data-testid="chat-input"
        />
        <button type="submit" className="button small">
          {t('sendMessage')}
        </button>
      </form>
    </div>
  );
}

/**
 * A message's text with its http(s) links clickable — as text nodes and anchors React escapes, never as HTML; links
 * open in a new tab without the opener or a referrer, marked as user content for search engines.
 */
function Linked({ text }: { text: string }) {
  const parts = splitLinks(text);
  return (
    <p>
      {parts.map((part, i) =>
        i % 2 ? (
          <a key={i} href={part} target="_blank" rel="noopener noreferrer nofollow ugc">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </p>
  );
}
