import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** The brief beside the clone (CI and the development machines have it there; SHARED_DIR says where else). */
const BRIEF = join(process.env.SHARED_DIR ?? resolve(ROOT, '../shared'), 'BRIEF.md');
/** The brief's IDs as of this writing: the check works on a clone without the brief too. */
const BRIEF_IDS = [
  ...Array.from({ length: 14 }, (_, i) => `R${i + 1}`),
  ...Array.from({ length: 16 }, (_, i) => `S1.${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `S2.${i + 1}`),
  ...['D1', 'D2', 'D3', 'D4'],
];
const ids = (text: string) => [...text.matchAll(/^\| ([RSD][0-9.]+)\s+\|/gm)].map((m) => m[1]!);

function testTitles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : testTitles(path);
    if (!name.endsWith('.test.ts')) return [];
    return [...readFileSync(path, 'utf8').matchAll(/\b(?:it|test|describe)(?:\.each\([^)]*\))?\(\s*(['"`])(.*?)\1/g)].map((m) => m[2]!);
  });
}

describe('docs/requirements.md (the brief in our words)', () => {
  const doc = readFileSync(join(ROOT, 'docs/requirements.md'), 'utf8');

  it('R1–R14 S1 S2 D1–D4 every requirement of the brief is explained, and no other', () => {
    // Where the brief is at hand, its IDs are read from it (a new requirement then fails this test until explained).
    const brief = existsSync(BRIEF) ? ids(readFileSync(BRIEF, 'utf8')) : BRIEF_IDS;
    expect(brief).toEqual(BRIEF_IDS);
    expect(ids(doc)).toEqual(brief);
  });

  it('R1–R14 S1 S2 D1–D4 every requirement is named by at least one test title', () => {
    const titles = [...testTitles(join(ROOT, 'src')), ...testTitles(join(ROOT, 'test'))];
    const untested = ids(doc).filter((id) => !titles.some((t) => new RegExp(`(^|\\s)${id.replace('.', '\\.')}(\\s|$)`).test(t)));
    expect(untested).toEqual([]);
  });
});
