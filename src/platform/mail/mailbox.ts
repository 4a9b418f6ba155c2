import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MailSink } from './sink.ts';

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Only from this machine: the socket's own peer (never X-Forwarded-For) must be a loopback address. */
const local = (req: FastifyRequest) => /^(127\.|::1$|::ffff:127\.)/.test(req.socket.remoteAddress ?? '');
const notHere = (reply: FastifyReply) =>
  reply.status(404).send({
    error: {
      code: 'route_not_found',
      message: 'The development mailbox is only shown on the machine the store runs on (http://localhost/dev/mailbox).',
    },
  });

/**
 * Development only (the local SMTP sink runs only when no SMTP_URL is set): every mail the sink received, newest
 * first — everyone's mail, so it answers only requests from this machine.
 */
export function mailboxRoutes(app: FastifyInstance, sink: MailSink) {
  app.get('/dev/mailbox', { schema: { hide: true } }, async (req, reply) => {
    if (!local(req)) return notHere(reply);
    const items = [...sink.mails]
      .reverse()
      .map(
        (m) =>
          `<article><header><strong>${esc(m.subject)}</strong><span>to ${esc(m.to)} · ${esc(m.receivedAt)}</span></header><pre>${esc(m.text)}</pre></article>`,
      )
      .join('');
    return reply.type('text/html').send(`<!doctype html><html><head><meta charset="utf-8"><title>Mailbox (development)</title>
<style>body{font-family:system-ui,sans-serif;background:#10161f;color:#dfe7f0;max-width:900px;margin:24px auto;padding:0 16px}
article{background:#18212d;border-radius:8px;padding:12px 16px;margin:12px 0}header{display:flex;justify-content:space-between;gap:12px}
header span{color:#8a9bb0;font-size:13px}pre{white-space:pre-wrap;font-family:inherit}</style></head>
<body><h1>Mailbox <small>(${sink.mails.length} mails sent by this store in development; shown only on this machine)</small></h1>${items || '<p>No mail yet.</p>'}</body></html>`);
  });
  app.get('/dev/mailbox.json', { schema: { hide: true } }, async (req, reply) => (local(req) ? sink.mails : notHere(reply)));
}
