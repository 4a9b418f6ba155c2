/**
 * Where to go after signing in: the page the visitor was going to (`/login?next=…`). Only paths of this store
 * (starting with one "/") are followed, so a crafted link cannot send a fresh sign-in to another site.
 */
export const loginFor = (path: string) => `/login?next=${encodeURIComponent(path)}`;

export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

/** The current page, as a `next` target. */
export const here = () => `${location.pathname}${location.search}`;
