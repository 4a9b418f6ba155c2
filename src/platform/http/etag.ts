import { createHash } from 'node:crypto';

/** A strong ETag for a JSON answer: equal exactly when what the client would see is equal. */
export const etagOf = (value: unknown): string => `"${createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 22)}"`;

/** Seconds a client asks the server to hold a conditional request for a change (RFC 7240 `Prefer: wait=N`), capped. */
export function preferredWait(prefer: string | undefined, max: number): number | undefined {
  const m = /(?:^|[,;\s])wait\s*=\s*(\d+)/i.exec(prefer ?? '');
  return m ? Math.min(Number(m[1]), max) : undefined;
}
