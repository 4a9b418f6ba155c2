import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { here, loginFor } from '../next.ts';
import { useNavigate } from 'react-router';
import { api, get } from '../api.ts';
import { ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';

interface Person {
  id: string;
  name: string;
}
interface FriendsView {
  friends: Person[];
  incoming: Person[];
  outgoing: Person[];
}

/** S2.4, S2.6: the friend list, requests to answer, and "Add friend" by name or email. */
export function Friends() {
  const { me } = useSession();
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
    if (await act('/api/friends/requests', 'POST', { userId: p.id })) setSent(`Friend request sent to ${p.name}.`);
  };

  return (
    <div className="console friends">
      <div className="console-head">
        <h1>Friends</h1>
      </div>
      <ErrorNote error={error} />
      {sent && (
        <p className="ok" role="status">
          {sent}
        </p>
      )}
      {view && view.incoming.length > 0 && (
        <section>
          <h2>Friend requests</h2>
          {view.incoming.map((p) => (
            <div className="row person" key={p.id} data-testid="incoming">
              <span>{p.name}</span>
              <button onClick={() => act(`/api/friends/requests/${p.id}/accept`)}>Accept</button>
              <button className="button secondary" onClick={() => act(`/api/friends/requests/${p.id}/decline`)}>
                Decline
              </button>
            </div>
          ))}
        </section>
      )}
      <section>
        <h2>Your friends</h2>
        {view?.friends.length === 0 && <p className="muted">No friends yet. Add one below.</p>}
        {view?.friends.map((p) => (
          <div className="row person" key={p.id} data-testid="friend">
            <span>{p.name}</span>
            <button className="button secondary" onClick={() => act(`/api/friends/${p.id}`, 'DELETE')}>
              Remove
            </button>
            <button className="link danger" onClick={() => act(`/api/blocks/${p.id}`, 'PUT')}>
              Block
            </button>
          </div>
        ))}
        {view?.outgoing.map((p) => (
          <div className="row person muted" key={p.id}>
            <span>{p.name} — waiting for their answer</span>
            <button className="link" onClick={() => act(`/api/friends/${p.id}`, 'DELETE')}>
              Withdraw
            </button>
          </div>
        ))}
      </section>
      <section>
        <h2>Add friend</h2>
        <form className="row" onSubmit={search}>
          <input aria-label="Name or email" placeholder="Name or email" value={q} onChange={(e) => setQ(e.target.value)} />
          <button type="submit">Search</button>
        </form>
        {found?.length === 0 && <p className="muted">Nobody found.</p>}
        {found?.map((p) => (
          <div className="row person" key={p.id}>
            <span>{p.name}</span>
            <button onClick={() => add(p)}>Add friend</button>
          </div>
        ))}
      </section>
    </div>
  );
}
