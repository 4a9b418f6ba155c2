import { describe, expect, it } from 'vitest';
import { reviewLabel } from './summary.ts';

describe('review score line (R9)', () => {
  it.each([
    [0, 0, 'no_reviews'],
    [9, 9, 'few_reviews'],
    [10, 10, 'positive'],
    [45, 50, 'very_positive'],
    [480, 500, 'overwhelmingly_positive'],
    [470, 500, 'very_positive'],
    [36, 50, 'mostly_positive'],
    [25, 50, 'mixed'],
    [15, 50, 'mostly_negative'],
    [1, 10, 'negative'],
    [5, 50, 'very_negative'],
    [10, 500, 'overwhelmingly_negative'],
  ] as const)('R9 %i of %i positive reviews read %s', (positive, total, label) => {
    expect(reviewLabel(positive, total)).toBe(label);
  });
});
