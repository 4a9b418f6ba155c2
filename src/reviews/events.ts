/** Reviews on the domain event log: the recommender weighs a player's verdict (R9). */
declare module '../platform/events.ts' {
  interface DomainEventMap {
    'review.posted': { reviewId: string; userId: string; gameId: string; recommended: boolean };
    'review.removed': { reviewId: string; userId: string; gameId: string };
  }
}
export {};
