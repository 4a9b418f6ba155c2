import { createHash } from 'node:crypto';
import { accountError } from './errors.ts';

/**
 * Refuses passwords that appear in breach corpora, with the k-anonymity range protocol of Have I Been
 * Pwned's Pwned Passwords: only the first 5 hex characters of the password's SHA-1 leave the server; the
 * answer lists every suffix with that prefix (padded, so the answer size reveals nothing) and the check
 * happens here. Configured by PASSWORD_BREACH_CHECK_URL (e.g. https://api.pwnedpasswords.com/range/, or a
 * mirror inside the deployment); unset, no check. If the service does not answer within the timeout the
 * password is accepted and a warning logged — an outage must not stop sign-ups.
 */
export class BreachedPasswords {
  constructor(
    private readonly rangeUrl: string | undefined,
    private readonly log: { warn(obj: object, msg: string): void },
    private readonly timeoutMs = 2000,
  ) {}

  get enabled(): boolean {
    return Boolean(this.rangeUrl);
  }

  /** How many times the password was seen in breaches (0 when not, or when the check is off or unavailable). */
  async timesSeen(password: string): Promise<number> {
    if (!this.rangeUrl) return 0;
    const sha1 = createHash('sha1').update(password).digest('hex').toUpperCase();
    const prefix = sha1.slice(0, 5);
    const suffix = sha1.slice(5);
    try {
      const base = this.rangeUrl.endsWith('/') ? this.rangeUrl : `${this.rangeUrl}/`;
      const res = await fetch(`${base}${prefix}`, {
        headers: { 'add-padding': 'true', 'user-agent': 'game-store' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      for (const line of (await res.text()).split(/\r?\n/)) {
        const [s, count] = line.trim().split(':');
        if (s === suffix) return Number(count) || 0;
      }
      return 0;
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'breached-password check unavailable; password accepted');
      return 0;
    }
  }

  /** Throws 400 `password_breached` for a password seen in breaches. */
  async assertNotBreached(password: string): Promise<void> {
    const seen = await this.timesSeen(password);
    if (seen > 0) {
      throw accountError(400, 'password_breached', { times: seen });
    }
    assertNotGuessable(password);
  }
}

/** The words at the root of the most common passwords (from public breach top lists), lower case. */
const COMMON_ROOTS = new Set([
  'password',
  'passw0rd',
  'qwerty',
  'qwertyuiop',
  'asdfgh',
  'asdfghjkl',
  'zxcvbnm',
  'letmein',
  'iloveyou',
  'admin',
  'administrator',
  'welcome',
  'monkey',
  'dragon',
  'football',
  'baseball',
  'soccer',
  'master',
  'sunshine',
  'princess',
  'shadow',
  'superman',
  'batman',
  'trustno',
  'whatever',
  'starwars',
  'computer',
  'michael',
  'jennifer',
  'login',
  'abc',
  'abcdef',
  'abcdefg',
  'test',
  'testing',
  'secret',
  'changeme',
  'default',
  'user',
  'guest',
  'gamestore',
  'game',
  'games',
]);

/**
 * Refuses passwords an attacker guesses first, without asking anybody (the breach range check needs a service
 * and fails open): a common word with digits and symbols around it ("password12", "Qwerty!2024"), a run of
 * one character or a keyboard/number sequence, or fewer than 5 different characters.
 */
export function assertNotGuessable(password: string): void {
  const lower = password.toLowerCase();
  const root = lower.replace(/[^a-z]/g, '');
  const distinct = new Set(lower).size;
  const sequence = '01234567890abcdefghijklmnopqrstuvwxyzqwertyuiopasdfghjklzxcvbnm';
  const onlySequence = lower.length >= 4 && [...Array(lower.length - 3).keys()].every((i) => sequence.includes(lower.slice(i, i + 4)));
  if ((root.length > 0 && COMMON_ROOTS.has(root)) || (root.length === 0 && /^\d+$/.test(lower)) || distinct < 5 || onlySequence) {
    throw accountError(400, 'password_too_guessable');
  }
}
