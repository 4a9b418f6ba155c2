/** What players do with games besides buying them, as domain events (platform/events.ts). */
declare module '../platform/events.ts' {
  interface DomainEventMap {
    'wishlist.added': { userId: string; gameId: string };
    'wishlist.removed': { userId: string; gameId: string };
    'play.started': { userId: string; gameId: string; sessionId: string };
    /** A play session closed (stopped, or timed out without heartbeats): its length counts once. */
    'play.ended': { userId: string; gameId: string; sessionId: string; seconds: number };
  }
}
export {};
