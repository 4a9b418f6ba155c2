/** What the orders context tells the rest of the store through the domain event log (platform/events.ts). */
declare module '../platform/events.ts' {
  interface DomainEventMap {
    /** Paid: a purchase, a pre-order or a gift (the buyer paid; the game goes to the recipient on acceptance). */
    'order.paid': {
      orderId: string;
      userId: string;
      gameId: string;
      kind: 'preorder' | 'purchase';
      gift: boolean;
      currency: string;
      paidMinor: number;
      pointsUsed: number;
      country: string;
    };
    'order.refunded': { orderId: string; userId: string; gameId: string; currency: string; refundedMinor: number };
    /** A game entered a user's library (bought, pre-ordered or a gift accepted). */
    'library.added': { userId: string; gameId: string; orderId: string; source: 'purchase' | 'preorder' | 'gift' };
    /** A game left a user's library (refunded). */
    'library.removed': { userId: string; gameId: string; orderId: string };
  }
}
export {};
