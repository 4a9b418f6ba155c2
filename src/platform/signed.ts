import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens for values the store hands out and must recognise later (download links, checkout quotes, waiting-room
 * admissions): `base64url(JSON).base64url(HMAC-SHA256)`. Not encrypted — the holder can read the value, never change it.
 */
export function signJson(secret: string, value: unknown): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The value a token carries if this store signed it with `secret`; undefined for anything else. */
export function verifyJson<T>(secret: string, token: string | undefined): T | undefined {
  const [body, sig, extra] = (token ?? '').split('.');
  if (!body || !sig || extra !== undefined) return undefined;
  // Compare the encoded text: decoding would ignore the spare bits of the last base64 character.
  const want = Buffer.from(mac(secret, body));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString()) as T;
  } catch {
    return undefined;
  }
}

const mac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');
