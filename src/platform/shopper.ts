/** Who is shopping, as every context sees them: where they shop from, in which currency and language. */
export interface Shopper {
  country: string;
  currency: string;
  language: string;
  /** Country of the request's IP, when known (R12: compared with the residence for buying and gifting). */
  ipCountry?: string;
}

/** The country of a client address (regions/ip-country.ts implements it from a GeoIP table). */
export interface IpCountryLookup {
  country(ip: string | undefined): string | undefined;
}
