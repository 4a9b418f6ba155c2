/**
 * The review score line a store shows above the reviews, Steam's way: the share of positive reviews, named by how
 * many there are. Fewer than 10 reviews: only the count.
 */
export type ReviewLabel =
  | 'overwhelmingly_positive'
  | 'very_positive'
  | 'positive'
  | 'mostly_positive'
  | 'mixed'
  | 'mostly_negative'
  | 'negative'
  | 'very_negative'
  | 'overwhelmingly_negative'
  | 'few_reviews'
  | 'no_reviews';

export function reviewLabel(positive: number, total: number): ReviewLabel {
  if (total === 0) return 'no_reviews';
  if (total < 10) return 'few_reviews';
  const share = positive / total;
  if (share >= 0.8) return total >= 500 && share >= 0.95 ? 'overwhelmingly_positive' : total >= 50 ? 'very_positive' : 'positive';
  if (share >= 0.7) return 'mostly_positive';
  if (share >= 0.4) return 'mixed';
  if (share >= 0.2) return 'mostly_negative';
  return total >= 500 ? 'overwhelmingly_negative' : total >= 50 ? 'very_negative' : 'negative';
}
