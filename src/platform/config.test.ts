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

  it('R1 the development clock is on in development, off in tests and production, and refused when production asks for it', () => {
    expect(loadConfig({}).devClock).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).devClock).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', DEV_CLOCK: 'on' }).devClock).toBe(true);
    const production = {
      NODE_ENV: 'production',
      AUTH_SECRET: 'x'.repeat(64),
      PAYMENT_GATEWAY_URL: 'https://pg.example',
      PAYSIM_WEBHOOK_SECRET: 'whsec',
      SMTP_URL: 'smtp://mail.example:587',
    };
    expect(loadConfig(production).devClock).toBe(false);
    expect(() => loadConfig({ ...production, DEV_CLOCK: 'on' })).toThrow(/DEV_CLOCK=on .* development only/);
  });
});
