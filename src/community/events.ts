/** Community posts on the domain event log: the recommender reads them as interest in the game (R9). */
declare module '../platform/events.ts' {
  interface DomainEventMap {
    'community.posted': { postId: string; threadId: string; gameId: string; userId: string };
  }
}
export {};
