import { Type, type Static } from 'typebox';

export const Person = Type.Object({ id: Type.String(), name: Type.String() });
export type Person = Static<typeof Person>;

/** GET /api/friends: approved friends, requests to answer and requests waiting for an answer (S2.4, S2.6). */
export const FriendsView = Type.Object({ friends: Type.Array(Person), incoming: Type.Array(Person), outgoing: Type.Array(Person) });
export type FriendsView = Static<typeof FriendsView>;
