import { Type, type Static } from 'typebox';

export const Visibility = Type.Union([Type.Literal('everyone'), Type.Literal('friends'), Type.Literal('private')], {
  description: 'everyone: anyone with the link (shareable); friends: your friends; private: only you',
});
/** One item of a friends' activity feed (R14), with who may see it. */
export const FeedItem = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('purchase'), Type.Literal('gift'), Type.Literal('review'), Type.Literal('post')]),
  actor: Type.Object({ id: Type.String(), name: Type.String() }),
  game: Type.Object({ id: Type.String(), title: Type.String(), slug: Type.String(), coverUrl: Type.Union([Type.String(), Type.Null()]) }),
  detail: Type.Record(Type.String(), Type.Unknown()),
  visibility: Visibility,
  occurredAt: Type.String({ format: 'date-time' }),
  shareUrl: Type.Union([Type.String(), Type.Null()], { description: 'R11: the public page of an item visible to everyone' }),
});
export type FeedItem = Static<typeof FeedItem>;
