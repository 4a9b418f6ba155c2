import { systemClock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import { storeModule } from '../platform/module.ts';
import type { PaymentGateway } from './gateway.ts';
import { DEFAULT_METHODS_FILE, PaymentMethodCatalogue } from './methods.ts';
import { PaysimGateway } from './paysim-gateway.ts';
import { PaymentSignals } from './signals.ts';

/** The payment gateway the configuration points at: paysim, beside the store or elsewhere. */
export function paysimFromConfig(config: Config): PaysimGateway {
  return new PaysimGateway({
    url: config.paymentGatewayUrl ?? `http://127.0.0.1:${config.paysimPort}`,
    apiKey: config.paysimApiKey,
    webhookSecret: config.paysimWebhookSecret,
    // Webhook signatures are checked against the wall clock: they are about transport, not business time.
    clock: systemClock,
  });
}

/**
 * Payments: the PG (paysim unless `gateway` is given), the methods offered per country (MARKETS.md), and the
 * signals that wake a saga waiting for a payment on whichever node its webhook reaches.
 */
export const paymentsModule = (gateway?: PaymentGateway) =>
  storeModule({
    name: 'payments',
    create: async (p) => {
      const signals = new PaymentSignals();
      await signals.listenAcrossNodes(p.databaseUrl, p.log);
      return {
        provides: {
          gateway: gateway ?? paysimFromConfig(p.config),
          signals,
          methods: PaymentMethodCatalogue.fromFile(p.config.paymentMethodsFile ?? DEFAULT_METHODS_FILE),
        },
        stop: () => signals.stop(),
      };
    },
  });
