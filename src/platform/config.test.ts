import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration from the environment', () => {
  it('R2 defaults start a development store on port 3000 with the embedded database', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      defaultCountry: 'US',
      demoCatalog: 'auto',
      publicUrl: 'http://localhost:3000',
    });
  });

  it('R2 DATABASE_URL switches to an external PostgreSQL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/store' }).databaseUrl).toBe('postgres://u:p@db:5432/store');
  });

  it('R2 every bad value is reported at once with what is expected', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', DEFAULT_COUNTRY: 'ZZ', NODE_ENV: 'production', OPERATOR_EMAIL: 'a@b.c' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const part of [
      'PORT=abc',
      'DATABASE_URL',
      'DEFAULT_COUNTRY=ZZ',
      'AUTH_SECRET is required',
      'OPERATOR_PASSWORD',
      'PAYMENT_GATEWAY_URL is required',
      'SMTP_URL is required',
    ])
      expect(message).toContain(part);
  });
});
