import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, get, type OperatorGameRow } from '../../api.ts';
import type { PricePreview, Promotion, PromotionDetail, PromotionInput } from '../../../../src/promotions/schemas.ts';
import type { RoomView } from '../../../../src/waiting-room/schemas.ts';
import { ErrorNote, Field } from '../../components/Form.tsx';
import { useSession } from '../../session.tsx';
import type { Dict, T } from '../../i18n.ts';
import { countriesByName, countryName, formatMoney, toMinor } from '../../format.ts';
import { storeNow } from '../../clock.ts';
import { instantToZoned } from '../../../../src/platform/zoned-time.ts';
import { defaultCurrencyFor } from '../../../../src/platform/countries.ts';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function describeEffect(p: Promotion, locale: string, tr: T): string {
  const e = p.effect;
  switch (e.kind) {
    case 'percent_off':
      return tr('prPercentOff', { percent: e.percent });
    case 'amount_off':
      return Object.entries(e.amounts)
        .map(([currency, amountMinor]) => tr('prAmountOff', { amount: formatMoney({ amountMinor, currency }, locale) }))
        .join(' / ');
    case 'fixed_price':
      return Object.entries(e.prices)
        .map(([c, m]) => `${c} ${formatMoney(m, locale)}`)
        .join(' / ');
    case 'bundle':
      return tr('prBundleEffect', { min: e.minItems, count: e.games.length, percent: e.percent });
  }
}

function describeTargets(p: Promotion, games: Map<string, string>, tr: T): string {
  const t = p.targets;
  const parts = [
    t.games && tr('prTargetGames', { list: t.games.map((g) => games.get(g) ?? g.slice(0, 8)).join(', ') }),
    t.genres && tr('prTargetGenres', { list: t.genres.join(', ') }),
    t.tags && tr('prTargetTags', { list: t.tags.join(', ') }),
    t.developers && tr('prTargetDevelopers', { list: t.developers.join(', ') }),
    t.publishers && tr('prTargetPublishers', { list: t.publishers.join(', ') }),
    t.countries && tr('prTargetCountries', { list: t.countries.join(', ') }),
    t.segment?.newAccountDays && tr('prTargetNewAccounts', { n: t.segment.newAccountDays }),
    t.segment?.ownersOf && tr('prTargetOwners'),
    t.segment?.minPoints && tr('prTargetMinPoints', { n: t.segment.minPoints }),
    t.preorderOnly && tr('prTargetPreorders'),
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : tr('prTargetEvery');
}

const STACKING: Record<Promotion['stacking'], keyof Dict> = {
  best: 'prStackBest',
  exclusive: 'prStackExclusive',
  priority: 'prStackPriority',
};
const PROMOTION_STATE: Record<Promotion['state'], keyof Dict> = {
  scheduled: 'prStateScheduled',
  running: 'prStateRunning',
  paused: 'prStatePaused',
  expired: 'prStateExpired',
  ended: 'prStateEnded',
};
const ROOM_STATE: Record<RoomView['state'], keyof Dict> = { upcoming: 'wrStateUpcoming', on: 'wrStateOn', ended: 'wrStateEnded' };
const AUDIT_ACTION: Record<string, keyof Dict> = {
  create: 'prActionCreate',
  update: 'prActionUpdate',
  pause: 'prActionPause',
  resume: 'prActionResume',
  end: 'prActionEnd',
};

/**
 * Console (R5): promotions as data — create, schedule in a time zone, pause, resume, end, and preview "what does
 * this game cost in this country, at this moment, for this user". Changes are live on every node within a second.
 */
export function ConsolePromotions() {
  const { locale, t } = useSession();
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
        <h1>{t('consolePromotions')}</h1>
        <Link to="/console" className="button secondary">
          {t('consoleGames')}
        </Link>
      </div>
      <ErrorNote error={error} />
      <table className="table">
        <thead>
          <tr>
            <th>{t('prColName')}</th>
            <th>{t('prColDiscount')}</th>
            <th>{t('prColAppliesTo')}</th>
            <th>{t('prColSchedule')}</th>
            <th>{t('grState')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows?.map((p) => (
            <tr key={p.id} data-testid="promotion-row" data-name={p.name}>
              <td>
                {p.name}
                <div className="muted">
                  {[
                    t(STACKING[p.stacking]),
                    p.priority ? t('prPriorityNote', { n: p.priority }) : '',
                    p.couponRequired ? t('prCouponNote') : '',
                    p.budget ? t('prBudgetNote', { used: p.used, budget: p.budget }) : '',
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </div>
              </td>
              <td>{describeEffect(p, locale, t)}</td>
              <td>{describeTargets(p, titles, t)}</td>
              <td>
                {p.startsAt.replace('T', ' ')} → {p.endsAt ? p.endsAt.replace('T', ' ') : '…'}
                <div className="muted">{p.timeZone}</div>
              </td>
              <td>
                <span className={`status ${p.state}`} data-testid="promotion-state">
                  {t(PROMOTION_STATE[p.state])}
                </span>
              </td>
              <td className="actions">
                {p.status !== 'ended' && (
                  <button type="button" className="button secondary small" onClick={() => void edit(p.id)}>
                    {t('prEdit')}
                  </button>
                )}
                {p.status === 'active' && (
                  <button type="button" className="button secondary small" onClick={() => void act(p.id, 'pause')}>
                    {t('prPause')}
                  </button>
                )}
                {p.status === 'paused' && (
                  <button type="button" className="button secondary small" onClick={() => void act(p.id, 'resume')}>
                    {t('prResume')}
                  </button>
                )}
                {p.status !== 'ended' && (
                  <button type="button" className="button secondary small" onClick={() => void act(p.id, 'end')}>
                    {t('prEnd')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows && !rows.length && <p className="muted">{t('prNone')}</p>}
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
  const { t } = useSession();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [rows, setRows] = useState<RoomRow[]>();
  const [gameId, setGameId] = useState('');
  const [name, setName] = useState(() => t('wrDefaultName'));
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
      <h2>{t('wrTitle')}</h2>
      <p className="muted">{t('wrIntro')}</p>
      <table className="table">
        <thead>
          <tr>
            <th>{t('colGame')}</th>
            <th>{t('wrOpens')}</th>
            <th>{t('wrRate')}</th>
            <th>{t('wrJoinedBought')}</th>
            <th>{t('grState')}</th>
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
              <td>{t('wrPerMinute', { n: r.ratePerMinute })}</td>
              <td>
                {r.joined} / {r.used}
              </td>
              <td>
                <span className={`status ${r.state}`}>{t(ROOM_STATE[r.state])}</span>
              </td>
              <td>
                {r.state !== 'ended' && (
                  <button type="button" className="button secondary small" onClick={() => void end(r.id)}>
                    {t('wrClose')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={submit} className="row" data-testid="room-form">
        <Field label={t('colGame')}>
          <select value={gameId} onChange={(e) => setGameId(e.target.value)} aria-label={t('wrGameLabel')}>
            {games.map((g) => (
              <option key={g.id} value={g.id}>
                {g.title}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('prColName')}>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} aria-label={t('wrNameLabel')} />
        </Field>
        <Field label={t('timeZone')}>
          <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required aria-label={t('wrZoneLabel')} />
        </Field>
        <Field label={t('wrOpens')}>
          <input
            type="datetime-local"
            value={startsAt}
            onChange={(e) => setStartsAt(e.target.value)}
            required
            aria-label={t('wrOpensLabel')}
          />
        </Field>
        <Field label={t('wrCloses')}>
          <input type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} aria-label={t('wrClosesLabel')} />
        </Field>
        <Field label={t('wrLetIn')}>
          <input type="number" min={1} value={rate} onChange={(e) => setRate(e.target.value)} required aria-label={t('wrRateLabel')} />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" className="button">
          {t('wrOpen')}
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
  const { locale, t } = useSession();
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
      <h2>{editing ? t('prEditTitle', { name: editing.detail.name }) : t('prNew')}</h2>
      <Field label={t('prColName')}>
        <input name="promotionName" value={f.name} onChange={set('name')} required maxLength={120} />
      </Field>
      <Field label={t('prColDiscount')}>
        <select value={kind} onChange={set('kind')} aria-label={t('prKindLabel')}>
          <option value="percent_off">{t('prKindPercent')}</option>
          <option value="amount_off">{t('prKindAmount')}</option>
          <option value="fixed_price">{t('prKindFixed')}</option>
          <option value="bundle">{t('prKindBundle')}</option>
        </select>
      </Field>
      {kind === 'percent_off' || kind === 'bundle' ? (
        <div className="row">
          {kind === 'bundle' && (
            <Field label={t('prGamesToBuy')} hint={t('prGamesToBuyHint')}>
              <input
                type="number"
                min={2}
                max={Math.max(2, f.gameIds.length)}
                value={f.minItems}
                onChange={set('minItems')}
                required
                aria-label={t('prGamesToBuy')}
              />
            </Field>
          )}
          <Field label={kind === 'bundle' ? t('prPercentEach') : t('prPercent')}>
            <input type="number" min={1} max={100} value={f.percent} onChange={set('percent')} required aria-label={t('prPercent')} />
          </Field>
        </div>
      ) : (
        <div className="row">
          {kind === 'fixed_price' && (
            <Field label={t('prCountry')}>
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
          <Field label={kind === 'amount_off' ? t('prAmount') : t('prPrice')}>
            <input inputMode="decimal" value={f.amount} onChange={set('amount')} required />
          </Field>
          <Field label={t('currency')}>
            <input value={f.currency} onChange={(e) => setF({ ...f, currency: e.target.value.toUpperCase() })} maxLength={3} required />
          </Field>
        </div>
      )}
      <Field label={kind === 'bundle' ? t('prBundleGames') : t('prGames')}>
        <select
          multiple
          value={f.gameIds}
          onChange={(e) => setF({ ...f, gameIds: [...e.target.selectedOptions].map((o) => o.value) })}
          aria-label={t('prGamesLabel')}
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
        <Field label={t('prGenres')} hint={t('commaSeparated')}>
          <input value={f.genres} onChange={set('genres')} />
        </Field>
        <Field label={t('tags')} hint={t('commaSeparated')}>
          <input value={f.tags} onChange={set('tags')} />
        </Field>
        <Field label={t('prCountries')} hint={t('prCountriesHint')}>
          <input value={f.countries} onChange={set('countries')} />
        </Field>
      </div>
      <div className="row">
        <Field label={t('prNewAccounts')} hint={t('prNewAccountsHint')}>
          <input
            type="number"
            min={1}
            max={3650}
            value={f.newAccountDays}
            onChange={set('newAccountDays')}
            aria-label={t('prNewAccountsLabel')}
          />
        </Field>
        <Field label={t('prMinPoints')} hint={t('prMinPointsHint')}>
          <input type="number" min={1} value={f.minPoints} onChange={set('minPoints')} aria-label={t('prMinPoints')} />
        </Field>
      </div>
      <div className="row">
        <Field label={t('prStacking')} hint={t('prStackingHint')}>
          <select value={f.stacking} onChange={set('stacking')}>
            <option value="best">{t('prStackBest')}</option>
            <option value="exclusive">{t('prStackExclusive')}</option>
            <option value="priority">{t('prStackPriority')}</option>
          </select>
        </Field>
        <Field label={t('prPriority')} hint={t('prPriorityHint')}>
          <input type="number" min={-1000} max={1000} value={f.priority} onChange={set('priority')} aria-label={t('prPriority')} />
        </Field>
      </div>
      <div className="row">
        <Field label={t('timeZone')}>
          <input value={f.timeZone} onChange={set('timeZone')} required aria-label={t('timeZone')} />
        </Field>
        <Field label={t('prStarts')}>
          <input type="datetime-local" value={f.startsAt} onChange={set('startsAt')} required aria-label={t('prStarts')} />
        </Field>
        <Field label={t('prEnds')}>
          <input type="datetime-local" value={f.endsAt} onChange={set('endsAt')} aria-label={t('prEnds')} />
        </Field>
      </div>
      <div className="row">
        <Field label={t('prBudget')} hint={t('prBudgetHint')}>
          <input type="number" min={1} value={f.budget} onChange={set('budget')} aria-label={t('prBudget')} />
        </Field>
        <Field label={editing ? t('prAddCodes') : t('prCodes')} hint={t('prCodesHint')}>
          <input value={f.codes} onChange={set('codes')} aria-label={t('prCodes')} />
        </Field>
        <Field label={t('prGenerate')} hint={t('prGenerateHint')}>
          <input type="number" min={1} max={10000} value={f.generate} onChange={set('generate')} aria-label={t('prGenerateLabel')} />
        </Field>
        <Field label={t('prUses')} hint={t('prUsesHint')}>
          <input type="number" min={1} value={f.maxUses} onChange={set('maxUses')} aria-label={t('prUses')} />
        </Field>
      </div>
      <ErrorNote error={error} />
      {saved && (
        <p className="ok" role="status">
          {t('prSaved', { name: saved.name })}
        </p>
      )}
      {coupons.length > 0 && (
        <details open={!!saved} data-testid="coupons">
          <summary>{t('prCouponCount', { n: coupons.length })}</summary>
          <ul className="plain coupons">
            {coupons.map((c) => (
              <li key={c.code}>
                <code>{c.code}</code> <span className="muted">{t('prCouponUses', { uses: c.uses, max: c.maxUses })}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="row">
        <button type="submit" className="button">
          {editing ? t('prSaveChanges') : t('prSave')}
        </button>
        {editing && (
          <button type="button" className="button secondary" onClick={() => onSaved(undefined)}>
            {t('wrClose')}
          </button>
        )}
      </div>
      {editing && <AuditTrail entries={(saved ?? editing.detail).audit} />}
    </form>
  );
}

/** Who changed the promotion, when, and which fields (before → after). */
function AuditTrail({ entries }: { entries: PromotionDetail['audit'] }) {
  const { locale, t } = useSession();
  const changed = (before: unknown, after: unknown) => {
    const b = (before ?? {}) as Record<string, unknown>;
    const a = (after ?? {}) as Record<string, unknown>;
    return Object.keys(a)
      .filter((k) => !['version', 'updated_at'].includes(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]))
      .map((k) => `${k}: ${short(b[k])} → ${short(a[k])}`);
  };
  return (
    <section data-testid="audit-trail">
      <h3>{t('prChanges')}</h3>
      <ol className="plain">
        {entries.map((e, i) => (
          <li key={i}>
            <strong>{e.action in AUDIT_ACTION ? t(AUDIT_ACTION[e.action]!) : e.action}</strong>{' '}
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
  const { locale, t } = useSession();
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
      <h2>{t('pvTitle')}</h2>
      <Field label={t('colGame')}>
        <select value={gameId} onChange={(e) => setGameId(e.target.value)} aria-label={t('pvGameLabel')}>
          {games.map((g) => (
            <option key={g.id} value={g.id}>
              {g.title}
            </option>
          ))}
        </select>
      </Field>
      <div className="row">
        <Field label={t('prCountry')}>
          <select value={country} onChange={(e) => setCountry(e.target.value)} aria-label={t('pvCountryLabel')}>
            {countriesByName(locale).map((c) => (
              <option key={c} value={c}>
                {countryName(c, locale)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('pvWhen')}>
          <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} required />
        </Field>
        <Field label={t('timeZone')}>
          <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />
        </Field>
      </div>
      <Field label={t('pvUser')} hint={t('pvUserHint')}>
        <input value={userId} onChange={(e) => setUserId(e.target.value)} />
      </Field>
      <ErrorNote error={error} />
      <button type="submit" className="button secondary">
        {t('pvPreview')}
      </button>
      {result && (
        <dl className="facts" data-testid="preview-result">
          <dt>{t('pvListPrice')}</dt>
          <dd>{formatMoney(result.listPrice, locale)}</dd>
          {result.applied.map((a) => (
            <div key={a.id} className="preview-line">
              <dt>{a.name}</dt>
              <dd className="ok">−{formatMoney(a.off, locale)}</dd>
            </div>
          ))}
          <dt>{t('prPrice')}</dt>
          <dd>
            <strong>{formatMoney(result.price, locale)}</strong> {result.percentOff ? `(−${result.percentOff}%)` : ''}
          </dd>
        </dl>
      )}
    </form>
  );
}
