import { Type, type Static } from 'typebox';

/** One operator alert, as the console shows it. */
export const AlertView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  subject: Type.String(),
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  count: Type.Integer(),
  raisedAt: Type.String({ format: 'date-time' }),
  lastRaisedAt: Type.String({ format: 'date-time' }),
  resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type AlertView = Static<typeof AlertView>;
