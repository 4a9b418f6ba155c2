import type { MessageView } from '../../src/chat/schemas.ts';

/** A frame from the chat gateway (docs/chat-protocol.md). */
export type ChatFrame =
  | { type: 'message'; message: MessageView }
  | { type: 'ack'; ref: string; message: MessageView }
  | { type: 'presence'; userId: string; state: 'online' | 'away' | 'offline'; playing: { gameId: string; title: string } | null }
  | { type: 'typing'; conversationId: string; userId: string; name: string }
  | { type: 'read'; conversationId: string; userId: string; seq: number }
  | { type: 'notification'; notification: unknown }
  | { type: 'conversation'; conversationId: string }
  | { type: 'preview'; conversationId: string; messageId: string; preview: NonNullable<MessageView['preview']> }
  | { type: 'ready'; v: number }
  | { type: 'status'; fanout: 'live' | 'reconnecting' }
  | { type: 'error'; code: string; message: string; ref?: string };

type Listener = (f: ChatFrame) => void;

/**
 * The page's one connection to the chat gateway: reconnects with backoff and resumes from the highest `seq` it saw,
 * so nothing is missed or shown twice; `status` says whether it is live or reconnecting.
 */
class ChatConnection {
  #ws: WebSocket | undefined;
  #after = 0;
  #listeners = new Set<Listener>();
  #statusListeners = new Set<(s: 'live' | 'reconnecting') => void>();
  #wanted = false;
  #retry = 500;
  status: 'live' | 'reconnecting' = 'reconnecting';

  start() {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#open();
  }

  stop() {
    this.#wanted = false;
    this.#ws?.close();
    this.#ws = undefined;
  }

  #setStatus(s: 'live' | 'reconnecting') {
    this.status = s;
    for (const l of this.#statusListeners) l(s);
  }

  #open() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/chat/ws`);
    this.#ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', v: 1, ...(this.#after ? { after: this.#after } : {}) }));
    ws.onmessage = (e) => {
      const f = JSON.parse(String(e.data)) as ChatFrame;
      if (f.type === 'ready') {
        this.#retry = 500;
        this.#setStatus('live');
      }
      if (f.type === 'message' || f.type === 'ack') this.#after = Math.max(this.#after, f.message.seq);
      for (const l of this.#listeners) l(f);
    };
    ws.onclose = () => {
      this.#setStatus('reconnecting');
      if (!this.#wanted || this.#ws !== ws) return;
      setTimeout(() => this.#wanted && this.#open(), this.#retry);
      this.#retry = Math.min(this.#retry * 2, 10_000);
    };
  }

  send(frame: object): boolean {
    if (this.#ws?.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(frame));
    return true;
  }

  on(l: Listener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  onStatus(l: (s: 'live' | 'reconnecting') => void): () => void {
    this.#statusListeners.add(l);
    return () => this.#statusListeners.delete(l);
  }
}

export const chat = new ChatConnection();
