import { Type, type Static } from 'typebox';

/** One entry of the region audit log (GET /api/operator/region-decisions): what a region rule refused or warned, and why. */
export const Decision = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  userId: Type.Union([Type.String(), Type.Null()]),
  gameId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  residence: Type.Union([Type.String(), Type.Null()]),
  ipCountry: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.Literal('refused'), Type.Literal('warned')]),
  reason: Type.String(),
  message: Type.String(),
});
export type Decision = Static<typeof Decision>;
