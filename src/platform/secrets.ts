import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from './config.ts';

/** AUTH_SECRET, or in development a generated one kept in the data folder so sessions survive restarts. */
export function authSecret(config: Config): string {
  if (config.authSecret) return config.authSecret;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o755 });
  const file = join(config.dataDir, 'auth-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
