import { useEffect, useState, type FormEvent } from 'react';
import { here, loginFor, safeNext } from '../next.ts';
import QRCode from 'qrcode';
import { browserSupportsWebAuthn, startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import { useNavigate, Link } from 'react-router';
import { api, ApiError, get } from '../api.ts';
import { RESET_PASSWORD_MINUTES } from '../../../src/accounts/limits.ts';
import { Field, ErrorNote } from '../components/Form.tsx';
import { useSession } from '../session.tsx';
import { defaultCurrencyFor } from '../../../src/platform/countries.ts';
import { LANGUAGES } from '../../../src/platform/languages.ts';
import type { ProviderView } from '../../../src/accounts/schemas.ts';
import type { Dict } from '../i18n.ts';
import { countriesByName, countryName } from '../format.ts';

/**
 * Posts credentials, then reloads the session and goes home; an API refusal is shown in the form. When the
 * account has two-factor authentication on, the answer asks for a code instead (`challenge`).
 */
function useSessionForm(path: string) {
  const { refresh } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const [challenge, setChallenge] = useState(false);
  const done = async () => {
    await refresh();
    void navigate(safeNext(location.search));
  };
  const submit = (body: unknown) => async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const { data } = await api<{ twoFactorRedirect?: boolean }>(path, { method: 'POST', json: body });
      if (data?.twoFactorRedirect) setChallenge(true);
      else await done();
    } catch (err) {
      setError(err);
    }
  };
  const verify = (code: string) => async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      // Six digits: the authenticator's code; anything longer: one of the backup codes.
      const backup = code.replace(/\s/g, '').length > 6;
      await api(backup ? '/api/auth/two-factor/verify-backup-code' : '/api/auth/two-factor/verify-totp', {
        method: 'POST',
        json: { code: code.trim() },
      });
      await done();
    } catch (err) {
      setError(err);
    }
  };
  return { error, submit, challenge, verify };
}

/** R7: sign in with this deployment's social / OIDC providers, those of the visitor's country first. */
function ProviderButtons({ intent }: { intent: 'sign-in' | 'link' }) {
  const [providers, setProviders] = useState<ProviderView[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api<ProviderView[]>('/api/auth-providers').then((r) => setProviders(r.data), setError);
  }, []);
  if (!providers.length) return null;
  const go = async (id: string) => {
    try {
      const path = intent === 'link' ? '/api/auth/link-social' : '/api/auth/sign-in/social';
      const { data } = await api<{ url: string }>(path, {
        method: 'POST',
        json: {
          provider: id,
          callbackURL: intent === 'link' ? '/account' : safeNext(location.search),
          errorCallbackURL: intent === 'link' ? '/account' : '/login',
        },
      });
      location.assign(data.url);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="providers" data-testid="providers">
      {providers.map((p) => (
        <button key={p.id} type="button" className={`button secondary provider ${p.local ? 'local' : ''}`} onClick={() => go(p.id)}>
          {intent === 'link' ? `Link ${p.name}` : `Continue with ${p.name}`}
        </button>
      ))}
      <ErrorNote error={error} />
    </div>
  );
}

/** The browser's own refusals (the user closed the prompt, a timeout) are not errors to show as text from the API. */
/**
 * A passkey belongs to the store's domain (the RP ID): on another spelling of the address (127.0.0.1 for a store whose
 * RP ID is localhost) the browser refuses it, so say where it works instead of showing the browser's SecurityError.
 */
function assertOnRelyingParty(rpId: string | undefined) {
  if (!rpId || location.hostname === rpId || location.hostname.endsWith(`.${rpId}`)) return;
  const there = new URL(location.href);
  there.hostname = rpId;
  throw new Error(`Passkeys work at ${there.origin}: open the store there and try again.`);
}

function passkeyError(err: unknown, t: ReturnType<typeof useSession>['t']): unknown {
  if (err instanceof WebAuthnError || (err instanceof Error && err.name === 'NotAllowedError')) return new Error(t('passkeyCancelled'));
  return err;
}

/** R7: usernameless sign-in with a passkey (the browser asks which one, and for the PIN or fingerprint). */
function PasskeySignIn() {
  const { t, refresh } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  if (!browserSupportsWebAuthn()) return null;
  const go = async () => {
    setError(undefined);
    try {
      const { data: optionsJSON } = await api<Parameters<typeof startAuthentication>[0]['optionsJSON']>(
        '/api/auth/sign-in/passkey/options',
        {
          method: 'POST',
          json: {},
        },
      );
      assertOnRelyingParty(optionsJSON.rpId);
      const response = await startAuthentication({ optionsJSON });
      await api('/api/auth/sign-in/passkey', { method: 'POST', json: { response } });
      await refresh();
      void navigate(safeNext(location.search));
    } catch (err) {
      setError(passkeyError(err, t));
    }
  };
  return (
    <div className="providers" data-testid="passkey-sign-in">
      <button type="button" className="button secondary" onClick={go}>
        {t('passkeySignIn')}
      </button>
      <ErrorNote error={error} />
    </div>
  );
}

interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  backedUp: boolean;
}

/** R7: the account's passkeys: add one from this device, see when each was last used, remove one. */
function Passkeys() {
  const { t, locale } = useSession();
  const [keys, setKeys] = useState<PasskeyView[]>();
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const load = () => api<PasskeyView[]>('/api/auth/passkey/list').then((r) => setKeys(r.data), setError);
  useEffect(() => {
    void load();
  }, []);
  const date = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const { data: optionsJSON } = await api<Parameters<typeof startRegistration>[0]['optionsJSON']>(
        '/api/auth/passkey/register-options',
        {
          method: 'POST',
          json: {},
        },
      );
      assertOnRelyingParty(optionsJSON.rp.id);
      const response = await startRegistration({ optionsJSON });
      await api('/api/auth/passkey/register', { method: 'POST', json: { response, name: name.trim() || undefined } });
      setName('');
      await load();
    } catch (err) {
      setError(passkeyError(err, t));
    }
  };
  const remove = async (id: string) => {
    setError(undefined);
    try {
      await api('/api/auth/passkey/delete', { method: 'POST', json: { id } });
      await load();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="panel" data-testid="passkeys" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">{t('passkeys')}</h2>
      <p className="muted">{t('passkeyIntro')}</p>
      {keys && !keys.length && <p className="muted">{t('passkeyNone')}</p>}
      {!!keys?.length && (
        <ul className="plain">
          {keys.map((k) => (
            <li key={k.id} className="row" data-testid="passkey">
              <strong>{k.name}</strong>
              <span className="muted">
                {date(k.createdAt)} · {k.lastUsedAt ? t('passkeyLastUsed').replace('{when}', date(k.lastUsedAt)) : t('passkeyNeverUsed')}
              </span>
              <button type="button" className="button secondary" onClick={() => void remove(k.id)}>
                {t('passkeyRemove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {browserSupportsWebAuthn() ? (
        <form className="row" onSubmit={add}>
          <label className="sr-only" htmlFor="passkey-name">
            {t('passkeyName')}
          </label>
          <input
            id="passkey-name"
            name="passkeyName"
            placeholder={t('passkeyName')}
            maxLength={60}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="button">
            {t('passkeyAdd')}
          </button>
        </form>
      ) : (
        <p className="muted">{t('passkeyUnsupported')}</p>
      )}
      <ErrorNote error={error} />
    </section>
  );
}

const SIGN_IN_ERRORS: Record<string, keyof Dict> = {
  account_not_linked: 'signInAccountNotLinked',
  two_factor_password_sign_in: 'signInTwoFactorPassword',
};

export function SignIn() {
  const { t } = useSession();
  const providerError = new URLSearchParams(location.search).get('error');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const { error, submit, challenge, verify } = useSessionForm('/api/auth/sign-in/email');
  if (challenge) {
    return (
      <form className="panel auth" onSubmit={verify(code)} data-testid="two-factor-challenge">
        <h1>{t('tfaTitle')}</h1>
        <p className="muted">{t('tfaEnterCode')}</p>
        <Field label={t('tfaCode')}>
          <input
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" className="button">
          {t('tfaVerify')}
        </button>
      </form>
    );
  }
  return (
    <form className="panel auth" onSubmit={submit({ email, password })}>
      <h1>{t('signIn')}</h1>
      {providerError && (
        <p className="error" role="alert">
          {t(SIGN_IN_ERRORS[providerError] ?? 'signInProviderFailed')}
        </p>
      )}
      <ProviderButtons intent="sign-in" />
      <PasskeySignIn />
      <Field label={t('email')}>
        <input type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label={t('password')}>
        <input
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <ErrorNote error={error} />
      <button type="submit" className="button">
        {t('signIn')}
      </button>
      <p className="muted">
        <Link to="/forgot-password">{t('forgotPassword')}</Link>
      </p>
      <p className="muted">
        <Link to="/signup">{t('signUp')}</Link>
      </p>
    </form>
  );
}

/** A form that posts once: the last refusal is shown (put in better words by `explain` where it knows them). */
function useFormPost(explain: (err: unknown) => unknown = (err) => err) {
  const [error, setError] = useState<unknown>();
  const post = (path: string, json: unknown, then: () => void) => async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api(path, { method: 'POST', json });
      then();
    } catch (err) {
      setError(explain(err));
    }
  };
  return { error, post };
}

/** R7: "forgot your password": the mail with a link goes out whether or not the address has an account (the answer is the same). */
export function ForgotPassword() {
  const { t } = useSession();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string>();
  const { error, post } = useFormPost();
  return (
    <form className="panel auth" onSubmit={post('/api/auth/request-password-reset', { email }, () => setSent(email))}>
      <h1>{t('forgotTitle')}</h1>
      {sent ? (
        <p role="status">{t('forgotSent', { email: sent, minutes: RESET_PASSWORD_MINUTES })}</p>
      ) : (
        <>
          <p className="muted">{t('forgotIntro')}</p>
          <Field label={t('email')}>
            <input type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <ErrorNote error={error} />
          <button type="submit" className="button">
            {t('forgotSend')}
          </button>
        </>
      )}
      <p className="muted">
        <Link to="/login">{t('signIn')}</Link>
      </p>
    </form>
  );
}

/** R7: the mailed link's page. Its token rides in the fragment (never sent to a server or in a Referer). */
export function ResetPassword() {
  const { t } = useSession();
  const [token] = useState(() => new URLSearchParams(location.hash.slice(1)).get('token') ?? '');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { error, post } = useFormPost((err) =>
    err instanceof ApiError && err.code === 'invalid_token' ? new Error(t('resetInvalid')) : err,
  );
  useEffect(() => {
    // The token is kept in memory; the address bar (and history) forget it.
    if (location.hash) history.replaceState(null, '', location.pathname);
  }, []);
  return (
    <form className="panel auth" onSubmit={post('/api/auth/reset-password', { token, newPassword: password }, () => setDone(true))}>
      <h1>{t('resetTitle')}</h1>
      {done ? (
        <p role="status">{t('resetDone')}</p>
      ) : !token ? (
        <p className="error" role="alert">
          {t('resetNoToken')}
        </p>
      ) : (
        <>
          <NewPassword label={t('resetNew')} name="newPassword" value={password} onChange={(e) => setPassword(e.target.value)} />
          <ErrorNote error={error} />
          <button type="submit" className="button">
            {t('resetSave')}
          </button>
        </>
      )}
      <p className="muted">{done ? <Link to="/login">{t('signIn')}</Link> : <Link to="/forgot-password">{t('forgotSend')}</Link>}</p>
    </form>
  );
}

/** A password being chosen (sign-up, reset): the browser may suggest one; the store asks for 10 characters or more. */
function NewPassword(p: { label: string; name: string; value: string; onChange: (e: { target: { value: string } }) => void }) {
  return (
    <Field label={p.label} hint="10+">
      <input type="password" name={p.name} autoComplete="new-password" minLength={10} required value={p.value} onChange={p.onChange} />
    </Field>
  );
}

export function SignUp() {
  const { t, country: guessCountry, language: guessLanguage, locale } = useSession();
  // The browser knows its time zone: gifts scheduled for this user arrive at their local time (S2.7).
  const [form, setForm] = useState({
    email: '',
    password: '',
    name: '',
    country: guessCountry,
    language: guessLanguage,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  const { error, submit } = useSessionForm('/api/accounts');
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <form className="panel auth" onSubmit={submit(form)}>
      <h1>{t('signUp')}</h1>
      <Field label={t('email')}>
        <input type="email" name="email" autoComplete="email" required value={form.email} onChange={set('email')} />
      </Field>
      <NewPassword label={t('password')} name="password" value={form.password} onChange={set('password')} />
      <Field label={t('name')}>
        <input name="name" required maxLength={100} value={form.name} onChange={set('name')} />
      </Field>
      <Field label={t('country')} hint={t('residenceNote')}>
        <select name="country" value={form.country} onChange={set('country')}>
          {countriesByName(locale).map((c) => (
            <option key={c} value={c}>
              {countryName(c, locale)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('language')}>
        <select name="language" value={form.language} onChange={set('language')}>
          {LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {new Intl.DisplayNames([l], { type: 'language' }).of(l)}
            </option>
          ))}
        </select>
      </Field>
      <p className="muted">
        {t('currency')}: {defaultCurrencyFor(form.country)}
      </p>
      <ErrorNote error={error} />
      <button type="submit" className="button">
        {t('signUp')}
      </button>
    </form>
  );
}

/** R7: turn on two-factor authentication with an authenticator app (TOTP) and keep the backup codes. */
function TwoFactorSetup() {
  const { me, refresh, t } = useSession();
  const [password, setPassword] = useState('');
  const [setup, setSetup] = useState<{ totpURI: string; backupCodes: string[] }>();
  const [qr, setQr] = useState<string>();
  useEffect(() => {
    if (setup)
      QRCode.toString(setup.totpURI, { type: 'svg', margin: 2 }).then(
        (svg) => setQr(`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`),
        () => setQr(undefined),
      );
  }, [setup]);
  /** The key inside the otpauth:// URI, in groups of four, for apps where it is typed in. */
  const key = setup ? (new URL(setup.totpURI).searchParams.get('secret') ?? '').replace(/(.{4})/g, '$1 ').trim() : '';
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>();
  if (!me) return null;
  if (me.twoFactor)
    return (
      <p className="ok" data-testid="two-factor-on">
        {t('tfaOn')}
      </p>
    );
  const start = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      setSetup(
        (await api<{ totpURI: string; backupCodes: string[] }>('/api/auth/two-factor/enable', { method: 'POST', json: { password } })).data,
      );
    } catch (err) {
      setError(err);
    }
  };
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('/api/auth/two-factor/verify-totp', { method: 'POST', json: { code } });
      await refresh();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="panel" data-testid="two-factor-setup">
      <h2>{t('tfaTitle')}</h2>
      {me.role === 'operator' && <p className="error">{t('tfaOperatorsMust')}</p>}
      {!setup ? (
        <form onSubmit={start} className="row">
          <label className="sr-only" htmlFor="tfa-password">
            {t('yourPassword')}
          </label>
          <input
            id="tfa-password"
            type="password"
            name="tfaPassword"
            placeholder={t('yourPassword')}
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button className="button" type="submit">
            {t('tfaSetUp')}
          </button>
        </form>
      ) : (
        <form onSubmit={confirm}>
          <p>{t('tfaScan')}</p>
          {qr && <img className="totp-qr" src={qr} alt={t('tfaQrAlt')} width={180} height={180} data-testid="totp-qr" />}
          <p>
            {t('tfaKey')}{' '}
            <code className="secret" data-testid="totp-key">
              {key}
            </code>
          </p>
          <details>
            <summary>{t('tfaSetupLink')}</summary>
            <code className="secret" data-testid="totp-uri">
              {setup.totpURI}
            </code>
          </details>
          <p>{t('tfaBackupCodes')}</p>
          <ul className="backup-codes">
            {setup.backupCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <Field label={t('tfaCodeFromApp')}>
            <input
              name="totpCode"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </Field>
          <button className="button" type="submit">
            {t('tfaTurnOn')}
          </button>
        </form>
      )}
      <ErrorNote error={error} />
    </section>
  );
}

/** R7: the ways this account can sign in; link more, unlink any but the last. */
function LinkedAccounts() {
  const { t } = useSession();
  const [accounts, setAccounts] = useState<{ id: string; providerId: string }[]>();
  const [error, setError] = useState<unknown>();
  const load = () => api<{ id: string; providerId: string }[]>('/api/auth/list-accounts').then((r) => setAccounts(r.data), setError);
  useEffect(() => void load(), []);
  const unlink = async (id: string) => {
    setError(undefined);
    try {
      await api('/api/auth/unlink-account', { method: 'POST', json: { accountId: id } });
      await load();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="panel" data-testid="linked-accounts">
      <h2>{t('waysToSignIn')}</h2>
      <ul>
        {accounts?.map((a) => (
          <li key={a.id} className="row">
            <span>{a.providerId === 'credential' ? t('emailAndPassword') : a.providerId}</span>
            {accounts.length > 1 && (
              <button type="button" className="link" onClick={() => unlink(a.id)}>
                {t('unlink')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <ProviderButtons intent="link" />
      <ErrorNote error={error} />
    </section>
  );
}

export function Account() {
  const { me, t, refresh, locale } = useSession();
  const navigate = useNavigate();
  const [prefs, setPrefs] = useState({ language: me?.language ?? 'en', currency: me?.currency ?? 'USD', timeZone: me?.timeZone ?? 'UTC' });
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (me === null) void navigate(loginFor(here()));
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
    void navigate('/');
  };
  return (
    <>
      <form className="panel" onSubmit={save}>
        <h1>{t('account')}</h1>
        <dl className="facts">
          <dt>{t('email')}</dt>
          <dd>{me.email}</dd>
          <dt>{t('name')}</dt>
          <dd>{me.name}</dd>
          <dt>{t('country')}</dt>
          <dd>{countryName(me.country, locale)}</dd>
        </dl>
        <p className="muted">{t('residenceNote')}</p>
        <Field label={t('language')}>
          <select value={prefs.language} onChange={(e) => setPrefs({ ...prefs, language: e.target.value })}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {new Intl.DisplayNames([l], { type: 'language' }).of(l)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('currency')}>
          <input value={prefs.currency} maxLength={3} onChange={(e) => setPrefs({ ...prefs, currency: e.target.value.toUpperCase() })} />
        </Field>
        <Field label={t('timeZone')} hint={t('timeZoneHint')}>
          <select name="timeZone" value={prefs.timeZone} onChange={(e) => setPrefs({ ...prefs, timeZone: e.target.value })}>
            {[...new Set([prefs.timeZone, ...Intl.supportedValuesOf('timeZone')])].map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </Field>
        <ErrorNote error={error} />
        {saved && <p className="ok">✓</p>}
        <div className="row">
          <button type="submit" className="button">
            {t('save')}
          </button>
          <button type="button" className="button secondary" onClick={signOut}>
            {t('signOut')}
          </button>
        </div>
      </form>
      <MailPreferences />
      <TwoFactorSetup />
      <Passkeys />
      <LinkedAccounts />
    </>
  );
}

/** Optional mails (S1.2): the new-release mail can be turned off here or with one click in the mail itself. */
function MailPreferences() {
  const { t } = useSession();
  const [releaseMails, setReleaseMails] = useState<boolean>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    get<{ releaseMails: boolean }>('/api/me/mail-preferences').then((p) => setReleaseMails(p.releaseMails), setError);
  }, []);
  const change = async (wanted: boolean) => {
    try {
      const r = await api<{ releaseMails: boolean }>('/api/me/mail-preferences', { method: 'PUT', json: { releaseMails: wanted } });
      setReleaseMails(r.data.releaseMails);
    } catch (err) {
      setError(err);
    }
  };
  if (releaseMails === undefined) return <ErrorNote error={error} />;
  return (
    <section className="panel">
      <h2>{t('mailTitle')}</h2>
      <label className="check">
        <input type="checkbox" checked={releaseMails} onChange={(e) => void change(e.target.checked)} data-testid="release-mails" />{' '}
        {t('releaseMails')}
      </label>
      <ErrorNote error={error} />
    </section>
  );
}
