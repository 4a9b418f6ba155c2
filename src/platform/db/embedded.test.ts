import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedAncestor, startEmbeddedPostgres } from './embedded.ts';

const silent = { info: () => undefined, warn: () => undefined };

describe('embedded PostgreSQL started by root from a closed folder (storefront issue bug 9)', () => {
  it('finds the first folder only its owner can enter', () => {
    const base = mkdtempSync(join(tmpdir(), 'closed-'));
    try {
      chmodSync(base, 0o700);
      mkdirSync(join(base, 'a/b'), { recursive: true, mode: 0o755 });
      expect(closedAncestor(join(base, 'a/b'))).toBe(base);
      chmodSync(base, 0o755);
      expect(closedAncestor(join(base, 'a/b'))).toBeUndefined();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it.skipIf(process.getuid?.() !== 0)(
    'R1 run as root in a folder the postgres user cannot enter, it stops with one sentence saying what to do, before initdb',
    async () => {
      // mktemp -d makes a 0700 folder: the "postgres" user cannot enter it.
      const base = mkdtempSync(join(tmpdir(), 'store-root-'));
      try {
        await expect(startEmbeddedPostgres({ dir: join(base, 'data', 'pg'), port: 1, log: silent })).rejects.toThrow(
          new RegExp(`cannot enter ${base} \\(only its owner can\\).*set DATABASE_URL`),
        );
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  );
});
