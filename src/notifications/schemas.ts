import { Type, type Static } from 'typebox';

export const NotificationView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
  read: Type.Boolean(),
});
export type NotificationView = Static<typeof NotificationView>;
