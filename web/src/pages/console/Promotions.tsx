import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, get, type OperatorGameRow } from '../../api.ts';
import type { PricePreview, Promotion, PromotionDetail, PromotionInput } from '../../../../src/promotions/schemas.ts';
import type { RoomView } from '../../../../src/waiting-room/schemas.ts';
import { ErrorNote, Field } from '../../components/Form.tsx';
import { useSession } from '../../session.tsx';
import { countriesByName, countryName, formatMoney, toMinor } from '../../format.ts';
import { storeNow } from '../../clock.ts';
import { instantToZoned } from '../../../../src/platform/zoned-time.ts';
import { defaultCurrencyFor } from '../../../../src/platform/countries.ts';

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
  const [editing, setEditing] = useState<Editing>();
  const load = () => get<Promotion[]>('/api/operator/promotions').then(setRows, setError);
  useEffect(() => {
    void load();
    get<OperatorGameRow[]>('/api/operator/games?pageSize=100').then(setGames, setError);
  }, []);
  const edit = async (id: string) => {
    setError(undefined);
    try {
      const { data, headers } = await api<PromotionDetail>(`/api/operator/promotions/${id}`);
      setEditing({ detail: data, etag: headers.get('etag') ?? '' });
    } catch (err) {
      setError(err);
    }
  };
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
                {p.status !== 'ended' && (
                  <button type="button" className="button secondary small" onClick={() => void edit(p.id)}>
                    Edit
                  </button>
                )}
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
        <PromotionForm
          key={editing?.detail.id ?? 'new'}
          games={games}
          editing={editing}
          onSaved={(saved) => {
            setEditing(saved);
            void load();
          }}
        />
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

/** What the form edits: a saved promotion (with its ETag, for If-Match) or nothing (a new one). */
type Editing = { detail: PromotionDetail; etag: string };

/** The form's fields from a saved promotion, or the defaults of a new one. */
function initialFields(p: PromotionDetail | undefined, zone: string) {
  const e = p?.effect;
  const firstAmount = e?.kind === 'amount_off' ? Object.entries(e.amounts)[0] : undefined;
  const firstPrice = e?.kind === 'fixed_price' ? Object.entries(e.prices)[0] : undefined;
  return {
    name: p?.name ?? '',
    kind: e?.kind ?? 'percent_off',
    percent: String(e?.kind === 'percent_off' || e?.kind === 'bundle' ? e.percent : 20),
    minItems: String(e?.kind === 'bundle' ? e.minItems : 2),
    amount: firstAmount
      ? String(firstAmount[1] / 10 ** minorDigits(firstAmount[0]))
      : firstPrice
        ? String(firstPrice[1].amountMinor / 10 ** minorDigits(firstPrice[1].currency))
        : '',
    currency: firstAmount?.[0] ?? firstPrice?.[1].currency ?? 'USD',
    country: firstPrice?.[0] ?? 'US',
    gameIds: e?.kind === 'bundle' ? e.games : (p?.targets.games ?? []),
    genres: p?.targets.genres?.join(', ') ?? '',
    tags: p?.targets.tags?.join(', ') ?? '',
    countries: p?.targets.countries?.join(', ') ?? '',
    newAccountDays: String(p?.targets.segment?.newAccountDays ?? ''),
    minPoints: String(p?.targets.segment?.minPoints ?? ''),
    stacking: p?.stacking ?? 'best',
    priority: String(p?.priority ?? 0),
    timeZone: p?.timeZone ?? zone,
    startsAt: p?.startsAt ?? instantToZoned(storeNow(), zone),
    endsAt: p?.endsAt ?? '',
    budget: String(p?.budget ?? ''),
    codes: '',
    maxUses: String(p?.coupons[0]?.maxUses ?? 1),
    generate: '',
  };
}

/** Minor-unit digits of a currency (JPY 0, USD 2, …), as Intl knows them. */
function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * R5: create a promotion, or edit a saved one (PUT with If-Match: someone else's save in between is a 409 with a
 * sentence, never a silent overwrite). Coupons: listed codes or generated ones, each usable N times; the audit trail
 * of a saved promotion is shown under it.
 */
function PromotionForm({ games, editing, onSaved }: { games: OperatorGameRow[]; editing?: Editing; onSaved: (saved?: Editing) => void }) {
  const { locale } = useSession();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [f, setF] = useState(() => initialFields(editing?.detail, zone));
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<PromotionDetail>();
  const kind = f.kind;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setSaved(undefined);
    const effect: PromotionInput['effect'] =
      kind === 'percent_off'
        ? { kind, percent: Number(f.percent) }
        : kind === 'bundle'
          ? { kind, games: f.gameIds, minItems: Number(f.minItems), percent: Number(f.percent) }
          : kind === 'amount_off'
            ? { kind, amounts: { [f.currency]: toMinor(f.amount, f.currency) } }
            : { kind, prices: { [f.country]: { amountMinor: toMinor(f.amount, f.currency), currency: f.currency } } };
    const segment = {
      ...(f.newAccountDays ? { newAccountDays: Number(f.newAccountDays) } : {}),
      ...(f.minPoints ? { minPoints: Number(f.minPoints) } : {}),
      ...(editing?.detail.targets.segment?.ownersOf ? { ownersOf: editing.detail.targets.segment.ownersOf } : {}),
    };
    const targets: PromotionInput['targets'] = {
      // A bundle names its games in the effect; the targets narrow where and for whom.
      ...(kind !== 'bundle' && f.gameIds.length ? { games: f.gameIds } : {}),
      ...(list(f.genres).length ? { genres: list(f.genres) } : {}),
      ...(list(f.tags).length ? { tags: list(f.tags) } : {}),
      ...(list(f.countries).length ? { countries: list(f.countries).map((c) => c.toUpperCase()) } : {}),
      ...(Object.keys(segment).length ? { segment } : {}),
    };
    const wantsCoupon = list(f.codes).length > 0 || Number(f.generate) > 0;
    const input: PromotionInput = {
      name: f.name,
      effect,
      targets,
      stacking: f.stacking,
      priority: Number(f.priority) || 0,
      timeZone: f.timeZone,
      startsAt: f.startsAt,
      ...(f.endsAt ? { endsAt: f.endsAt } : editing ? { endsAt: null } : {}),
      ...(f.budget ? { budget: Number(f.budget) } : editing ? { budget: null } : {}),
      ...(wantsCoupon
        ? {
            coupon: {
              ...(list(f.codes).length ? { codes: list(f.codes) } : {}),
              ...(Number(f.generate) > 0 ? { generate: Number(f.generate) } : {}),
              maxUses: Number(f.maxUses) || 1,
            },
          }
        : {}),
    };
    try {
      const { data, headers } = editing
        ? await api<PromotionDetail>(`/api/operator/promotions/${editing.detail.id}`, {
            method: 'PUT',
            json: input,
            headers: { 'if-match': editing.etag },
          })
        : await api<PromotionDetail>('/api/operator/promotions', { method: 'POST', json: input });
      setSaved(data);
      setF({ ...f, codes: '', generate: '' });
      onSaved(editing ? { detail: data, etag: headers.get('etag') ?? editing.etag } : undefined);
    } catch (err) {
      setError(err);
    }
  };
  const coupons = saved?.coupons ?? editing?.detail.coupons ?? [];
  return (
    <form className="panel" onSubmit={submit} data-testid="promotion-form">
      <h2>{editing ? `Edit “${editing.detail.name}”` : 'New promotion'}</h2>
      <Field label="Name">
        <input name="promotionName" value={f.name} onChange={set('name')} required maxLength={120} />
      </Field>
      <Field label="Discount">
        <select value={kind} onChange={set('kind')} aria-label="Kind of discount">
          <option value="percent_off">Percent off</option>
          <option value="amount_off">Amount off</option>
          <option value="fixed_price">Fixed price in a country</option>
          <option value="bundle">Bundle: buy several of the chosen games</option>
        </select>
      </Field>
      {kind === 'percent_off' || kind === 'bundle' ? (
        <div className="row">
          {kind === 'bundle' && (
            <Field label="Games to buy" hint="the discount starts with this many of the chosen games, owned ones counting">
              <input
                type="number"
                min={2}
                max={Math.max(2, f.gameIds.length)}
                value={f.minItems}
                onChange={set('minItems')}
                required
                aria-label="Games to buy"
              />
            </Field>
          )}
          <Field label={kind === 'bundle' ? 'Percent off each' : 'Percent off'}>
            <input type="number" min={1} max={100} value={f.percent} onChange={set('percent')} required aria-label="Percent off" />
          </Field>
        </div>
      ) : (
        <div className="row">
          {kind === 'fixed_price' && (
            <Field label="Country">
              <select
                value={f.country}
                onChange={(e) => setF({ ...f, country: e.target.value, currency: defaultCurrencyFor(e.target.value) })}
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
            <input inputMode="decimal" value={f.amount} onChange={set('amount')} required />
          </Field>
          <Field label="Currency">
            <input value={f.currency} onChange={(e) => setF({ ...f, currency: e.target.value.toUpperCase() })} maxLength={3} required />
          </Field>
        </div>
      )}
      <Field label={kind === 'bundle' ? 'The bundle’s games (choose two or more)' : 'Games (none = any game the other targets match)'}>
        <select
          multiple
          value={f.gameIds}
          onChange={(e) => setF({ ...f, gameIds: [...e.target.selectedOptions].map((o) => o.value) })}
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
          <input value={f.genres} onChange={set('genres')} />
        </Field>
        <Field label="Tags" hint="comma-separated">
          <input value={f.tags} onChange={set('tags')} />
        </Field>
        <Field label="Countries" hint="e.g. KR, JP; empty = everywhere">
          <input value={f.countries} onChange={set('countries')} />
        </Field>
      </div>
      <div className="row">
        <Field label="New accounts only" hint="accounts at most this many days old; empty = anyone">
          <input
            type="number"
            min={1}
            max={3650}
            value={f.newAccountDays}
            onChange={set('newAccountDays')}
            aria-label="New accounts only (days)"
          />
        </Field>
        <Field label="Points at least" hint="players with at least this many points; empty = anyone">
          <input type="number" min={1} value={f.minPoints} onChange={set('minPoints')} aria-label="Points at least" />
        </Field>
      </div>
      <div className="row">
        <Field label="Combines with others" hint="exclusive: alone · best: the best one for the buyer · priority: stacks">
          <select value={f.stacking} onChange={set('stacking')}>
            <option value="best">Best for the customer</option>
            <option value="exclusive">Exclusive</option>
            <option value="priority">Stacks (by priority)</option>
          </select>
        </Field>
        <Field label="Priority" hint="higher goes first">
          <input type="number" min={-1000} max={1000} value={f.priority} onChange={set('priority')} aria-label="Priority" />
        </Field>
      </div>
      <div className="row">
        <Field label="Time zone">
          <input value={f.timeZone} onChange={set('timeZone')} required aria-label="Time zone" />
        </Field>
        <Field label="Starts">
          <input type="datetime-local" value={f.startsAt} onChange={set('startsAt')} required aria-label="Starts" />
        </Field>
        <Field label="Ends">
          <input type="datetime-local" value={f.endsAt} onChange={set('endsAt')} aria-label="Ends" />
        </Field>
      </div>
      <div className="row">
        <Field label="Budget" hint="first N purchases; empty = no limit">
          <input type="number" min={1} value={f.budget} onChange={set('budget')} aria-label="Budget" />
        </Field>
        <Field label={editing ? 'Add coupon codes' : 'Coupon codes'} hint="comma-separated; empty = no coupon">
          <input value={f.codes} onChange={set('codes')} aria-label="Coupon codes" />
        </Field>
        <Field label="Or generate codes" hint="how many random codes">
          <input type="number" min={1} max={10000} value={f.generate} onChange={set('generate')} aria-label="Generate codes" />
        </Field>
        <Field label="Uses per code" hint="1 = single-use">
          <input type="number" min={1} value={f.maxUses} onChange={set('maxUses')} aria-label="Uses per code" />
        </Field>
      </div>
      <ErrorNote error={error} />
      {saved && (
        <p className="ok" role="status">
          “{saved.name}” saved; it is live on every node within a second.
        </p>
      )}
      {coupons.length > 0 && (
        <details open={!!saved} data-testid="coupons">
          <summary>
            {coupons.length} coupon code{coupons.length === 1 ? '' : 's'}
          </summary>
          <ul className="plain coupons">
            {coupons.map((c) => (
              <li key={c.code}>
                <code>{c.code}</code>{' '}
                <span className="muted">
                  {c.uses} / {c.maxUses} used
                </span>
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="row">
        <button type="submit" className="button">
          {editing ? 'Save changes' : 'Save promotion'}
        </button>
        {editing && (
          <button type="button" className="button secondary" onClick={() => onSaved(undefined)}>
            Close
          </button>
        )}
      </div>
      {editing && <AuditTrail entries={(saved ?? editing.detail).audit} />}
    </form>
  );
}

/** Who changed the promotion, when, and which fields (before → after). */
function AuditTrail({ entries }: { entries: PromotionDetail['audit'] }) {
  const { locale } = useSession();
  const changed = (before: unknown, after: unknown) => {
    const b = (before ?? {}) as Record<string, unknown>;
    const a = (after ?? {}) as Record<string, unknown>;
    return Object.keys(a)
      .filter((k) => !['version', 'updated_at'].includes(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]))
      .map((k) => `${k}: ${short(b[k])} → ${short(a[k])}`);
  };
  return (
    <section data-testid="audit-trail">
      <h3>Changes</h3>
      <ol className="plain">
        {entries.map((e, i) => (
          <li key={i}>
            <strong>{e.action}</strong>{' '}
            <span className="muted">
              {new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(e.at))}
              {e.actor ? ` · ${e.actor}` : ''}
            </span>
            {e.action !== 'create' && (
              <ul className="muted">
                {changed(e.before, e.after).map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

const short = (v: unknown) => {
  const s = v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

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
