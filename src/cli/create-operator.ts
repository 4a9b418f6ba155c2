import { parseArgs } from 'node:util';
import { withStore } from './with-store.ts';

/**
 * npm run operator:create -- --email ops@example.com --password '…' [--country KR]
 * Creates an operator account, or gives the operator role to an existing account with that email.
 */
const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' }, country: { type: 'string' } } });
const { email, password } = values;
if (!email || !password) {
  console.error('Usage: npm run operator:create -- --email <email> --password <at least 10 characters> [--country KR]');
  process.exit(2);
}
await withStore(async (store) => {
  const result = await store.accounts.ensureOperator(email, password, values.country?.toUpperCase());
  console.log(result.created ? `Operator ${email} created.` : `${email} already had an account; it now has the operator role.`);
});
