import { Type, type Static } from 'typebox';

/** Route schemas of chat (R14); the WebSocket protocol is documented in gateway.ts and docs/chat-protocol.md. */

export const MessageView = Type.Object({
  id: Type.String(),
  seq: Type.Integer({ description: 'Position in everything you can see: resume after the last one you saw' }),
  conversationId: Type.String(),
  senderId: Type.String(),
  senderName: Type.String(),
  body: Type.String(),
  createdAt: Type.String(),
  preview: Type.Optional(
    Type.Object(
      {
        url: Type.String(),
        title: Type.String(),
        description: Type.Union([Type.String(), Type.Null()]),
        site: Type.Union([Type.String(), Type.Null()]),
      },
      { description: 'The first link of the message, previewed (text only; absent until fetched, or when the page has none)' },
    ),
  ),
});
export const Mute = Type.Object({
  until: Type.Union([Type.String(), Type.Null()], { description: 'When the mute ends; null: a ban' }),
  reason: Type.String(),
});

export type Mute = Static<typeof Mute>;

/** Console (R14): a reported message as written, with its reporters' reasons and its writer's mute in force. */
export const ReportedMessage = Type.Object({
  messageId: Type.String(),
  conversationId: Type.String(),
  sender: Type.Object({ id: Type.String(), name: Type.String() }),
  body: Type.String(),
  sentAt: Type.String(),
  reports: Type.Integer(),
  reasons: Type.Array(Type.String()),
  senderMute: Type.Union([Mute, Type.Null()], { description: 'The writer’s mute or ban in force now' }),
});
export type ReportedMessage = Static<typeof ReportedMessage>;

/** Console (R14): a mute or ban in force, on whom and since when. */
export const MuteInForce = Type.Object({
  ...Mute.properties,
  user: Type.Object({ id: Type.String(), name: Type.String() }),
  at: Type.String(),
});
export type MuteInForce = Static<typeof MuteInForce>;

export type MessageView = Static<typeof MessageView>;

export const ConversationView = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('direct'), Type.Literal('group')]),
  name: Type.Union([Type.String(), Type.Null()]),
  ownerId: Type.Union([Type.String(), Type.Null()]),
  members: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  unread: Type.Integer(),
  lastSeq: Type.Union([Type.Integer(), Type.Null()]),
});
export type ConversationView = Static<typeof ConversationView>;
