import { sql, type Kysely, type Selectable, type ColumnType, type Generated, type Insertable } from 'kysely';

export interface ProfilesTable {
  user_id: string;
  country: string;
  language: string;
  currency: string;
  time_zone: ColumnType<string, string | undefined, string>;
  role: 'player' | 'operator';
  country_changed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: ColumnType<Date, Date, never>;
}
/** Better Auth's user table, read-only from our side (email lookups for the operator CLI). */
export interface UserTable {
  id: string;
  email: string;
  name: string;
  /** Added by Better Auth's two-factor plugin. */
  twoFactorEnabled: boolean | null;
}
/** R7: a user's passkeys (WebAuthn credentials): the public key and the signature counter. */
export interface PasskeysTable {
  id: Generated<string>;
  user_id: string;
  credential_id: string;
  public_key: Buffer;
  counter: ColumnType<string, number, number>;
  transports: string[];
  device_type: string;
  backed_up: boolean;
  aaguid: string;
  name: string;
  created_at: Generated<Date>;
  last_used_at: ColumnType<Date | null, never, Date>;
}
export interface AccountTables {
  account_profiles: ProfilesTable;
  passkeys: PasskeysTable;
  user: UserTable;
  totp_code_uses: { user_id: string; code: string; used_at: Date };
}
export type ProfileRow = Selectable<ProfilesTable>;

export class AccountStore {
  constructor(private readonly db: Kysely<AccountTables>) {}

  /** Records a TOTP code that signed the user in; false when it already had (a replay). Forgets old codes. */
  async firstTotpUse(userId: string, code: string): Promise<boolean> {
    const r = await sql<{ ok: number }>`
      with forget as (delete from totp_code_uses where used_at < now() - interval '5 minutes')
      insert into totp_code_uses (user_id, code, used_at) values (${userId}, ${code}, now())
      on conflict do nothing returning 1 as ok`.execute(this.db);
    return r.rows.length > 0;
  }

  passkeysOf(userId: string) {
    return this.db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  }

  passkeyByCredential(credentialId: string) {
    return this.db.selectFrom('passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
  }

  /** Adds a passkey; undefined when that credential is registered already (the unique credential_id decides). */
  addPasskey(p: Insertable<PasskeysTable>) {
    return this.db
      .insertInto('passkeys')
      .values(p)
      .onConflict((oc) => oc.column('credential_id').doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Records a sign-in with the passkey. The signature counter may only grow (authenticators that keep no counter
   * always send 0): the condition is in the UPDATE, so two sign-ins racing with one counter value cannot both pass.
   */
  async usePasskey(id: string, counter: number): Promise<boolean> {
    const r = await this.db
      .updateTable('passkeys')
      .set({ counter, last_used_at: new Date() })
      .where('id', '=', id)
      .where((eb) => (counter === 0 ? eb('counter', '=', '0') : eb('counter', '<', String(counter))))
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async deletePasskey(userId: string, id: string): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
    const r = await this.db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  profile(userId: string): Promise<ProfileRow | undefined> {
    return this.db.selectFrom('account_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** Creates the profile, or sets the chosen values on the default one the sign-up hook already made. */
  async insertProfile(p: Omit<ProfileRow, 'country_changed_at'>): Promise<void> {
    const { user_id: _id, created_at: _at, ...chosen } = p;
    await this.db
      .insertInto('account_profiles')
      .values(p)
      .onConflict((oc) => oc.column('user_id').doUpdateSet(chosen))
      .execute();
  }

  /** A default profile for a user created without our sign-up form (social / OIDC); never overwrites. */
  async insertDefaultProfile(p: Omit<ProfileRow, 'country_changed_at'>): Promise<void> {
    await this.db
      .insertInto('account_profiles')
      .values(p)
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
  }

  async updatePreferences(userId: string, prefs: { language?: string; currency?: string; time_zone?: string }): Promise<void> {
    if (!prefs.language && !prefs.currency && !prefs.time_zone) return;
    await this.db.updateTable('account_profiles').set(prefs).where('user_id', '=', userId).execute();
  }

  async setResidence(userId: string, r: { country: string; currency: string; country_changed_at: Date }): Promise<void> {
    await this.db.updateTable('account_profiles').set(r).where('user_id', '=', userId).execute();
  }

  async setRole(userId: string, role: ProfileRow['role']): Promise<void> {
    await this.db.updateTable('account_profiles').set({ role }).where('user_id', '=', userId).execute();
  }

  userByEmail(email: string) {
    return this.db.selectFrom('user').select(['id', 'email', 'name']).where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  userById(id: string) {
    return this.db.selectFrom('user').select(['id', 'email', 'name', 'twoFactorEnabled']).where('id', '=', id).executeTakeFirst();
  }

  /** People whose name starts with `prefix` (case-insensitive) or whose email is exactly `email`, by name. */
  searchPeople(prefix: string, email: string, exceptId: string, limit: number) {
    return this.db
      .selectFrom('user')
      .select(['id', 'name'])
      .where('id', '!=', exceptId)
      .where((eb) =>
        eb.or([eb(sql`lower(name)`, 'like', `${prefix.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`), eb('email', '=', email.toLowerCase())]),
      )
      .orderBy('name')
      .limit(limit)
      .execute();
  }

  /** Names (and emails, for mail) of the given users. */
  people(ids: string[]) {
    if (!ids.length) return Promise.resolve([]);
    return this.db.selectFrom('user').select(['id', 'name', 'email']).where('id', 'in', ids).execute();
  }

  /** Who to write to and in which language: users with their profile (residence, language, currency). */
  contacts(ids: string[]) {
    if (!ids.length) return Promise.resolve([]);
    return this.db
      .selectFrom('user as u')
      .innerJoin('account_profiles as p', 'p.user_id', 'u.id')
      .select(['u.id', 'u.name', 'u.email', 'p.country', 'p.language', 'p.currency', 'p.time_zone'])
      .where(sql<boolean>`u.id = any(${ids})`)
      .execute();
  }

  async deleteUser(userId: string): Promise<void> {
    await this.db.deleteFrom('user').where('id', '=', userId).execute();
  }
}
