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
}

export type RefusalReason =
  'not_sold_in_country' | 'not_playable_in_country' | 'not_playable_in_recipient_country' | 'not_playable_here' | 'ip_country_mismatch';

export type RegionDecision =
  | { allowed: true; warning?: { reason: 'ip_country_mismatch'; message: string } }
  | { allowed: false; reason: RefusalReason; message: string };

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

const refuse = (reason: RefusalReason, message: string): RegionDecision => ({ allowed: false, reason, message });

/** Buying or gifting from another country than one's residence: per the game's setting. */
function ipCheck(regions: GameRegions, where: Where): RegionDecision {
  if (!where.ipCountry || where.ipCountry === where.residence || regions.ipMismatch === 'allow') return { allowed: true };
  const message = `You are connecting from ${countryName(where.ipCountry)}, but your country of residence is ${countryName(where.residence)}.`;
  if (regions.ipMismatch === 'block')
    return refuse('ip_country_mismatch', `${message} The publisher allows buying this game only from your country of residence.`);
  return {
    allowed: true,
    warning: { reason: 'ip_country_mismatch', message: `${message} Prices and availability follow your residence.` },
  };
}

export function decide(action: RegionAction, regions: GameRegions, where: Where): RegionDecision {
  const { residence, ipCountry } = where;
  switch (action) {
    case 'buy':
    case 'gift':
      if (!ruleCovers(regions.sale, residence)) {
        return refuse(
          'not_sold_in_country',
          `This game is not sold in ${countryName(residence)}, your country of residence, because of the publisher's or local rules.`,
        );
      }
      // A buyer must be able to play what they buy; a gift's giver need not (the recipient is checked with 'receive').
      if (action === 'buy' && !ruleCovers(regions.play, residence)) {
        return refuse('not_playable_in_country', `This game may not be played in ${countryName(residence)}, so it is not offered there.`);
      }
      return ipCheck(regions, where);
    case 'receive':
      return ruleCovers(regions.play, residence)
        ? { allowed: true }
        : refuse(
            'not_playable_in_recipient_country',
            `This game may not be played in ${countryName(residence)}, where the recipient lives, so it cannot be given to them.`,
          );
    case 'download':
    case 'play':
      if (!ruleCovers(regions.play, residence)) {
        return refuse(
          'not_playable_in_country',
          `This game may no longer be ${action === 'play' ? 'played' : 'downloaded'} in ${countryName(residence)}, your country of residence, because of the publisher's contract or local law.`,
        );
      }
      if (ipCountry && !ruleCovers(regions.play, ipCountry)) {
        return refuse(
          'not_playable_here',
          `This game may not be ${action === 'play' ? 'played' : 'downloaded'} in ${countryName(ipCountry)}, where you are connecting from.`,
        );
      }
      return { allowed: true };
  }
}
