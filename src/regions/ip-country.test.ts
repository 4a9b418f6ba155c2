import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { geoipCountryLookup, ipCountryLookup } from './ip-country.ts';
import { writeCountryMmdb } from '../../test/mmdb.ts';

const dir = mkdtempSync(join(tmpdir(), 'mmdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the request’s country from its IP address (R12)', () => {
  it('R12 the bundled offline GeoLite2 data places public addresses; loopback and private ones have no country', () => {
    const geo = geoipCountryLookup();
    expect(geo.country('8.8.8.8')).toBe('US');
    expect(geo.country('211.234.10.1')).toBe('KR');
    expect(geo.country('::ffff:203.104.128.1')).toBe('JP');
    for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.0.9', '172.20.0.1', '::1', 'not an ip', undefined])
      expect(geo.country(ip), String(ip)).toBeUndefined();
  });

  it('R12 a MaxMind-format file, when configured, is used instead', () => {
    const file = join(dir, 'country.mmdb');
    // Deliberately "wrong" countries, so the answers can only come from this file.
    writeFileSync(
      file,
      writeCountryMmdb([
        ['8.8.8.0/24', 'NZ'],
        ['211.234.0.0/16', 'FI'],
        ['1.2.3.4/32', 'BR'],
      ]),
    );
    const mm = ipCountryLookup(file);
    expect(mm.country('8.8.8.8')).toBe('NZ');
    expect(mm.country('211.234.10.1')).toBe('FI');
    expect(mm.country('1.2.3.4')).toBe('BR');
    expect(mm.country('1.2.3.5')).toBeUndefined();
    expect(mm.country('127.0.0.1')).toBeUndefined();
    expect(mm.country('2001:4860:4860::8888')).toBeUndefined();
    expect(ipCountryLookup(undefined).country('8.8.8.8')).toBe('US');
  });
});
