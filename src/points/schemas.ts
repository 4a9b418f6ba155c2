import { Type, type Static } from 'typebox';

/** GET /api/points: one wallet per currency (1 point = 1 minor unit of it), and the latest ledger entries. */
export const PointsView = Type.Object({
  balance: Type.Integer(),
  currency: Type.String(),
  wallets: Type.Array(Type.Object({ currency: Type.String(), balance: Type.Integer() })),
  history: Type.Array(
    Type.Object({
      kind: Type.String(),
      currency: Type.String(),
      delta: Type.Integer(),
      balanceAfter: Type.Integer(),
      reference: Type.String(),
      at: Type.String(),
    }),
  ),
});
export type PointsView = Static<typeof PointsView>;
