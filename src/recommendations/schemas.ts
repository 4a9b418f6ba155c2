import { Type, type Static } from 'typebox';
import { GameCard } from '../catalog/schemas.ts';

/** Why a game is recommended: shown beside it ("Because you played Hades", "Popular in Korea"). */
export const Reason = Type.Union([
  Type.Object({
    kind: Type.Union([Type.Literal('because_played'), Type.Literal('because_wishlisted'), Type.Literal('because_owned')]),
    gameId: Type.String(),
    title: Type.String(),
  }),
  Type.Object({ kind: Type.Literal('friends_play'), friends: Type.Integer({ minimum: 1 }) }),
  Type.Object({ kind: Type.Literal('liked_genre'), genre: Type.String() }),
  Type.Object({
    kind: Type.Literal('trending_social'),
    mentions: Type.Integer({ description: 'Posts about it on social networks in the last 30 days' }),
  }),
  Type.Object({ kind: Type.Literal('popular_in_country'), country: Type.String() }),
  Type.Object({ kind: Type.Literal('popular') }),
]);
export type Reason = Static<typeof Reason>;

export const Recommendation = Type.Object({ game: GameCard, reason: Reason });
export type Recommendation = Static<typeof Recommendation>;
