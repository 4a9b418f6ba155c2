/**
 * The baseline of `npm run bench:chat`: a bare relay — `ws` and Redis pub/sub, nothing else (no accounts, no
 * storage, no ordering, no resume). A client joins rooms, sends `{type:"send",room,body}`, and every client in the
 * room on any relay process receives `{type:"message",room,body}`. Run as a child of the benchmark (PORT,
 * REDIS_URL); it exits when its parent goes.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { Redis } from 'ioredis';

const port = Number(process.env.PORT);
const pub = new Redis(process.env.REDIS_URL!);
const sub = new Redis(process.env.REDIS_URL!);
const rooms = new Map<string, Set<WebSocket>>();

sub.on('message', (channel: string, raw: string) => {
  const members = rooms.get(channel.slice('relay:'.length));
  if (!members) return;
  for (const ws of members) if (ws.readyState === ws.OPEN) ws.send(raw);
});

const wss = new WebSocketServer({ host: '127.0.0.1', port });
wss.on('connection', (ws) => {
  const joined: string[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; rooms?: string[]; room?: string; body?: string };
    if (m.type === 'join') {
      for (const room of m.rooms ?? []) {
        let set = rooms.get(room);
        if (!set) {
          set = new Set();
          rooms.set(room, set);
          void sub.subscribe(`relay:${room}`);
        }
        set.add(ws);
        joined.push(room);
      }
      ws.send(JSON.stringify({ type: 'ready' }));
    } else if (m.type === 'send' && m.room) {
      void pub.publish(`relay:${m.room}`, JSON.stringify({ type: 'message', room: m.room, body: m.body }));
    }
  });
  ws.on('close', () => {
    for (const room of joined) rooms.get(room)?.delete(ws);
  });
});
wss.on('listening', () => process.send?.('ready'));
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
