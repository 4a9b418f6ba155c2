import { randomUUID } from 'node:crypto';

/** Exposed identifiers are random UUIDs (v4, 122 random bits): not guessable, not enumerable. */
export const newId = (): string => randomUUID();

export const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
