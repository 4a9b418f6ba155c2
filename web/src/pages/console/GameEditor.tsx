import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, ApiError, get, type GameInput, type OperatorGame } from '../../api.ts';
import { ErrorNote, Field } from '../../components/Form.tsx';
import { defaultCurrencyFor } from '../../../../src/platform/countries.ts';
import { LANGUAGES } from '../../../../src/platform/languages.ts';
import { countriesByName, countryName, formatDate, fromMinor, toMinor } from '../../format.ts';
import { useSession } from '../../session.tsx';
import type { T } from '../../i18n.ts';

type Edition = GameInput['editions'][number];
type Rule = GameInput['regions']['sale'];

const blank = (): GameInput => ({
  slug: '',
  status: 'draft',
  defaultLanguage: 'en',
  title: { en: '' },
  summary: { en: '' },
  description: { en: '' },
  genres: [],
  tags: [],
  developer: '',
  publisher: '',
  releaseDate: null,
  coverUrl: null,
  screenshots: [],
  editions: [{ code: 'standard', name: { en: 'Standard Edition' }, prices: [{ country: '*', currency: 'USD', amountMinor: 0 }] }],
  regions: { sale: { mode: 'everywhere', countries: [] }, play: { mode: 'everywhere', countries: [] } },
});

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const fromGame = ({ id: _id, version: _v, createdAt: _c, updatedAt: _u, ...input }: OperatorGame): GameInput => input;

async function upload(file: File): Promise<string> {
  const form = new FormData();
  form.append('file', file);
  return (await api<{ url: string }>('/api/operator/media', { method: 'POST', body: form })).data.url;
}

export function ConsoleGameEditor() {
  const { id } = useParams();
  const navigate = useNavigate();
  const { locale, t } = useSession();
  const [game, setGame] = useState<GameInput>(blank);
  const [version, setVersion] = useState<number>();
  const [lang, setLang] = useState('en');
  const [error, setError] = useState<unknown>();
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState<string>();

  const load = async () => {
    if (!id) return;
    const { data } = await api<OperatorGame>(`/api/operator/games/${id}`);
    setGame(fromGame(data));
    setVersion(data.version);
    setLang(data.defaultLanguage);
    setConflict(false);
    setError(undefined);
  };
  useEffect(() => {
    load().catch(setError);
  }, [id]);

  const update = (patch: Partial<GameInput>) => setGame((g) => ({ ...g, ...patch }));
  const setText = (field: 'title' | 'summary' | 'description', value: string) =>
    setGame((g) => ({ ...g, [field]: { ...(g[field] ?? {}), [lang]: value } }));
  const setEdition = (i: number, e: Edition) => setGame((g) => ({ ...g, editions: g.editions.map((x, j) => (j === i ? e : x)) }));
  const languages = [...new Set([game.defaultLanguage, ...Object.keys(game.title), ...Object.keys(game.description)])];

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setSaved(undefined);
    try {
      const clean: GameInput = {
        ...game,
        title: prune(game.title),
        summary: prune(game.summary ?? {}),
        description: prune(game.description),
      };
      if (id) {
        const { data } = await api<OperatorGame>(`/api/operator/games/${id}`, {
          method: 'PUT',
          json: clean,
          headers: { 'if-match': `"v${version}"` },
        });
        setVersion(data.version);
        setSaved(t('geSavedVersion', { n: data.version }));
      } else {
        const { data } = await api<OperatorGame>('/api/operator/games', { method: 'POST', json: clean });
        void navigate(`/console/games/${data.id}`, { replace: true });
      }
    } catch (err) {
      setConflict(err instanceof ApiError && err.code === 'edit_conflict');
      setError(err);
    }
  };

  return (
    <>
      <form className="console editor" onSubmit={save}>
        <div className="console-head">
          <h1>{id ? game.title[game.defaultLanguage] || game.slug : t('registerGame')}</h1>
          {version !== undefined && <span className="muted">{t('geVersion', { n: version })}</span>}
          <button type="submit" className="button">
            {t('save')}
          </button>
        </div>
        <ErrorNote error={error} />
        {conflict && (
          <button type="button" className="button secondary" onClick={() => load().catch(setError)}>
            {t('geReload')}
          </button>
        )}
        {saved && (
          <p className="ok" role="status">
            {saved}
          </p>
        )}

        <fieldset>
          <legend>{t('geBasics')}</legend>
          <div className="cols">
            <Field label={t('geSlug')}>
              <input
                name="slug"
                required
                value={game.slug}
                onChange={(e) => update({ slug: e.target.value })}
                pattern="[a-z0-9]+(-[a-z0-9]+)*"
              />
            </Field>
            <Field label={t('colStatus')}>
              <select name="status" value={game.status} onChange={(e) => update({ status: e.target.value as GameInput['status'] })}>
                <option value="draft">{t('geDraft')}</option>
                <option value="published">{t('gePublished')}</option>
              </select>
            </Field>
            <Field label={t('geDefaultLanguage')}>
              <select value={game.defaultLanguage} onChange={(e) => update({ defaultLanguage: e.target.value })}>
                {LANGUAGES.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('release')} hint={t('geReleaseHint')}>
              <input
                type="date"
                name="releaseDate"
                value={game.releaseDate ?? ''}
                onChange={(e) => update({ releaseDate: e.target.value || null })}
              />
            </Field>
            <Field label={t('developer')}>
              <input name="developer" required value={game.developer} onChange={(e) => update({ developer: e.target.value })} />
            </Field>
            <Field label={t('publisher')}>
              <input name="publisher" required value={game.publisher} onChange={(e) => update({ publisher: e.target.value })} />
            </Field>
            <Field label={t('prGenres')} hint={t('commaSeparated')}>
              <input name="genres" value={game.genres.join(', ')} onChange={(e) => update({ genres: list(e.target.value) })} />
            </Field>
            <Field label={t('tags')} hint={t('commaSeparated')}>
              <input name="tags" value={game.tags.join(', ')} onChange={(e) => update({ tags: list(e.target.value) })} />
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('geTexts')}</legend>
          <div className="tabs">
            {languages.map((l) => (
              <button type="button" key={l} className={l === lang ? 'tab active' : 'tab'} onClick={() => setLang(l)}>
                {l}
              </button>
            ))}
            <select aria-label={t('geAddLanguage')} value="" onChange={(e) => e.target.value && setLang(e.target.value)}>
              <option value="">{t('geLanguageOption')}</option>
              {LANGUAGES.filter((l) => !languages.includes(l)).map((l) => (
                <option key={l} value={l}>
                  {new Intl.DisplayNames([locale], { type: 'language' }).of(l)}
                </option>
              ))}
            </select>
          </div>
          <Field label={t('geTitleIn', { lang })}>
            <input name={`title-${lang}`} value={game.title[lang] ?? ''} onChange={(e) => setText('title', e.target.value)} />
          </Field>
          <Field label={t('geSummaryIn', { lang })}>
            <input name={`summary-${lang}`} value={game.summary?.[lang] ?? ''} onChange={(e) => setText('summary', e.target.value)} />
          </Field>
          <Field label={t('geDescriptionIn', { lang })}>
            <textarea
              name={`description-${lang}`}
              rows={6}
              value={game.description[lang] ?? ''}
              onChange={(e) => setText('description', e.target.value)}
            />
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t('geMedia')}</legend>
          <div className="media-row">
            {game.coverUrl && <img src={game.coverUrl} alt={t('geCover')} className="cover-preview" />}
            <div>
              <Field label={t('geCoverUrl')}>
                <input name="coverUrl" value={game.coverUrl ?? ''} onChange={(e) => update({ coverUrl: e.target.value || null })} />
              </Field>
              <Field label={t('geCoverUpload')}>
                <input
                  type="file"
                  accept="image/png,image/jpeg,image/webp,image/gif"
                  onChange={(e) => e.target.files?.[0] && upload(e.target.files[0]).then((url) => update({ coverUrl: url }), setError)}
                />
              </Field>
              <Field label={t('geScreenshots')} hint={t('geOnePerLine')}>
                <textarea
                  rows={3}
                  value={game.screenshots.join('\n')}
                  onChange={(e) =>
                    update({
                      screenshots: e.target.value
                        .split('\n')
                        .map((s) => s.trim())
                        .filter(Boolean),
                    })
                  }
                />
              </Field>
            </div>
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('geEditions')}</legend>
          {game.editions.map((ed, i) => (
            <EditionEditor
              key={i}
              edition={ed}
              language={game.defaultLanguage}
              locale={locale}
              t={t}
              onChange={(e) => setEdition(i, e)}
              onRemove={game.editions.length > 1 ? () => update({ editions: game.editions.filter((_, j) => j !== i) }) : undefined}
            />
          ))}
          <button
            type="button"
            className="button secondary"
            onClick={() =>
              update({
                editions: [
                  ...game.editions,
                  { code: `edition-${game.editions.length + 1}`, name: { [game.defaultLanguage]: t('geNewEdition') }, prices: [] },
                ],
              })
            }
          >
            {t('geAddEdition')}
          </button>
        </fieldset>

        <fieldset>
          <legend>{t('geRegions')}</legend>
          <div className="cols">
            <RuleEditor
              label={t('geSoldTo')}
              rule={game.regions.sale}
              locale={locale}
              t={t}
              onChange={(sale) => update({ regions: { ...game.regions, sale } })}
            />
            <RuleEditor
              label={t('gePlayableIn')}
              rule={game.regions.play}
              locale={locale}
              t={t}
              onChange={(play) => update({ regions: { ...game.regions, play } })}
            />
          </div>
          <p className="muted">{t('geRegionsNote')}</p>
          <label className="field">
            <span className="field-label">{t('geIpMismatch')}</span>
            <select
              name="ipMismatch"
              value={game.regions.ipMismatch ?? 'warn'}
              onChange={(e) => update({ regions: { ...game.regions, ipMismatch: e.target.value as 'allow' | 'warn' | 'block' } })}
            >
              <option value="allow">{t('geAllow')}</option>
              <option value="warn">{t('geWarn')}</option>
              <option value="block">{t('geRefuse')}</option>
            </select>
          </label>
        </fieldset>
      </form>
      {id && <PreorderDiscount gameId={id} releaseDate={game.releaseDate ?? null} />}
    </>
  );
}

/**
 * S1.6 / S1.16: the game's pre-order discount — a percentage off for pre-orders, ending by itself on release day.
 * Kept apart from the game's form: it is a promotion (audited in the promotions context), saved on its own.
 */
function PreorderDiscount({ gameId, releaseDate }: { gameId: string; releaseDate: string | null }) {
  const { locale, t } = useSession();
  const [current, setCurrent] = useState<number | null>();
  const [percent, setPercent] = useState('');
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  useEffect(() => {
    get<{ percentOff: number | null }>(`/api/operator/games/${gameId}/preorder-discount`).then((d) => {
      setCurrent(d.percentOff);
      setPercent(d.percentOff ? String(d.percentOff) : '');
    }, setError);
  }, [gameId]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setNote('');
    try {
      await api(`/api/operator/games/${gameId}/preorder-discount`, { method: 'PUT', json: { percentOff: Number(percent) } });
      setCurrent(Number(percent));
      setNote(t('gePreorderSaved', { percent }));
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    setError(undefined);
    try {
      await api(`/api/operator/games/${gameId}/preorder-discount`, { method: 'DELETE' });
      setCurrent(null);
      setPercent('');
      setNote(t('gePreorderRemoved'));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="panel console" onSubmit={save} data-testid="preorder-discount">
      <h2>{t('gePreorderTitle')}</h2>
      <p className="muted">
        {current
          ? releaseDate
            ? t('gePreorderUntil', { percent: current, date: formatDate(releaseDate, locale) })
            : t('gePreorderOff', { percent: current })
          : t('gePreorderNone')}{' '}
        {t('gePreorderEnds')}
      </p>
      <div className="row">
        <label className="sr-only" htmlFor="preorder-percent">
          {t('gePreorderPercent')}
        </label>
        <input
          id="preorder-percent"
          name="preorderPercent"
          type="number"
          min={1}
          max={90}
          value={percent}
          onChange={(e) => setPercent(e.target.value)}
          required
        />
        <button type="submit" className="button">
          {t('gePreorderSave')}
        </button>
        {!!current && (
          <button type="button" className="button secondary" onClick={() => void remove()}>
            {t('geRemove')}
          </button>
        )}
      </div>
      {note && (
        <p className="ok" role="status">
          {note}
        </p>
      )}
      <ErrorNote error={error} />
    </form>
  );
}

const prune = (t: Record<string, string>) => Object.fromEntries(Object.entries(t).filter(([, v]) => v.trim()));

function EditionEditor({
  edition,
  language,
  locale,
  t,
  onChange,
  onRemove,
}: {
  edition: Edition;
  language: string;
  locale: string;
  t: T;
  onChange(e: Edition): void;
  onRemove?: () => void;
}) {
  const setPrice = (i: number, p: Edition['prices'][number]) =>
    onChange({ ...edition, prices: edition.prices.map((x, j) => (j === i ? p : x)) });
  return (
    <div className="edition">
      <div className="cols">
        <Field label={t('geEditionCode')}>
          <input value={edition.code} onChange={(e) => onChange({ ...edition, code: e.target.value })} />
        </Field>
        <Field label={t('geEditionName', { lang: language })}>
          <input
            value={edition.name[language] ?? ''}
            onChange={(e) => onChange({ ...edition, name: { ...edition.name, [language]: e.target.value } })}
          />
        </Field>
        {onRemove && (
          <button type="button" className="link danger" onClick={onRemove}>
            {t('geRemoveEdition')}
          </button>
        )}
      </div>
      <table className="table prices">
        <thead>
          <tr>
            <th>{t('prCountry')}</th>
            <th>{t('currency')}</th>
            <th>{t('prPrice')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {edition.prices.map((p, i) => (
            <tr key={i}>
              <td>
                <select
                  aria-label={t('gePriceCountry')}
                  value={p.country}
                  onChange={(e) =>
                    setPrice(i, {
                      ...p,
                      country: e.target.value,
                      currency: e.target.value === '*' ? p.currency : defaultCurrencyFor(e.target.value),
                    })
                  }
                >
                  <option value="*">{t('geRestOfWorld')}</option>
                  {countriesByName(locale).map((c) => (
                    <option key={c} value={c}>
                      {countryName(c, locale)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  aria-label={t('currency')}
                  value={p.currency}
                  maxLength={3}
                  size={4}
                  onChange={(e) => setPrice(i, { ...p, currency: e.target.value.toUpperCase() })}
                />
              </td>
              <td>
                <PriceInput
                  label={t('geAmount')}
                  minor={p.amountMinor}
                  currency={p.currency}
                  onChange={(amountMinor) => setPrice(i, { ...p, amountMinor })}
                />
              </td>
              <td>
                <button
                  type="button"
                  className="link danger"
                  onClick={() => onChange({ ...edition, prices: edition.prices.filter((_, j) => j !== i) })}
                >
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        className="link"
        onClick={() => onChange({ ...edition, prices: [...edition.prices, { country: 'US', currency: 'USD', amountMinor: 0 }] })}
      >
        {t('geAddPrice')}
      </button>
    </div>
  );
}

/** Edits a price as the decimal people type (19.99, 55000) and keeps integer minor units in the document. */
function PriceInput({
  label,
  minor,
  currency,
  onChange,
}: {
  label: string;
  minor: number;
  currency: string;
  onChange(minor: number): void;
}) {
  const valid =
    /^[A-Z]{3}$/.test(currency) &&
    (() => {
      try {
        new Intl.NumberFormat('en', { style: 'currency', currency });
        return true;
      } catch {
        return false;
      }
    })();
  const [text, setText] = useState(valid ? fromMinor(minor, currency) : String(minor));
  useEffect(() => {
    if (valid) setText(fromMinor(minor, currency));
  }, [currency]);
  return (
    <input
      aria-label={label}
      inputMode="decimal"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        if (valid && e.target.value && !Number.isNaN(Number(e.target.value))) onChange(toMinor(e.target.value, currency));
      }}
    />
  );
}

function RuleEditor({ label, rule, locale, t, onChange }: { label: string; rule: Rule; locale: string; t: T; onChange(r: Rule): void }) {
  const [adding, setAdding] = useState('');
  return (
    <div className="rule">
      <Field label={label}>
        <select value={rule.mode} onChange={(e) => onChange({ ...rule, mode: e.target.value as Rule['mode'] })}>
          <option value="everywhere">{t('geEverywhere')}</option>
          <option value="only">{t('geOnly')}</option>
          <option value="except">{t('geExcept')}</option>
        </select>
      </Field>
      {rule.mode !== 'everywhere' && (
        <>
          <div className="chips">
            {rule.countries.map((c) => (
              <button
                type="button"
                key={c}
                className="chip removable"
                title={t('geRemove')}
                onClick={() => onChange({ ...rule, countries: rule.countries.filter((x) => x !== c) })}
              >
                {countryName(c, locale)} ✕
              </button>
            ))}
          </div>
          <select
            aria-label={t('geAddCountryTo', { label })}
            value={adding}
            onChange={(e) => {
              setAdding('');
              if (e.target.value && !rule.countries.includes(e.target.value))
                onChange({ ...rule, countries: [...rule.countries, e.target.value] });
            }}
          >
            <option value="">{t('geCountryOption')}</option>
            {countriesByName(locale)
              .filter((c) => !rule.countries.includes(c))
              .map((c) => (
                <option key={c} value={c}>
                  {countryName(c, locale)}
                </option>
              ))}
          </select>
        </>
      )}
    </div>
  );
}
