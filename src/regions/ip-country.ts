import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Reader, type CountryResponse } from 'maxmind';
import type { IpCountryLookup } from '../platform/shopper.ts';

/**
 * The country of a request, from its client IP (R12), with an offline database: the `geoip-country` package
 * ships MaxMind GeoLite2 country data (this product includes GeoLite2 data created by MaxMind,
 * https://www.maxmind.com; see the package's LICENSE and EULA), loaded into memory once (~7 MB, ~20 ms).
 * Private, loopback and unknown addresses have no country: the policy then decides by residence alone.
 */
export type { IpCountryLookup } from '../platform/shopper.ts';

/** Strips IPv4-mapped prefixes; undefined for loopback, private and malformed addresses. */
function publicIp(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const ip = raw.startsWith('::ffff:') ? raw.slice(7) : raw;
  return isIP(ip) && !PRIVATE.some((p) => p.test(ip)) ? ip : undefined;
}

/**
 * A MaxMind-format database chosen by the deployment (GEOIP_MMDB_FILE: GeoIP2/GeoLite2 Country or City, or any
 * MMDB with `country.iso_code`), for operators who license their own, fresher data.
 */
export function mmdbCountryLookup(file: string): IpCountryLookup {
  const reader = new Reader<CountryResponse>(readFileSync(file));
  return {
    country(raw) {
      const ip = publicIp(raw);
      if (!ip) return undefined;
      try {
        return reader.get(ip)?.country?.iso_code ?? undefined;
      } catch {
        return undefined; // e.g. an IPv6 address against an IPv4-only database
      }
    },
  };
}

/** The configured database: an MMDB file when given, else the bundled GeoLite2 data. */
export function ipCountryLookup(mmdbFile: string | undefined): IpCountryLookup {
  return mmdbFile ? mmdbCountryLookup(mmdbFile) : geoipCountryLookup();
}

const PRIVATE = [/^10\./, /^127\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^::1$/, /^f[cd][0-9a-f]{2}:/i, /^fe80:/i];

export function geoipCountryLookup(): IpCountryLookup {
  let db: { lookup(ip: string): { country?: string } | null } | undefined;
  return {
    country(raw) {
      const ip = publicIp(raw);
      if (!ip) return undefined;
      db ??= createRequire(import.meta.url)('geoip-country');
      return db!.lookup(ip)?.country || undefined;
    },
  };
}
