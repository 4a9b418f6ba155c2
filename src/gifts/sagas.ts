/** What the gifts context hands to the send-gift saga (src/flows/send-gift.ts): its input, plain JSON (DBOS records it). */

/** Everything the gift saga knows. The gift and its order share one id. Plain JSON: DBOS records it. */
export interface GiftContext {
  giftId: string;
  idempotencyKey: string;
  senderId: string;
  senderEmail: string;
  senderName: string;
  senderCountry: string;
  recipientId: string;
  recipientName: string;
  recipientCountry: string;
  recipientTimeZone: string;
  gameId: string;
  editionId: string;
  gameTitle: string;
  kind: 'preorder' | 'purchase';
  currency: string;
  listMinor: number;
  discountMinor: number;
  priceMinor: number;
  pointsUsed: number;
  paidMinor: number;
  paymentMethod: string;
  message: string;
  /** ISO instant; "send now" is the time of purchase. */
  deliverAt: string;
  /** The charge request's URLs, fixed when the saga starts (a retried request must be byte-identical). */
  returnUrl?: string;
  webhookUrl?: string;
  /** Set by place-gift: when the gift was bought (store time, ISO). */
  placedAt?: string;
  paymentId?: string | null;
  pointsEarned?: number;
}
