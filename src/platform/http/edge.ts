import type { FastifyInstance } from 'fastify';
import { platformError } from '../errors.ts';

/** Deeper than any document the API takes (a game document is about 6 levels). */
export const MAX_JSON_DEPTH = 64;

/** How deep arrays and objects nest in a JSON text, counted without parsing (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

// eslint-disable-next-line no-control-regex -- finding NUL bytes is the point
const NUL = /\u0000|\\u0000/i;
const outOfRange = () => platformError(400, 'number_out_of_range');

/** Numbers the API can take: finite, and integers within ±(2^53 − 1). JSON and query strings can spell others. */
const unsafeNumber = (n: number) => !Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n));
function hasUnsafeNumber(v: unknown, depth = 0): boolean {
  if (typeof v === 'number') return unsafeNumber(v);
  if (!v || typeof v !== 'object' || depth > MAX_JSON_DEPTH) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (hasUnsafeNumber(x, depth + 1)) return true;
  return false;
}
const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;
const INFINITE = /^\s*[+-]?infinity\s*$/i;
const invalidText = () => platformError(400, 'invalid_text');

/**
 * Malformed input is refused at the edge, before any route, schema, library or database sees it: JSON nested
 * deeper than MAX_JSON_DEPTH (a parser or validator recursing through 5,000 levels), and the NUL character, which
 * PostgreSQL text cannot store — in a body or in the URL. A 400 with a sentence, never a 500.
 */
export function edgeGuards(app: FastifyInstance): void {
  // Fastify's own parser underneath: it also refuses __proto__ poisoning and reports bad JSON.
  const parse = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    if (jsonDepth(text) > MAX_JSON_DEPTH) return done(platformError(400, 'json_too_deep', { max: MAX_JSON_DEPTH }), undefined);
    if (NUL.test(text)) return done(invalidText(), undefined);
    void parse(req, text, (err: Error | null, value?: unknown) =>
      err ? done(err, undefined) : hasUnsafeNumber(value) ? done(outOfRange(), undefined) : done(null, value),
    );
  });
  // Query strings are coerced to numbers by the schemas, and "1e309" or "Infinity" would pass as one. Only the
  // numeric fields are checked: a search for the game "Infinity" is words, not a number.
  const numericQuery = new Map<string, string[]>();
  app.addHook('onRoute', (route) => {
    const props = (route.schema?.querystring as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
    const keys = Object.entries(props ?? {})
      .filter(([, s]) => s.type === 'number' || s.type === 'integer')
      .map(([k]) => k);
    if (keys.length) for (const method of [route.method].flat()) numericQuery.set(`${method} ${route.url}`, keys);
  });
  // Callback-style, as every hook that runs on each request (an async one costs a promise each time).
  app.addHook('onRequest', (req, _reply, done) => {
    const query = (req.query ?? {}) as Record<string, unknown>;
    for (const key of numericQuery.get(`${req.method} ${req.routeOptions.url}`) ?? []) {
      const value = query[key];
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v === 'string' && (INFINITE.test(v) || (NUMERIC.test(v) && unsafeNumber(Number(v))))) return done(outOfRange());
      }
    }
    if (!req.url.includes('%')) return done();
    let url: string;
    try {
      url = decodeURIComponent(req.url);
    } catch {
      return done(platformError(400, 'invalid_url'));
    }
    done(url.includes('\u0000') ? invalidText() : undefined);
  });
}

/**
 * Security headers on every answer: no MIME sniffing (an uploaded file is what its type says), no framing
 * (clickjacking), no full URLs in Referer to other sites, HSTS when the store is served over https, and a Content
 * Security Policy on pages: scripts only from the store itself. The API docs (/docs, Swagger UI's own scripts)
 * keep their own page rules.
 */
export function securityHeaders(app: FastifyInstance, publicUrl: string): void {
  const https = publicUrl.startsWith('https:');
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "connect-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
  const always: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-frame-options': 'DENY',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.headers(always);
    // Uploaded images: even a file that is also valid HTML (a GIF/HTML polyglot) can never run as a page here.
    const type = String(reply.getHeader('content-type') ?? '');
    if (req.url.startsWith('/media/')) reply.header('content-security-policy', "default-src 'none'; img-src 'self'; sandbox");
    else if (type.startsWith('text/html') && !req.url.startsWith('/docs')) reply.header('content-security-policy', csp);
    done(null, payload);
  });
}

/** Cookie sessions are CSRF-safe only if cross-site writes are refused: browsers send Origin on them. */
export function refuseCrossSiteWrites(app: FastifyInstance, trustedOrigins: string[]): void {
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return done();
    const origin = req.headers.origin;
    if (origin && !trustedOrigins.includes(origin) && origin !== `${req.protocol}://${req.host}`) {
      return done(platformError(403, 'cross_site_request'));
    }
    done();
  });
}

/**
 * Counts requests in flight, so that a stopping store lets them finish before it closes the pool. Hooks on every
 * request are callback-style: an async hook costs a promise per request (issue 15).
 */
export function requestsInFlight(app: FastifyInstance): { settled(maxMs: number): Promise<void> } {
  let inFlight = 0;
  app.addHook('onRequest', (_req, _reply, done) => {
    inFlight++;
    done();
  });
  app.addHook('onResponse', (_req, _reply, done) => {
    inFlight--;
    done();
  });
  return {
    async settled(maxMs) {
      for (let waited = 0; inFlight > 0 && waited < maxMs; waited += 50) await new Promise((r) => setTimeout(r, 50));
    },
  };
}
