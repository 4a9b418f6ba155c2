import { createHash } from 'node:crypto';
import { platformError } from '../errors.ts';

/** A strong ETag for a JSON answer: equal exactly when what the client would see is equal. */
export const etagOf = (value: unknown): string => `"${createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 22)}"`;

/** Seconds a client asks the server to hold a conditional request for a change (RFC 7240 `Prefer: wait=N`), capped. */
export function preferredWait(prefer: string | undefined, max: number): number | undefined {
  const m = /(?:^|[,;\s])wait\s*=\s*(\d+)/i.exec(prefer ?? '');
  return m ? Math.min(Number(m[1]), max) : undefined;
}

/** What a followed resource's GET reads from its request: the version the client has, and how long it will wait. */
export interface FollowRequest {
  headers: { 'if-none-match'?: string; prefer?: string };
}
interface FollowReply {
  header(name: string, value: string): FollowReply;
  status(code: number): unknown;
}

/**
 * A GET that can be followed (long poll): with If-None-Match and `Prefer: wait=N` (at most 25 s), `read` is given the
 * version the client has and waits up to N seconds for another; the answer carries its ETag, or is 304 when nothing
 * changed. Orders and cart checkouts are followed this way while they are being paid.
 */
export async function followable<T>(
  req: FollowRequest,
  reply: FollowReply,
  read: (follow?: { etag: string; waitSeconds: number }) => Promise<T>,
): Promise<T | null> {
  const etag = req.headers['if-none-match'];
  const wait = preferredWait(req.headers.prefer, 25);
  const value = await read(etag && wait ? { etag, waitSeconds: wait } : undefined);
  const now = etagOf(value);
  reply.header('etag', now).header('cache-control', 'private, no-cache');
  if (wait) reply.header('preference-applied', `wait=${wait}`);
  if (now !== etag) return value;
  reply.status(304);
  return null;
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
