import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, Link } from 'react-router';
import { api } from '../api.ts';
import { Field, ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';
import { COUNTRY_CODES, defaultCurrencyFor } from '../../../src/regions/countries.ts';
import { LANGUAGES } from '../../../src/platform/languages.ts';
import { countryName } from '../format.ts';

/** Posts credentials, then reloads the session and goes home; an API refusal is shown in the form. */
function useSessionForm(path: string) {
  const { refresh } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const submit = (body: unknown) => async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api(path, { method: 'POST', json: body });
      await refresh();
      navigate('/');
    } catch (err) {
      setError(err);
    }
  };
  return { error, submit };
}

export function SignIn() {
  const { t } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { error, submit } = useSessionForm('/api/auth/sign-in/email');
  return (
    <form className="panel auth" onSubmit={submit({ email, password })}>
      <h1>{t('signIn')}</h1>
      <Field label={t('email')}><input type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} /></Field>
      <Field label={t('password')}><input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} /></Field>
      <ErrorNote error={error} />
      <button type="submit" className="button">{t('signIn')}</button>
      <p className="muted"><Link to="/signup">{t('signUp')}</Link></p>
    </form>
  );
}

export function SignUp() {
  const { t, country: guessCountry, language: guessLanguage, locale } = useSession();
  // The browser knows its time zone: gifts scheduled for this user arrive at their local time (S2.7).
  const [form, setForm] = useState({ email: '', password: '', name: '', country: guessCountry, language: guessLanguage, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
  const { error, submit } = useSessionForm('/api/accounts');
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <form className="panel auth" onSubmit={submit(form)}>
      <h1>{t('signUp')}</h1>
      <Field label={t('email')}><input type="email" name="email" autoComplete="email" required value={form.email} onChange={set('email')} /></Field>
      <Field label={t('password')} hint="10+"><input type="password" name="password" autoComplete="new-password" minLength={10} required value={form.password} onChange={set('password')} /></Field>
      <Field label={t('name')}><input name="name" required maxLength={100} value={form.name} onChange={set('name')} /></Field>
      <Field label={t('country')} hint={t('residenceNote')}>
        <select name="country" value={form.country} onChange={set('country')}>
          {COUNTRY_CODES.map((c) => <option key={c} value={c}>{countryName(c, locale)}</option>)}
        </select>
      </Field>
      <Field label={t('language')}>
        <select name="language" value={form.language} onChange={set('language')}>
          {LANGUAGES.map((l) => <option key={l} value={l}>{new Intl.DisplayNames([l], { type: 'language' }).of(l)}</option>)}
        </select>
      </Field>
      <p className="muted">{t('currency')}: {defaultCurrencyFor(form.country)}</p>
      <ErrorNote error={error} />
      <button type="submit" className="button">{t('signUp')}</button>
    </form>
  );
}

export function Account() {
  const { me, t, refresh, locale } = useSession();
  const navigate = useNavigate();
  const [prefs, setPrefs] = useState({ language: me?.language ?? 'en', currency: me?.currency ?? 'USD', timeZone: me?.timeZone ?? 'UTC' });
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (me === null) navigate('/login');
    if (me) setPrefs({ language: me.language, currency: me.currency, timeZone: me.timeZone });
  }, [me, navigate]);
  if (!me) return null;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('/api/me', { method: 'PATCH', json: prefs });
      await refresh();
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  const signOut = async () => {
    await api('/api/auth/sign-out', { method: 'POST', json: {} });
    await refresh();
    navigate('/');
  };
  return (
    <form className="panel" onSubmit={save}>
      <h1>{t('account')}</h1>
      <dl className="facts">
        <dt>{t('email')}</dt><dd>{me.email}</dd>
        <dt>{t('name')}</dt><dd>{me.name}</dd>
        <dt>{t('country')}</dt><dd>{countryName(me.country, locale)}</dd>
      </dl>
      <p className="muted">{t('residenceNote')}</p>
      <Field label={t('language')}>
        <select value={prefs.language} onChange={(e) => setPrefs({ ...prefs, language: e.target.value })}>
          {LANGUAGES.map((l) => <option key={l} value={l}>{new Intl.DisplayNames([l], { type: 'language' }).of(l)}</option>)}
        </select>
      </Field>
      <Field label={t('currency')}>
        <input value={prefs.currency} maxLength={3} onChange={(e) => setPrefs({ ...prefs, currency: e.target.value.toUpperCase() })} />
      </Field>
      <Field label="Time zone" hint="Gifts scheduled for you arrive at this zone's local time.">
        <select name="timeZone" value={prefs.timeZone} onChange={(e) => setPrefs({ ...prefs, timeZone: e.target.value })}>
          {[...new Set([prefs.timeZone, ...Intl.supportedValuesOf('timeZone')])].map((z) => <option key={z} value={z}>{z}</option>)}
        </select>
      </Field>
      <ErrorNote error={error} />
      {saved && <p className="ok">✓</p>}
      <div className="row">
        <button type="submit" className="button">{t('save')}</button>
        <button type="button" className="button secondary" onClick={signOut}>{t('signOut')}</button>
      </div>
    </form>
  );
}
