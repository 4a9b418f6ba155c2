import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SAGAS_MD, sagasMarkdown } from './docs-sagas.ts';

describe('docs/sagas.md (D1)', () => {
  it('D1 the committed table of every saga step is what the saga definitions generate (npm run docs:sagas)', () => {
    expect(readFileSync(SAGAS_MD, 'utf8')).toBe(sagasMarkdown());
  });
});
