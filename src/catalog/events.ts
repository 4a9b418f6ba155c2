/** What the catalog tells the rest of the store through the domain event log (platform/events.ts). */
declare module '../platform/events.ts' {
  interface DomainEventMap {
    /** An operator published a game (announced or released): the new-release mail starts from here (S1.2). */
    'game.published': { gameId: string; slug: string; releaseDate: string | null; genres: string[]; tags: string[]; developer: string };
  }
}
export {};
