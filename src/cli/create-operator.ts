import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../platform/config.ts';
import { systemClock } from '../platform/clock.ts';
import { openDatabase } from '../platform/db/open.ts';
import { authSecret } from '../platform/secrets.ts';
import { createStore } from '../app.ts';

/**
 * npm run operator:create -- --email ops@example.com --password '…' [--country KR]
 * Creates an operator account, or gives the operator role to an existing account with that email.
 */
const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' }, country: { type: 'string' } } });
if (!values.email || !values.password) {
  console.error('Usage: npm run operator:create -- --email <email> --password <at least 10 characters> [--country KR]');
  process.exit(2);
}
const config = { ...loadConfig(), logLevel: 'warn' };
const log = pino({ level: 'warn' });
const database = await openDatabase(config, log);
const store = await createStore({ config, databaseUrl: database.url, clock: systemClock, authSecret: authSecret(config) });
try {
  const result = await store.accounts.ensureOperator(values.email, values.password, values.country?.toUpperCase());
  console.log(
    result.created ? `Operator ${values.email} created.` : `${values.email} already had an account; it now has the operator role.`,
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await store.close();
  await database.stop();
}
