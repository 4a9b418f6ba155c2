/**
 * Region policy (R12): the one place that answers "may this person do this with this game here?".
 * Catalog pricing uses it now; checkout, gifting and downloads call the same function.
 * Rules are data on the game (which countries it is sold / playable in); this module only evaluates them.
 */

export type RegionMode = 'everywhere' | 'only' | 'except';

export interface RegionRule {
  mode: RegionMode;
  /** ISO 3166-1 alpha-2 codes; ignored when mode is 'everywhere'. */
  countries: string[];
}

export interface GameRegions {
  sale: RegionRule;
  play: RegionRule;
}

export type RegionAction = 'buy' | 'play' | 'receive';

export type RegionDecision =
  | { allowed: true }
  | { allowed: false; reason: 'not_sold_in_country' | 'not_playable_in_country' | 'not_playable_in_recipient_country'; message: string };

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

const countryName = (code: string) => new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;

/**
 * Sale is decided by the country of residence; play by where the game may be used. A gift (R12) needs both:
 * 'buy' for the sender's residence and 'receive' (playable there) for the recipient's.
 */
export function decide(action: RegionAction, regions: GameRegions, residence: string): RegionDecision {
  if (action === 'receive') {
    return ruleCovers(regions.play, residence)
      ? { allowed: true }
      : { allowed: false, reason: 'not_playable_in_recipient_country', message: `This game may not be played in ${countryName(residence)}, where the recipient lives, so it cannot be given to them.` };
  }
  if (action === 'buy' && !ruleCovers(regions.sale, residence)) {
    return {
      allowed: false,
      reason: 'not_sold_in_country',
      message: `This game is not sold in ${countryName(residence)}, your country of residence, because of the publisher's or local rules.`,
    };
  }
  if (!ruleCovers(regions.play, residence)) {
    return {
      allowed: false,
      reason: 'not_playable_in_country',
      message: `This game may not be played in ${countryName(residence)}, so it is not offered there.`,
    };
  }
  return { allowed: true };
}
