import type { Purchase } from '../orders/sagas.ts';

/** What the gifts context hands to the send-gift saga (src/flows/send-gift.ts): its input, plain JSON (DBOS records it). */

/** Everything the gift saga knows. The gift and its order share one id. Plain JSON: DBOS records it. */
export interface GiftContext extends Purchase {
  giftId: string;
  senderId: string;
  senderEmail: string;
  senderName: string;
  senderCountry: string;
  recipientId: string;
  recipientName: string;
  recipientCountry: string;
  recipientTimeZone: string;
  message: string;
  /** The game's title per language, so the recipient reads it in theirs. */
  gameTitles?: Record<string, string>;
  /** ISO instant; "send now" is the time of purchase. */
  deliverAt: string;
}
