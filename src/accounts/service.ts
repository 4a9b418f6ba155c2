import type { Clock } from '../platform/clock.ts';
import type { AppError } from '../platform/errors.ts';
import { accountError } from './errors.ts';
import { countryNoun as countryName } from '../platform/errors.ts';
import { isLanguage } from '../platform/languages.ts';
import { isCurrency } from '../platform/money.ts';
import { defaultCurrencyFor, defaultTimeZoneFor, isCountry, isTimeZone } from '../platform/countries.ts';
import type { Shopper } from '../platform/shopper.ts';
import type { Auth } from './auth.ts';
import { RESET_PASSWORD_MINUTES } from './limits.ts';
import type { Mail } from '../platform/mail/outbox.ts';
import { passwordChangedMail, passwordResetMail } from './mail.ts';
import type { AccountStore, ProfileRow } from './store.ts';
import type { Me, Preferences, SignUp } from './schemas.ts';
import type { NotifiedCache } from '../platform/db/notified-cache.ts';

/** Better Auth's session cookie (signed: `<token>.<signature>`); `__Secure-` over HTTPS. */
export const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?better-auth\.session_token=([^;]+)/;
/** What the accounts' triggers NOTIFY on when a user, one of their sessions or their profile changes (payload: user id). */
export const ACCOUNT_CHANNEL = 'account_changed';

export interface Viewer {
  userId: string;
  email: string;
  name: string;
  profile: ProfileRow;
  /** Authenticated by a bearer access token rather than a session cookie. */
  viaToken?: boolean;
  /** Two-factor authentication is on for this account. */
  twoFactor: boolean;
  /** The session behind a cookie sign-in (absent for bearer tokens). */
  sessionId?: string;
}

/** What an anonymous visitor chose in the storefront (cookies) or what the deployment defaults to. */
export interface AnonymousChoice {
  country?: string;
  language?: string;
}

export class AccountService {
  constructor(
    private readonly auth: Auth,
    private readonly store: AccountStore,
    private readonly clock: Clock,
    private readonly defaults: {
      country: string;
      language: string;
      residenceChangeDays?: number;
      signUpCountryCheck?: 'warn' | 'block' | 'off';
    },
    /** Where residence evidence is recorded (the region audit log): refused changes, sign-ups from another country. */
    private readonly audit: (e: {
      action: 'change_residence' | 'sign_up';
      outcome: 'refused' | 'warned';
      userId: string | null;
      residence: string;
      ipCountry?: string;
      reason: string;
      message: string;
    }) => Promise<void> = async () => undefined,
    /** Signed-in viewers by session cookie (see `viewer`); none in scripts and unit tests. */
    private readonly viewers?: NotifiedCache<(Viewer & { sessionExpiresAt: Date }) | undefined>,
    /** Account mail (password reset, security notices): written to the mail outbox; none in scripts and unit tests. */
    private readonly mail?: { publicUrl: string; send(m: Mail): Promise<void> },
  ) {}

  /**
   * R7: the mail with a password-reset link. The token travels in the link's fragment, which browsers never send to
   * a server or in a Referer: the reset page reads it and posts it.
   */
  mailPasswordReset(userId: string, token: string): Promise<void> {
    return this.mailAccount(userId, `password-reset:${token}`, (c, site) =>
      passwordResetMail(c.language, {
        name: c.name,
        link: `${site}/reset-password#token=${encodeURIComponent(token)}`,
        minutes: RESET_PASSWORD_MINUTES,
      }),
    );
  }

  /** R7: tells the owner their password changed, with the way back if it was not them. */
  mailPasswordChanged(userId: string): Promise<void> {
    return this.mailAccount(userId, `password-changed:${userId}:${this.clock.now().getTime()}`, (c, site) =>
      passwordChangedMail(c.language, { name: c.name, link: `${site}/forgot-password` }),
    );
  }

  /** A mail to an account's own address, in its language; nothing where this service sends no mail. */
  private async mailAccount(
    userId: string,
    dedupeKey: string,
    write: (c: { name: string; language: string }, site: string) => Pick<Mail, 'subject' | 'text'>,
  ): Promise<void> {
    if (!this.mail) return;
    const [c] = await this.store.contacts([userId]);
    if (c) await this.mail.send({ to: c.email, dedupeKey, ...write(c, this.mail.publicUrl) });
  }

  /** Other contexts' way to people (friends, gifts): id and name, email only for mail. Never another context's SQL on `user`. */
  searchPeople(term: string, exceptId: string, limit: number): Promise<{ id: string; name: string }[]> {
    return this.store.searchPeople(term, term, exceptId, limit);
  }

  /** Mail recipients: address, name, residence, language and currency of each user (unknown ids are left out). */
  contacts(
    ids: string[],
  ): Promise<{ id: string; name: string; email: string; country: string; language: string; currency: string; time_zone: string }[]> {
    return this.store.contacts([...new Set(ids)]);
  }

  people(ids: string[]): Promise<{ id: string; name: string; email: string }[]> {
    return this.store.people([...new Set(ids)]);
  }

  /**
   * R12: the country of residence is set at sign-up and changes only under this rule — at most once per
   * RESIDENCE_CHANGE_DAYS (the first change is free), and only from a connection in the new country (the
   * request's IP country is the proof). The currency follows the new country. Refusals are audited.
   */
  async changeResidence(userId: string, country: string, ipCountry: string | undefined): Promise<Me> {
    if (!isCountry(country)) throw accountError(400, 'unknown_country', { country });
    const profile = await this.store.profile(userId);
    if (!profile) throw accountError(401, 'not_signed_in');
    // Refused: recorded for operators (in English, the audit log's language) and answered in the user's language.
    const refuse = async (error: AppError): Promise<never> => {
      await this.audit({
        action: 'change_residence',
        outcome: 'refused',
        userId,
        residence: profile.country,
        ipCountry,
        reason: error.code,
        message: error.message,
      });
      throw error;
    };
    if (country === profile.country) await refuse(accountError(409, 'same_residence'));
    const days = this.defaults.residenceChangeDays ?? 90;
    const now = this.clock.now();
    if (profile.country_changed_at && now.getTime() - profile.country_changed_at.getTime() < days * 86_400_000) {
      const next = new Date(profile.country_changed_at.getTime() + days * 86_400_000).toISOString().slice(0, 10);
      await refuse(accountError(409, 'residence_change_too_soon', { days, next }));
    }
    if (ipCountry !== country) {
      await refuse(
        ipCountry
          ? accountError(403, 'residence_proof_required.from', { country: countryName(country), from: countryName(ipCountry) })
          : accountError(403, 'residence_proof_required.unknown', { country: countryName(country) }),
      );
    }
    await this.store.setResidence(userId, { country, currency: defaultCurrencyFor(country), country_changed_at: now });
    this.viewers?.invalidate(userId); // this node at once; the others when the trigger's NOTIFY arrives
    return this.me(userId);
  }

  private validateRegion(country: string, language: string, currency: string | undefined, timeZone?: string): void {
    if (timeZone && !isTimeZone(timeZone)) throw accountError(400, 'unknown_time_zone', { zone: timeZone });
    if (!isCountry(country)) throw accountError(400, 'unknown_country', { country });
    if (!isLanguage(language)) throw accountError(400, 'unsupported_language', { language });
    if (currency && !isCurrency(currency)) throw accountError(400, 'unknown_currency', { currency });
  }

  /**
   * Every new user gets a profile at once (Better Auth's create hook): for a social or OIDC sign-up the
   * residence is the country of the connection, else the deployment's default; the user can move it once under
   * the residence rule. Email sign-ups then set the values chosen in the form.
   */
  async ensureProfile(userId: string, country: string | undefined): Promise<void> {
    const c = country && isCountry(country) ? country : this.defaults.country;
    await this.store.insertDefaultProfile({
      user_id: userId,
      country: c,
      language: this.defaults.language,
      currency: defaultCurrencyFor(c),
      time_zone: defaultTimeZoneFor(c),
      role: 'player',
      created_at: this.clock.now(),
    });
  }

  /** Creates the Better Auth user and its profile; returns the session cookies Better Auth set. */
  /**
   * R12: sign-up with a country of residence. The declared country is compared with the connection's (when it is
   * known): by default a difference is allowed — travellers, VPNs — and recorded as evidence for operators
   * (region decisions, action sign_up); with SIGNUP_COUNTRY_CHECK=block it is refused.
   */
  async signUp(input: SignUp, role: ProfileRow['role'] = 'player', ipCountry?: string): Promise<{ me: Me; headers: Headers }> {
    this.validateRegion(input.country, input.language, input.currency, input.timeZone);
    const check = this.defaults.signUpCountryCheck ?? 'warn';
    const differs = check !== 'off' && ipCountry !== undefined && ipCountry !== input.country;
    if (differs && check === 'block') {
      const error = accountError(403, 'residence_not_where_you_are', { from: countryName(ipCountry) });
      await this.audit({
        action: 'sign_up',
        outcome: 'refused',
        userId: null,
        residence: input.country,
        ipCountry,
        reason: error.code,
        message: error.message,
      });
      throw error;
    }
    if (await this.store.userByEmail(input.email)) {
      throw accountError(409, 'email_taken');
    }
    const { headers, response } = await this.auth.api.signUpEmail({
      body: { email: input.email, password: input.password, name: input.name },
      returnHeaders: true,
    });
    const userId = response.user.id;
    try {
      await this.store.insertProfile({
        user_id: userId,
        country: input.country,
        language: input.language,
        currency: input.currency ?? defaultCurrencyFor(input.country),
        time_zone: input.timeZone ?? defaultTimeZoneFor(input.country),
        role,
        created_at: this.clock.now(),
      });
    } catch (err) {
      // Never leave a user without a profile: undo the sign-up and report.
      await this.store.deleteUser(userId);
      throw err;
    }
    if (differs) {
      await this.audit({
        action: 'sign_up',
        outcome: 'warned',
        userId,
        residence: input.country,
        ipCountry,
        reason: 'residence_differs_from_connection',
        message: `Signed up as a resident of ${regionName(input.country)} from a connection in ${regionName(ipCountry)}.`,
      });
    }
    return { me: await this.me(userId), headers };
  }

  /** When the account was created (promotions for new accounts). */
  async createdAt(userId: string): Promise<Date | undefined> {
    return (await this.store.profile(userId))?.created_at;
  }

  async me(userId: string): Promise<Me> {
    const [profile, user] = await Promise.all([this.store.profile(userId), this.store.userById(userId)]);
    if (!profile || !user) throw accountError(401, 'not_signed_in');
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      country: profile.country,
      language: profile.language,
      currency: profile.currency,
      timeZone: profile.time_zone,
      role: profile.role,
      twoFactor: Boolean(user.twoFactorEnabled),
    };
  }

  async updatePreferences(userId: string, prefs: Preferences): Promise<Me> {
    const current = await this.me(userId);
    this.validateRegion(current.country, prefs.language ?? current.language, prefs.currency, prefs.timeZone);
    await this.store.updatePreferences(userId, { language: prefs.language, currency: prefs.currency, time_zone: prefs.timeZone });
    this.viewers?.invalidate(userId);
    return this.me(userId);
  }

  /**
   * R7 D2: a TOTP code signs in once. Called after the two-factor step accepted `code` and made `sessionToken`:
   * a code that had signed this user in before is a replay (it was seen over a shoulder, on a phishing page), so
   * the new session is deleted and false returned.
   */
  async acceptTotpOnce(userId: string, code: string, sessionToken: string | undefined): Promise<boolean> {
    if (await this.store.firstTotpUse(userId, code)) return true;
    if (sessionToken) await (await this.auth.$context).internalAdapter.deleteSession(sessionToken);
    return false;
  }

  /**
   * The signed-in user behind a request's cookies, or undefined for a visitor. With a viewer cache, a session seen in
   * the last half minute is answered from memory, without a database round trip; any change to the user, their
   * sessions or their profile drops it on every node (triggers NOTIFY `account_changed`, see migrations), and it never
   * outlives the session. `headers` is only built on a miss.
   */
  async viewer(cookie: string | undefined, headers: () => Headers): Promise<Viewer | undefined> {
    const token = cookie && SESSION_COOKIE.exec(cookie)?.[1];
    if (!token) return undefined; // no session cookie: a visitor (Better Auth would say the same, at some cost)
    if (!this.viewers) return this.readViewer(headers());
    return this.viewers.through(token, () => this.readViewer(headers()), {
      tag: (v) => v?.userId,
      // Better Auth dates sessions by the real clock, not the store's (which tests and DEV_CLOCK move).
      ttlMs: (v) => (v ? v.sessionExpiresAt.getTime() - Date.now() : 0),
    });
  }

  private async readViewer(headers: Headers): Promise<(Viewer & { sessionExpiresAt: Date }) | undefined> {
    // From the database, not Better Auth's signed cookie cache: a session signed out or revoked a moment ago, on any
    // node, must not be believed for the cookie cache's minute (the viewer cache above spares the reads instead).
    const session = await this.auth.api.getSession({ headers, query: { disableCookieCache: true } });
    if (!session) return undefined;
    // D2: for an account with two-factor authentication on, only a session that passed the second factor is a
    // sign-in (one made before it was turned on, or by a path that skipped it, is not).
    const twoFactorOn = Boolean((session.user as { twoFactorEnabled?: boolean | null }).twoFactorEnabled);
    if (twoFactorOn && !(session.session as { secondFactorAt?: Date | string | null }).secondFactorAt) return undefined;
    const profile = await this.store.profile(session.user.id);
    if (!profile) return undefined;
    return {
      userId: session.user.id,
      email: session.user.email,
      name: session.user.name,
      profile,
      twoFactor: twoFactorOn,
      sessionId: session.session.id,
      sessionExpiresAt: new Date(session.session.expiresAt),
    };
  }

  /** Country, currency and language used to price and describe games for this request. */
  shopper(viewer: Viewer | undefined, anonymous: AnonymousChoice): Shopper {
    if (viewer) return { country: viewer.profile.country, currency: viewer.profile.currency, language: viewer.profile.language };
    const country = anonymous.country && isCountry(anonymous.country) ? anonymous.country : this.defaults.country;
    const language = anonymous.language && isLanguage(anonymous.language) ? anonymous.language : this.defaults.language;
    return { country, currency: defaultCurrencyFor(country), language };
  }

  /** Creates an operator, or promotes an existing account; used by the CLI and OPERATOR_EMAIL at start. */
  async ensureOperator(email: string, password: string, country = this.defaults.country): Promise<{ userId: string; created: boolean }> {
    const existing = await this.store.userByEmail(email);
    if (existing) {
      const profile = await this.store.profile(existing.id);
      if (!profile) {
        await this.store.insertProfile({
          user_id: existing.id,
          country,
          language: this.defaults.language,
          currency: defaultCurrencyFor(country),
          time_zone: defaultTimeZoneFor(country),
          role: 'operator',
          created_at: this.clock.now(),
        });
      } else await this.store.setRole(existing.id, 'operator');
      this.viewers?.invalidate(existing.id);
      return { userId: existing.id, created: false };
    }
    const { me } = await this.signUp({ email, password, name: 'Store operator', country, language: this.defaults.language }, 'operator');
    return { userId: me.id, created: true };
  }
}

const regionName = (code: string) => new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
