import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** A development SMTP server that keeps every mail it receives, for the /dev/mailbox page and tests. */
export interface SunkMail {
  id: number;
  to: string;
  from: string;
  subject: string;
  text: string;
  /** The sender's Message-ID: copies of one mail share it. */
  messageId: string;
  /** List-Unsubscribe and List-Unsubscribe-Post, when the mail has them. */
  listUnsubscribe?: string;
  listUnsubscribePost?: string;
  receivedAt: string;
}

/** A header's raw value as `{ [field]: value }`, or nothing (mailparser folds List-* headers into one object). */
function headerText(lines: readonly { key: string; line: string }[], key: string, field: string): Record<string, string> {
  const line = lines.find((l) => l.key === key)?.line;
  return line
    ? {
        [field]: line
          .slice(line.indexOf(':') + 1)
          .replace(/\r?\n\s+/g, ' ')
          .trim(),
      }
    : {};
}

export class MailSink {
  readonly mails: SunkMail[] = [];
  private server?: SMTPServer;

  /** Keeps the newest `keep` mails (the development mailbox); tests that count every copy keep them all. */
  constructor(private readonly keep = 1000) {}

  async start(port = 0): Promise<number> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      onData: (stream, _session, done) => {
        // Loaded on the first mail, not at start-up (it is a large module).
        import('mailparser')
          .then(({ simpleParser }) => simpleParser(stream))
          .then((m) => {
            const to = Array.isArray(m.to) ? m.to.map((a) => a.text).join(', ') : (m.to?.text ?? '');
            this.mails.push({
              id: this.mails.length + 1,
              to,
              from: m.from?.text ?? '',
              subject: m.subject ?? '',
              text: m.text ?? '',
              messageId: m.messageId ?? '',
              ...headerText(m.headerLines, 'list-unsubscribe', 'listUnsubscribe'),
              ...headerText(m.headerLines, 'list-unsubscribe-post', 'listUnsubscribePost'),
              receivedAt: new Date().toISOString(),
            });
            if (this.mails.length > this.keep) this.mails.shift();
            done();
          })
          .catch((err: Error) => done(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => {
        this.server!.off('error', reject);
        resolve();
      });
    });
    // A client that dies mid-session (a store process killed while sending) resets its connection: smtp-server
    // reports it as a server 'error', which must not take the process down with it.
    this.server.on('error', () => undefined);
    return (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  to(address: string): SunkMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }
}
