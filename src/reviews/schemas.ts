import { Type, type Static } from 'typebox';

/** `helpful` is a word, not a nullable boolean: "take my vote back" must not be coerced into "not helpful". */
export const Helpful = Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('none')]);
export type Helpful = Static<typeof Helpful>;

export const ReviewView = Type.Object({
  id: Type.String(),
  gameId: Type.String(),
  author: Type.Object({ id: Type.String(), name: Type.String() }),
  recommended: Type.Boolean(),
  body: Type.String(),
  language: Type.String(),
  playtimeMinutes: Type.Integer({ description: 'The author’s playtime when they wrote it' }),
  helpful: Type.Integer(),
  unhelpful: Type.Integer(),
  funny: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  myVote: Type.Union([Type.Object({ helpful: Helpful, funny: Type.Boolean() }), Type.Null()]),
});
export type ReviewView = Static<typeof ReviewView>;

export const ReviewSummary = Type.Object({
  total: Type.Integer(),
  positive: Type.Integer(),
  percentPositive: Type.Union([Type.Integer(), Type.Null()]),
  label: Type.String({ description: 'overwhelmingly_positive … overwhelmingly_negative, few_reviews, no_reviews' }),
});

export const ReviewPage = Type.Object({
  summary: ReviewSummary,
  items: Type.Array(ReviewView),
  mine: Type.Union([ReviewView, Type.Null()]),
});
export type ReviewPage = Static<typeof ReviewPage>;

export const ReviewInput = Type.Object(
  {
    recommended: Type.Boolean(),
    body: Type.String({ minLength: 1, maxLength: 8000 }),
  },
  { additionalProperties: false },
);
export type ReviewInput = Static<typeof ReviewInput>;

export const VoteInput = Type.Object({ helpful: Helpful, funny: Type.Boolean() }, { additionalProperties: false });
