import { Type, type Static } from 'typebox';

/** Route schemas of the waiting rooms (R6). */

const Local = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$',
  description: 'Wall-clock time in `timeZone`, YYYY-MM-DDTHH:mm',
  examples: ['2026-12-24T20:00'],
});

export const RoomInput = Type.Object(
  {
    gameId: Type.String({ format: 'uuid' }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    startsAt: Local,
    endsAt: Type.Optional(Type.Union([Local, Type.Null()])),
    ratePerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Visitors let in per minute' }),
    tokenTtlSeconds: Type.Optional(
      Type.Integer({ minimum: 30, maximum: 86_400, description: 'How long an admitted visitor has to check out' }),
    ),
  },
  { additionalProperties: false },
);
export type RoomInput = Static<typeof RoomInput>;

export const RoomView = Type.Object({
  id: Type.String(),
  gameId: Type.String(),
  name: Type.String(),
  timeZone: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.Union([Type.String(), Type.Null()]),
  startsAtUtc: Type.String(),
  endsAtUtc: Type.Union([Type.String(), Type.Null()]),
  ratePerMinute: Type.Integer(),
  tokenTtlSeconds: Type.Integer(),
  state: Type.Union([Type.Literal('upcoming'), Type.Literal('on'), Type.Literal('ended')]),
});
export type RoomView = Static<typeof RoomView>;

export const TicketView = Type.Object({
  roomId: Type.String(),
  gameId: Type.String(),
  startsAt: Type.String(),
  state: Type.Union([
    Type.Literal('waiting'),
    Type.Literal('admitted'),
    Type.Literal('expired'),
    Type.Literal('used'),
    Type.Literal('closed'),
  ]),
  position: Type.Union([Type.Integer(), Type.Null()], { description: 'Null before the start: places are drawn at random at the start' }),
  ahead: Type.Union([Type.Integer(), Type.Null()]),
  eta: Type.Union([Type.String(), Type.Null()], { description: 'When it is your turn' }),
  retryAfterSeconds: Type.Integer({ description: 'When to ask again (also sent as Retry-After)' }),
  admission: Type.Optional(Type.String({ description: 'Send it with your order (admission field); valid once, until admissionExpiresAt' })),
  admissionExpiresAt: Type.Optional(Type.String()),
});
export type TicketView = Static<typeof TicketView>;
