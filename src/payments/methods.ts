import { readFileSync } from 'node:fs';
import { isCountry } from '../platform/countries.ts';

/** A way to pay, as the payment-method catalogue (methods.json, or PAYMENT_METHODS_FILE) describes it. */
export interface PaymentMethod {
  id: string;
  name: string;
  kind: 'card' | 'wallet' | 'bank' | 'voucher';
  countries: string[];
  exceptCountries?: string[];
  /** Can authorize now and capture later; redirect and bank methods usually cannot (they charge at once). */
  laterCapture: boolean;
  /** The buyer approves on the provider's page before the payment goes through. */
  approval: boolean;
}

export class PaymentMethodCatalogue {
  constructor(readonly methods: PaymentMethod[]) {
    const ids = new Set<string>();
    for (const m of methods) {
      if (!/^[a-z0-9]+$/.test(m.id) || ids.has(m.id)) throw new Error(`Payment method catalogue: "${m.id}" is not a unique lower-case id.`);
      ids.add(m.id);
      for (const c of [...m.countries, ...(m.exceptCountries ?? [])]) {
        if (c !== '*' && !isCountry(c))
          throw new Error(`Payment method catalogue: "${c}" (method ${m.id}) is not an ISO 3166-1 country code.`);
      }
    }
  }

  static fromFile(file: string): PaymentMethodCatalogue {
    return new PaymentMethodCatalogue((JSON.parse(readFileSync(file, 'utf8')) as { methods: PaymentMethod[] }).methods);
  }

  /** The methods offered to a resident of `country`: that country's own first, then the global ones. */
  forCountry(country: string): PaymentMethod[] {
    const offered = this.methods.filter(
      (m) => (m.countries.includes(country) || m.countries.includes('*')) && !m.exceptCountries?.includes(country),
    );
    return [...offered.filter((m) => !m.countries.includes('*')), ...offered.filter((m) => m.countries.includes('*'))];
  }

  offered(methodId: string, country: string): PaymentMethod | undefined {
    return this.forCountry(country).find((m) => m.id === methodId);
  }

  /** What a checkout shows of the methods of `country`. */
  choicesFor(country: string): Pick<PaymentMethod, 'id' | 'name' | 'kind' | 'approval'>[] {
    return this.forCountry(country).map((m) => ({ id: m.id, name: m.name, kind: m.kind, approval: m.approval }));
  }

  /** A method as a receipt names it (its id when the catalogue no longer has it). */
  nameOf(methodId: string): string {
    return this.methods.find((m) => m.id === methodId)?.name ?? methodId;
  }
}

export const DEFAULT_METHODS_FILE = new URL('./methods.json', import.meta.url).pathname;
