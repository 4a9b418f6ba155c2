import { createHash } from 'node:crypto';
import { platformError } from '../errors.ts';

/** A strong ETag for a JSON answer: equal exactly when what the client would see is equal. */
export const etagOf = (value: unknown): string => `"${createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 22)}"`;

/** Seconds a client asks the server to hold a conditional request for a change (RFC 7240 `Prefer: wait=N`), capped. */
export function preferredWait(prefer: string | undefined, max: number): number | undefined {
  const m = /(?:^|[,;\s])wait\s*=\s*(\d+)/i.exec(prefer ?? '');
  return m ? Math.min(Number(m[1]), max) : undefined;
}

/** The ETag of a versioned record (optimistic locking, D4): "v3". */
export const versionTag = (version: number) => `"v${version}"`;

/** Reads the optimistic-lock version from If-Match ("v3", W/"v3" or 3). */
export function expectedVersion(ifMatch: string | undefined): number {
  if (!ifMatch) {
    throw platformError(428, 'version_required');
  }
  const m = /^(?:W\/)?"?v?(\d+)"?$/.exec(ifMatch.trim());
  if (!m) throw platformError(400, 'invalid_if_match', { sent: ifMatch });
  return Number(m[1]);
}
