import { countryNoun, type Noun } from '../platform/errors.ts';
import { regionText, THE_RECIPIENT, type RegionText } from './messages.ts';
/**
 * Region policy (R12): the one place that answers "may this person do this with this game here?" —
 * buy, gift, receive, download, play — with a reason code. Catalog, checkout, gifting and downloads all ask
 * here (through RegionGate, which also writes refusals to the audit log). Rules are data on the game; this
 * module only evaluates them, purely.
 *
 * - Sale is decided by the country of residence (set at sign-up, changed only under the residence rule).
 * - Use (receive, download, play) needs the game to be playable where the user lives; download and play also
 *   where the request comes from, when that is known (a game banned by law in a country cannot be downloaded
 *   there by a traveller either).
 * - When the request's country (from its IP) differs from the residence, the game's `ipMismatch` setting says
 *   whether buying and gifting are allowed, allowed with a warning (recorded), or refused.
 * - An operator changing a game's countries applies at once: to new purchases through `sale`, and to games
 *   already owned through `play` — keep a country in `play` to let owners there keep using the game.
 */

export type RegionMode = 'everywhere' | 'only' | 'except';

export interface RegionRule {
  mode: RegionMode;
  /** ISO 3166-1 alpha-2 codes; ignored when mode is 'everywhere'. */
  countries: string[];
}

/** What to do when the request's country (IP) is not the buyer's country of residence. */
export type IpMismatchPolicy = 'allow' | 'warn' | 'block';

export interface GameRegions {
  sale: RegionRule;
  play: RegionRule;
  ipMismatch: IpMismatchPolicy;
}

export type RegionAction = 'buy' | 'gift' | 'receive' | 'download' | 'play';
export const REGION_ACTIONS: RegionAction[] = ['buy', 'gift', 'receive', 'download', 'play'];

export interface Where {
  /** Country of residence of the user acting (the recipient's, for 'receive'). */
  residence: string;
  /** Country of the request's IP address; undefined when unknown (private network, no database entry). */
  ipCountry?: string;
  /** Who receives a gift, named in the reason ("the recipient" when not given). */
  recipientName?: string;
}

export type RefusalReason =
  'not_sold_in_country' | 'not_playable_in_country' | 'not_playable_in_recipient_country' | 'not_playable_here' | 'ip_country_mismatch';

/** A decision's reason: `message` in English (the audit log), `text` in a reader's language. */
type Reason = { message: string; text(language: string): string };

export type RegionDecision =
  { allowed: true; warning?: { reason: 'ip_country_mismatch' } & Reason } | ({ allowed: false; reason: RefusalReason } & Reason);

export function ruleCovers(rule: RegionRule, country: string): boolean {
  switch (rule.mode) {
    case 'everywhere':
      return true;
    case 'only':
      return rule.countries.includes(country);
    case 'except':
      return !rule.countries.includes(country);
  }
}

export const countryName = (code: string) => new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;

const refuse = (reason: RefusalReason, key: RegionText, values: Record<string, string | Noun>): RegionDecision => ({
  allowed: false,
  reason,
  ...regionText(key, values),
});

/** Buying or gifting from another country than one's residence: per the game's setting. */
function ipCheck(regions: GameRegions, where: Where): RegionDecision {
  if (!where.ipCountry || where.ipCountry === where.residence || regions.ipMismatch === 'allow') return { allowed: true };
  const places = { here: countryNoun(where.ipCountry), home: countryNoun(where.residence) };
  if (regions.ipMismatch === 'block') return refuse('ip_country_mismatch', 'ip.block', places);
  return { allowed: true, warning: { reason: 'ip_country_mismatch', ...regionText('ip.warn', places) } };
}

export function decide(action: RegionAction, regions: GameRegions, where: Where): RegionDecision {
  const { residence, ipCountry } = where;
  switch (action) {
    case 'buy':
    case 'gift':
      if (!ruleCovers(regions.sale, residence)) {
        return refuse('not_sold_in_country', 'not_sold_in_country', { home: countryNoun(residence) });
      }
      // A buyer must be able to play what they buy; a gift's giver need not (the recipient is checked with 'receive').
      if (action === 'buy' && !ruleCovers(regions.play, residence)) {
        return refuse('not_playable_in_country', 'not_playable_in_country.buy', { home: countryNoun(residence) });
      }
      return ipCheck(regions, where);
    case 'receive':
      return ruleCovers(regions.play, residence)
        ? { allowed: true }
        : refuse('not_playable_in_recipient_country', 'not_playable_in_recipient_country', {
            home: countryNoun(residence),
            recipient: where.recipientName ?? THE_RECIPIENT,
          });
    case 'download':
    case 'play':
      if (!ruleCovers(regions.play, residence)) {
        return refuse('not_playable_in_country', 'not_playable_in_country.use', { action, home: countryNoun(residence) });
      }
      if (ipCountry && !ruleCovers(regions.play, ipCountry)) {
        return refuse('not_playable_here', 'not_playable_here', { action, here: countryNoun(ipCountry) });
      }
      return { allowed: true };
  }
}
