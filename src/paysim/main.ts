import { createPaysim, FAULTS } from './server.ts';

/**
 * paysim as its own process: `node --import tsx src/paysim/main.ts`. npm start runs it beside the store.
 * PAYSIM_PORT, PAYSIM_API_KEY, PAYSIM_WEBHOOK_SECRET, PAYSIM_STATE_FILE, PAYSIM_PUBLIC_URL,
 * PAYSIM_FAULT_RATES (JSON such as {"decline":0.05}), PAYSIM_PARENT_PID (exit when that process is gone).
 */
const env = process.env;
const port = Number(env.PAYSIM_PORT ?? 4010);
const rates = JSON.parse(env.PAYSIM_FAULT_RATES ?? '{}') as Record<string, number>;
for (const k of Object.keys(rates))
  if (!(FAULTS as readonly string[]).includes(k)) throw new Error(`PAYSIM_FAULT_RATES: unknown fault "${k}"; known: ${FAULTS.join(', ')}`);
if (!env.PAYSIM_API_KEY || !env.PAYSIM_WEBHOOK_SECRET) throw new Error('PAYSIM_API_KEY and PAYSIM_WEBHOOK_SECRET are required.');

const { app } = createPaysim({
  apiKey: env.PAYSIM_API_KEY,
  webhookSecret: env.PAYSIM_WEBHOOK_SECRET,
  publicUrl: env.PAYSIM_PUBLIC_URL ?? `http://127.0.0.1:${port}`,
  stateFile: env.PAYSIM_STATE_FILE,
  faultRates: rates,
  timeoutMs: env.PAYSIM_TIMEOUT_MS ? Number(env.PAYSIM_TIMEOUT_MS) : undefined,
  lateWebhookMs: env.PAYSIM_LATE_WEBHOOK_MS ? Number(env.PAYSIM_LATE_WEBHOOK_MS) : undefined,
});
await app.listen({ host: '127.0.0.1', port });
process.send?.({ ready: true, port });

const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Never outlive the store that started us, even if it was killed with SIGKILL.
const parent = Number(env.PAYSIM_PARENT_PID);
if (parent) {
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      void stop();
    }
  }, 500).unref();
}
