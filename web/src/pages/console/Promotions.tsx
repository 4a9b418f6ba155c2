import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, get, type OperatorGameRow } from '../../api.ts';
import type { PricePreview, Promotion, PromotionInput } from '../../../../src/promotions/schemas.ts';
import type { RoomView } from '../../../../src/waiting-room/schemas.ts';
import { ErrorNote, Field } from '../../components/Form.tsx';
import { useSession } from '../../session.tsx';
import { countriesByName, countryName, formatMoney, toMinor } from '../../format.ts';
import { storeNow } from '../../clock.ts';
import { instantToZoned } from '../../../../src/platform/zoned-time.ts';
import { defaultCurrencyFor } from '../../../../src/platform/countries.ts';

type Kind = 'percent_off' | 'amount_off' | 'fixed_price';
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function describeEffect(p: Promotion, locale: string): string {
  const e = p.effect;
  switch (e.kind) {
    case 'percent_off':
      return `${e.percent}% off`;
    case 'amount_off':
      return Object.entries(e.amounts)
        .map(([currency, amountMinor]) => `${formatMoney({ amountMinor, currency }, locale)} off`)
        .join(' / ');
    case 'fixed_price':
      return Object.entries(e.prices)
        .map(([c, m]) => `${c} ${formatMoney(m, locale)}`)
        .join(' / ');
    case 'bundle':
      return `buy ${e.minItems} of ${e.games.length}: ${e.percent}% off each`;
  }
}

function describeTargets(p: Promotion, games: Map<string, string>): string {
  const t = p.targets;
  const parts = [
    t.games && `games: ${t.games.map((g) => games.get(g) ?? g.slice(0, 8)).join(', ')}`,
    t.genres && `genres: ${t.genres.join(', ')}`,
    t.tags && `tags: ${t.tags.join(', ')}`,
    t.developers && `developers: ${t.developers.join(', ')}`,
    t.publishers && `publishers: ${t.publishers.join(', ')}`,
    t.countries && `in ${t.countries.join(', ')}`,
    t.segment?.newAccountDays && `accounts ≤ ${t.segment.newAccountDays} days old`,
    t.segment?.ownersOf && 'owners of a game',
    t.segment?.minPoints && `≥ ${t.segment.minPoints} points`,
    t.preorderOnly && 'pre-orders only',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'every game';
}

/**
 * Console (R5): promotions as data — create, schedule in a time zone, pause, resume, end, and preview "what does
 * this game cost in this country, at this moment, for this user". Changes are live on every node within a second.
 */
export function ConsolePromotions() {
  const { locale } = useSession();
  const [rows, setRows] = useState<Promotion[]>();
  const [games, setGames] = useState<OperatorGameRow[]>([]);
  const [error, setError] = useState<unknown>();
  const load = () => get<Promotion[]>('/api/operator/promotions').then(setRows, setError);
  useEffect(() => {
    void load();
    get<OperatorGameRow[]>('/api/operator/games?pageSize=100').then(setGames, setError);
  }, []);
  const titles = new Map(games.map((g) => [g.id, g.title]));
  const act = async (id: string, action: 'pause' | 'resume' | 'end') => {
    setError(undefined);
    try {
      await api(`/api/operator/promotions/${id}/${action}`, { method: 'POST' });
      await load();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="console">
      <div className="console-head">
        <h1>Promotions</h1>
        <Link to="/console" className="button secondary">
          Games
        </Link>
      </div>
      <ErrorNote error={error} />
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Discount</th>
            <th>Applies to</th>
            <th>Schedule</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows?.map((p) => (
            <tr key={p.id} data-testid="promotion-row" data-name={p.name}>
              <td>
                {p.name}
                <div className="muted">
                  {p.stacking}
                  {p.priority ? ` · priority ${p.priority}` : ''}
                  {p.couponRequired ? ' · coupon' : ''}
                  {p.budget ? ` · ${p.used}/${p.budget} used` : ''}
                </div>
              </td>
              <td>{describeEffect(p, locale)}</td>
              <td>{describeTargets(p, titles)}</td>
              <td>
                {p.startsAt.replace('T', ' ')} → {p.endsAt ? p.endsAt.replace('T', ' ') : '…'}
                <div className="muted">{p.timeZone}</div>
              </td>
              <td>
                <span className={`status ${p.state}`} data-testid="promotion-state">
                  {p.state}
                </span>
              </td>
              <td className="actions">
                {p.status === 'active' && (
                  <button type="button" className="button secondary small" onClick={() => void act(p.id, 'pause')}>
                    Pause
                  </button>
                )}
                {p.status === 'paused' && (
                  <button type="button" className="button secondary small" onClick={() => void act(p.id, 'resume')}>
                    Resume
                  </button>
                )}
                {p.status !== 'ended' && (
                  <button type="button" className="button secondary small" onClick={() => void act(p.id, 'end')}>
                    End
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows && !rows.length && <p className="muted">No promotions yet.</p>}
      <div className="console-columns">
        <PromotionForm games={games} onSaved={() => void load()} />
        <PreviewForm games={games} />
      </div>
      <WaitingRooms games={games} />
    </div>
  );
}

type RoomRow = RoomView & { joined: number; used: number };

/** R6: put a launch or a sale behind a waiting room from an instant, letting visitors in at a rate. */
function WaitingRooms({ games }: { games: OperatorGameRow[] }) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [rows, setRows] = useState<RoomRow[]>();
  const [gameId, setGameId] = useState('');
  const [name, setName] = useState('Launch');
  const [timeZone, setTimeZone] = useState(zone);
  const [startsAt, setStartsAt] = useState(() => instantToZoned(storeNow(), zone));
  const [endsAt, setEndsAt] = useState('');
  const [rate, setRate] = useState('600');
  const [error, setError] = useState<unknown>();
  const titles = new Map(games.map((g) => [g.id, g.title]));
  const load = () => get<RoomRow[]>('/api/operator/waiting-rooms').then(setRows, setError);
  useEffect(() => {
    void load();
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('/api/operator/waiting-rooms', {
        method: 'POST',
        json: { gameId: gameId || games[0]?.id, name, timeZone, startsAt, ...(endsAt ? { endsAt } : {}), ratePerMinute: Number(rate) },
      });
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const end = async (id: string) => {
    try {
      await api(`/api/operator/waiting-rooms/${id}/end`, { method: 'POST' });
      await load();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="panel" data-testid="waiting-rooms">
      <h2>Waiting rooms</h2>
      <p className="muted">
        From its start, checkout of the game needs an admission. Who arrives before the start gets a random place at the start, later
        arrivals queue in order; visitors are let in at the rate you set.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Game</th>
            <th>Opens</th>
            <th>Rate</th>
            <th>Joined / bought</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows?.map((r) => (
            <tr key={r.id} data-testid="room-row">
              <td>
                {titles.get(r.gameId) ?? r.gameId.slice(0, 8)}
                <div className="muted">{r.name}</div>
              </td>
              <td>
                {r.startsAt.replace('T', ' ')}
                <div className="muted">{r.timeZone}</div>
              </td>
              <td>{r.ratePerMinute}/min</td>
              <td>
                {r.joined} / {r.used}
              </td>
              <td>
                <span className={`status ${r.state}`}>{r.state}</span>
              </td>
              <td>
                {r.state !== 'ended' && (
                  <button type="button" className="button secondary small" onClick={() => void end(r.id)}>
                    Close
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={submit} className="row" data-testid="room-form">
        <Field label="Game">
          <select value={gameId} onChange={(e) => setGameId(e.target.value)} aria-label="Room game">
            {games.map((g) => (
              <option key={g.id} value={g.id}>
                {g.title}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Name">
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} aria-label="Room name" />
        </Field>
        <Field label="Time zone">
          <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required aria-label="Room time zone" />
        </Field>
        <Field label="Opens">
          <input type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} required aria-label="Room opens" />
        </Field>
        <Field label="Closes">
          <input type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} aria-label="Room closes" />
        </Field>
        <Field label="Let in per minute">
          <input type="number" min={1} value={rate} onChange={(e) => setRate(e.target.value)} required aria-label="Rate per minute" />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" className="button">
          Open a waiting room
        </button>
      </form>
    </section>
  );
}

function PromotionForm({ games, onSaved }: { games: OperatorGameRow[]; onSaved: () => void }) {
  const { locale } = useSession();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [timeZone, setTimeZone] = useState(zone);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('percent_off');
  const [percent, setPercent] = useState('20');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [country, setCountry] = useState('US');
  const [gameIds, setGameIds] = useState<string[]>([]);
  const [genres, setGenres] = useState('');
  const [tags, setTags] = useState('');
  const [countries, setCountries] = useState('');
  const [stacking, setStacking] = useState<PromotionInput['stacking']>('best');
  const [startsAt, setStartsAt] = useState(() => instantToZoned(storeNow(), zone));
  const [endsAt, setEndsAt] = useState('');
  const [budget, setBudget] = useState('');
  const [codes, setCodes] = useState('');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setSaved('');
    const effect: PromotionInput['effect'] =
      kind === 'percent_off'
        ? { kind, percent: Number(percent) }
        : kind === 'amount_off'
          ? { kind, amounts: { [currency]: toMinor(amount, currency) } }
          : { kind, prices: { [country]: { amountMinor: toMinor(amount, currency), currency } } };
    const targets: PromotionInput['targets'] = {
      ...(gameIds.length ? { games: gameIds } : {}),
      ...(list(genres).length ? { genres: list(genres) } : {}),
      ...(list(tags).length ? { tags: list(tags) } : {}),
      ...(list(countries).length ? { countries: list(countries).map((c) => c.toUpperCase()) } : {}),
    };
    const input: PromotionInput = {
      name,
      effect,
      targets,
      stacking,
      timeZone,
      startsAt,
      ...(endsAt ? { endsAt } : {}),
      ...(budget ? { budget: Number(budget) } : {}),
      ...(list(codes).length ? { coupon: { codes: list(codes), maxUses: 1 } } : {}),
    };
    try {
      await api('/api/operator/promotions', { method: 'POST', json: input });
      setSaved(`“${name}” saved; it is live on every node within a second.`);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="panel" onSubmit={submit} data-testid="promotion-form">
      <h2>New promotion</h2>
      <Field label="Name">
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} />
      </Field>
      <Field label="Discount">
        <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} aria-label="Kind of discount">
          <option value="percent_off">Percent off</option>
          <option value="amount_off">Amount off</option>
          <option value="fixed_price">Fixed price in a country</option>
        </select>
      </Field>
      {kind === 'percent_off' ? (
        <Field label="Percent off">
          <input type="number" min={1} max={100} value={percent} onChange={(e) => setPercent(e.target.value)} required />
        </Field>
      ) : (
        <div className="row">
          {kind === 'fixed_price' && (
            <Field label="Country">
              <select
                value={country}
                onChange={(e) => {
                  setCountry(e.target.value);
                  setCurrency(defaultCurrencyFor(e.target.value));
                }}
              >
                {countriesByName(locale).map((c) => (
                  <option key={c} value={c}>
                    {countryName(c, locale)}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field label={kind === 'amount_off' ? 'Amount off' : 'Price'}>
            <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} required />
          </Field>
          <Field label="Currency">
            <input value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} maxLength={3} required />
          </Field>
        </div>
      )}
      <Field label="Games (none = any game the other targets match)">
        <select
          multiple
          value={gameIds}
          onChange={(e) => setGameIds([...e.target.selectedOptions].map((o) => o.value))}
          aria-label="Games"
          size={Math.min(6, Math.max(2, games.length))}
        >
          {games.map((g) => (
            <option key={g.id} value={g.id}>
              {g.title}
            </option>
          ))}
        </select>
      </Field>
      <div className="row">
        <Field label="Genres" hint="comma-separated">
          <input value={genres} onChange={(e) => setGenres(e.target.value)} />
        </Field>
        <Field label="Tags" hint="comma-separated">
          <input value={tags} onChange={(e) => setTags(e.target.value)} />
        </Field>
        <Field label="Countries" hint="e.g. KR, JP; empty = everywhere">
          <input value={countries} onChange={(e) => setCountries(e.target.value)} />
        </Field>
      </div>
      <Field label="Combines with others" hint="exclusive: alone · best: the best one for the buyer · priority: stacks">
        <select value={stacking} onChange={(e) => setStacking(e.target.value as PromotionInput['stacking'])}>
          <option value="best">Best for the customer</option>
          <option value="exclusive">Exclusive</option>
          <option value="priority">Stacks (by priority)</option>
        </select>
      </Field>
      <div className="row">
        <Field label="Time zone">
          <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required aria-label="Time zone" />
        </Field>
        <Field label="Starts">
          <input type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} required aria-label="Starts" />
        </Field>
        <Field label="Ends">
          <input type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} aria-label="Ends" />
        </Field>
      </div>
      <div className="row">
        <Field label="Budget" hint="first N purchases; empty = no limit">
          <input type="number" min={1} value={budget} onChange={(e) => setBudget(e.target.value)} />
        </Field>
        <Field label="Coupon codes" hint="single-use, comma-separated; empty = no coupon">
          <input value={codes} onChange={(e) => setCodes(e.target.value)} />
        </Field>
      </div>
      <ErrorNote error={error} />
      {saved && (
        <p className="ok" role="status">
          {saved}
        </p>
      )}
      <button type="submit" className="button">
        Save promotion
      </button>
    </form>
  );
}

function PreviewForm({ games }: { games: OperatorGameRow[] }) {
  const { locale } = useSession();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [gameId, setGameId] = useState('');
  const [country, setCountry] = useState('US');
  const [timeZone, setTimeZone] = useState(zone);
  const [at, setAt] = useState(() => instantToZoned(storeNow(), zone));
  const [userId, setUserId] = useState('');
  const [result, setResult] = useState<PricePreview>();
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const { data } = await api<PricePreview>('/api/operator/promotions/preview', {
        method: 'POST',
        json: { gameId: gameId || games[0]?.id, country, at, timeZone, ...(userId ? { userId } : {}) },
      });
      setResult(data);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="panel" onSubmit={submit} data-testid="preview-form">
      <h2>Preview a price</h2>
      <Field label="Game">
        <select value={gameId} onChange={(e) => setGameId(e.target.value)} aria-label="Preview game">
          {games.map((g) => (
            <option key={g.id} value={g.id}>
              {g.title}
            </option>
          ))}
        </select>
      </Field>
      <div className="row">
        <Field label="Country">
          <select value={country} onChange={(e) => setCountry(e.target.value)} aria-label="Preview country">
            {countriesByName(locale).map((c) => (
              <option key={c} value={c}>
                {countryName(c, locale)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="When">
          <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} required />
        </Field>
        <Field label="Time zone">
          <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />
        </Field>
      </div>
      <Field label="For a user (id, optional)" hint="segments such as new accounts or owners need one">
        <input value={userId} onChange={(e) => setUserId(e.target.value)} />
      </Field>
      <ErrorNote error={error} />
      <button type="submit" className="button secondary">
        Preview
      </button>
      {result && (
        <dl className="facts" data-testid="preview-result">
          <dt>List price</dt>
          <dd>{formatMoney(result.listPrice, locale)}</dd>
          {result.applied.map((a) => (
            <div key={a.id} className="preview-line">
              <dt>{a.name}</dt>
              <dd className="ok">−{formatMoney(a.off, locale)}</dd>
            </div>
          ))}
          <dt>Price</dt>
          <dd>
            <strong>{formatMoney(result.price, locale)}</strong> {result.percentOff ? `(−${result.percentOff}%)` : ''}
          </dd>
        </dl>
      )}
    </form>
  );
}
