import { existsSync } from 'node:fs';
import { isCountry } from './countries.ts';
import { isLanguage } from './languages.ts';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  logLevel: string;
  /** External PostgreSQL; when absent the app starts an embedded PostgreSQL in dataDir/pg. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  authSecret: string | undefined;
  /** Better Auth social providers, e.g. {"google":{"clientId":"…","clientSecret":"…"}}. */
  socialProviders: Record<string, Record<string, unknown>>;
  /** Any OpenID Connect provider, by configuration alone (R7). */
  oidcProviders: OidcProviderConfig[];
  defaultCountry: string;
  defaultLanguage: string;
  demoCatalog: 'auto' | 'builtin' | 'off';
  demoDataDir: string;
  demoCatalogSize: number;
  operatorEmail: string | undefined;
  operatorPassword: string | undefined;
  maxUploadBytes: number;
  /** A payment gateway already running (paysim elsewhere); unset: npm start runs paysim beside the store. */
  paymentGatewayUrl: string | undefined;
  paysimPort: number;
  paysimApiKey: string;
  paysimWebhookSecret: string;
  paymentMethodsFile: string | undefined;
  paymentApprovalTimeoutSeconds: number;
  pointsEarnRatePercent: number;
  /** SMTP server for outgoing mail; unset: a local SMTP sink with a mailbox page at /dev/mailbox. */
  smtpUrl: string | undefined;
  smtpSinkPort: number;
  mailFrom: string;
  /** Where operator alerts are mailed when one opens; unset: console and /metrics only. */
  alertEmail: string | undefined;
  /** How long a refund request waits for its saga before answering 202 with the order as it stands. */
  refundWaitSeconds: number;
  /** Friend requests one player may send per hour (each mails someone). */
  friendRequestsPerHour: number;
  /** Reconciliation with the PG: how often, how far back, and when an in-flight order counts as stuck. */
  reconcileIntervalSeconds: number;
  /** How often the recommendation model retrains on the event log's projection. */
  recTrainIntervalMinutes: number;
  /** A play session without a heartbeat for this long is over (at its last heartbeat). */
  playHeartbeatSeconds: number;
  /** How often event-log consumers poll (commits on this node wake them at once). */
  eventPollMs: number;
  /** A social-network feed of public posts (JSON Lines) over HTTP or from a file, read every `snsPollMinutes`. */
  snsFeedUrl: string | undefined;
  snsFeedFile: string | undefined;
  snsPollMinutes: number;
  /** The new-release mail (S1.2): minimum taste match (percent), most mails per game, per user per week, batch size. */
  releaseMail: { minTastePercent: number; maxPerGame: number; maxPerWeek: number; batch: number };
  reconcileLookbackHours: number;
  stuckOrderMinutes: number;
  /** Stable id of this node: it recovers its own unfinished sagas after a crash. */
  nodeId: string;
  /** Version of the saga definitions; pending sagas resume only under the same version. */
  workflowVersion: string;
  /** How often a node looks for due durable timers (gift delivery, 30-day limits). */
  timerPollMs: number;
  /** How often each node checks the promotions' version (LISTEN/NOTIFY is the fast path; this is the fallback). */
  promotionsPollMs: number;
  /** How long a checkout quote's price is honoured. */
  quoteTtlMinutes: number;
  /** Redis for fan-out across nodes (chat); unset: one node, in process. */
  redisUrl: string | undefined;
  /** Previews of links in chat: `on` (public addresses only), `off`, or `private` (also private ones: tests, closed networks). */
  linkPreviews: 'on' | 'off' | 'private';
  /** Load shedding (R6): checkouts in flight per node, how many may wait, and the event-loop stall that sheds all. */
  checkoutConcurrency: number;
  checkoutQueue: number;
  shedEventLoopDelayMs: number;
  /** Which proxies' X-Forwarded-For to believe for the client IP (R12 request country): false, true, hop count or addresses. */
  trustProxy: boolean | number | string[];
  /** A user may change their country of residence once per this many days (R12). */
  residenceChangeDays: number;
  /** A sign-up whose declared country differs from the connection's: recorded (warn), refused (block) or ignored. */
  signUpCountryCheck: 'warn' | 'block' | 'off';
  /** Operators must turn on two-factor authentication before the console API answers them (R7). */
  operatorRequire2fa: boolean;
  /** Rate limits on sign-in, sign-up and two-factor codes, per IP and per account. */
  authRateLimit: boolean;
  /** Development only: operators may move the store's clock from the console (DEV_CLOCK). */
  devClock: boolean;
  /** A Pwned-Passwords-style k-anonymity range API (…/range/); unset: no breached-password check. */
  passwordBreachCheckUrl: string | undefined;
  /** A MaxMind-format (MMDB) IP database to use instead of the bundled GeoLite2 country data. */
  geoipMmdbFile: string | undefined;
}

export class ConfigError extends Error {}

function trustProxy(raw: string | undefined): boolean | number | string[] {
  const v = raw?.trim();
  if (!v || v === 'false') return false;
  // "true" means one proxy in front: the right-most X-Forwarded-For entry is the address it saw. Trusting every
  // entry would let a client pick its own address (and its own rate-limit budget and country) by writing one.
  if (v === 'true') return 1;
  if (/^\d+$/.test(v)) return Number(v);
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

type Env = Record<string, string | undefined>;

/** Reads configuration from the environment; every bad value is reported at once, with what is expected. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw} must be a whole number from ${min} to ${max}.`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name}=${raw} must be one of: ${allowed.join(', ')}.`);
      return fallback;
    }
    return raw as T;
  };
  const url = (name: string, fallback: string | undefined, protocols: string[]) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error();
      return raw.replace(/\/$/, '');
    } catch {
      problems.push(`${name} must be a URL starting with ${protocols.join(' or ')}//, got "${raw}".`);
      return fallback;
    }
  };
  const json = (name: string) => {
    const raw = env[name]?.trim();
    if (!raw) return {};
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error();
      return v as Record<string, Record<string, unknown>>;
    } catch {
      problems.push(`${name} must be a JSON object such as {"google":{"clientId":"…","clientSecret":"…"}}.`);
      return {};
    }
  };

  const nodeEnv = oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = int('PORT', 3000, 0, 65535);
  const host = str('HOST', '127.0.0.1');
  const defaultCountry = str('DEFAULT_COUNTRY', 'US').toUpperCase();
  if (!isCountry(defaultCountry)) problems.push(`DEFAULT_COUNTRY=${defaultCountry} must be an ISO 3166-1 alpha-2 code such as US or KR.`);
  const defaultLanguage = str('DEFAULT_LANGUAGE', 'en');
  if (!isLanguage(defaultLanguage)) problems.push(`DEFAULT_LANGUAGE=${defaultLanguage} is not a supported language.`);
  const authSecret = env.AUTH_SECRET?.trim() || undefined;
  if (authSecret && authSecret.length < 32) problems.push('AUTH_SECRET must be at least 32 characters long.');
  if (nodeEnv === 'production' && !authSecret) problems.push('AUTH_SECRET is required when NODE_ENV=production.');
  const operatorEmail = env.OPERATOR_EMAIL?.trim() || undefined;
  const operatorPassword = env.OPERATOR_PASSWORD || undefined;
  if (Boolean(operatorEmail) !== Boolean(operatorPassword)) problems.push('OPERATOR_EMAIL and OPERATOR_PASSWORD must be set together.');

  const config: Config = {
    env: nodeEnv,
    host,
    port,
    publicUrl: url('PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:'])!,
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    databaseUrl: url('DATABASE_URL', undefined, ['postgres:', 'postgresql:']),
    dataDir: str('DATA_DIR', '.data'),
    embeddedPgPort: int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
    authSecret,
    socialProviders: json('AUTH_SOCIAL_PROVIDERS'),
    oidcProviders: parseOidcProviders(env.AUTH_OIDC_PROVIDERS, problems),
    defaultCountry,
    defaultLanguage,
    demoCatalog: oneOf('DEMO_CATALOG', ['auto', 'builtin', 'off'] as const, 'auto'),
    demoDataDir: str('DEMO_DATA_DIR', '../shared/data'),
    demoCatalogSize: int('DEMO_CATALOG_SIZE', 3000, 0, 100000),
    operatorEmail,
    operatorPassword,
    maxUploadBytes: int('MAX_UPLOAD_BYTES', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    paymentGatewayUrl: url('PAYMENT_GATEWAY_URL', undefined, ['http:', 'https:']),
    paysimPort: int('PAYSIM_PORT', 4010, 0, 65535),
    paysimApiKey: str('PAYSIM_API_KEY', 'paysim-dev-key'),
    paysimWebhookSecret: str('PAYSIM_WEBHOOK_SECRET', 'whsec_paysim_dev'),
    paymentMethodsFile: env.PAYMENT_METHODS_FILE?.trim() || undefined,
    paymentApprovalTimeoutSeconds: int('PAYMENT_APPROVAL_TIMEOUT_SECONDS', 900, 1, 86_400),
    refundWaitSeconds: int('REFUND_WAIT_SECONDS', 10, 0, 300),
    friendRequestsPerHour: int('FRIEND_REQUESTS_PER_HOUR', 50, 1, 10_000),
    reconcileIntervalSeconds: int('RECONCILE_INTERVAL_SECONDS', 300, 10, 86_400),
    reconcileLookbackHours: int('RECONCILE_LOOKBACK_HOURS', 48, 1, 24 * 90),
    recTrainIntervalMinutes: int('REC_TRAIN_INTERVAL_MINUTES', 60, 1, 7 * 24 * 60),
    playHeartbeatSeconds: int('PLAY_HEARTBEAT_SECONDS', 300, 10, 3600),
    eventPollMs: int('EVENT_POLL_MS', 1000, 20, 60_000),
    snsFeedUrl: url('SNS_FEED_URL', undefined, ['http:', 'https:']),
    snsFeedFile: env.SNS_FEED_FILE?.trim() || undefined,
    snsPollMinutes: int('SNS_POLL_MINUTES', 10, 1, 24 * 60),
    releaseMail: {
      minTastePercent: int('RELEASE_MAIL_MIN_TASTE_PERCENT', 20, 0, 100),
      maxPerGame: int('RELEASE_MAIL_MAX_PER_GAME', 10_000, 0, 10_000_000),
      maxPerWeek: int('RELEASE_MAIL_MAX_PER_WEEK', 2, 0, 100),
      batch: int('RELEASE_MAIL_BATCH', 200, 1, 10_000),
    },
    stuckOrderMinutes: int('STUCK_ORDER_MINUTES', 60, 1, 7 * 24 * 60),
    pointsEarnRatePercent: int('POINTS_EARN_RATE_PERCENT', 5, 0, 100),
    smtpUrl: url('SMTP_URL', undefined, ['smtp:', 'smtps:']),
    smtpSinkPort: int('SMTP_SINK_PORT', 2525, 0, 65535),
    mailFrom: str('MAIL_FROM', 'Game Store <no-reply@store.localhost>'),
    alertEmail: env.ALERT_EMAIL?.trim() || undefined,
    nodeId: str('NODE_ID', 'node-1'),
    workflowVersion: str('WORKFLOW_VERSION', '1'),
    timerPollMs: int('TIMER_POLL_MS', 1000, 10, 60_000),
    promotionsPollMs: int('PROMOTIONS_POLL_MS', 1000, 50, 60_000),
    quoteTtlMinutes: int('QUOTE_TTL_MINUTES', 15, 1, 1440),
    redisUrl: env.REDIS_URL?.trim() || undefined,
    linkPreviews: oneOf('LINK_PREVIEWS', ['on', 'off', 'private'] as const, 'on'),
    checkoutConcurrency: int('CHECKOUT_CONCURRENCY', 16, 1, 10_000),
    checkoutQueue: int('CHECKOUT_QUEUE', 256, 0, 1_000_000),
    shedEventLoopDelayMs: int('SHED_EVENT_LOOP_DELAY_MS', 2000, 0, 60_000),
    trustProxy: trustProxy(env.TRUST_PROXY),
    residenceChangeDays: int('RESIDENCE_CHANGE_DAYS', 90, 0, 3650),
    signUpCountryCheck: oneOf('SIGNUP_COUNTRY_CHECK', ['warn', 'block', 'off'] as const, 'warn'),
    operatorRequire2fa: oneOf('OPERATOR_REQUIRE_2FA', ['true', 'false'] as const, 'true') === 'true',
    authRateLimit: oneOf('AUTH_RATE_LIMIT', ['on', 'off'] as const, 'on') === 'on',
    devClock: oneOf('DEV_CLOCK', ['on', 'off'] as const, nodeEnv === 'development' ? 'on' : 'off') === 'on',
    passwordBreachCheckUrl: url('PASSWORD_BREACH_CHECK_URL', undefined, ['http:', 'https:']),
    geoipMmdbFile: env.GEOIP_MMDB_FILE?.trim() || undefined,
  };
  if (config.geoipMmdbFile && !existsSync(config.geoipMmdbFile)) problems.push(`GEOIP_MMDB_FILE=${config.geoipMmdbFile} does not exist.`);
  if (nodeEnv === 'production' && config.devClock)
    problems.push('DEV_CLOCK=on moves the store clock and is for development only: remove it when NODE_ENV=production.');
  // The sandbox gateway and the local mail sink (with its open /dev/mailbox page) are for development only.
  if (nodeEnv === 'production' && !config.paymentGatewayUrl)
    problems.push('PAYMENT_GATEWAY_URL is required when NODE_ENV=production (paysim is only started for development).');
  if (nodeEnv === 'production' && !env.PAYSIM_WEBHOOK_SECRET)
    problems.push('PAYSIM_WEBHOOK_SECRET (the gateway webhook secret) must be set when NODE_ENV=production.');
  if (nodeEnv === 'production' && !config.smtpUrl)
    problems.push('SMTP_URL is required when NODE_ENV=production (the local mail sink is for development only).');
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}

/** An OpenID Connect sign-in provider from AUTH_OIDC_PROVIDERS (accounts/providers.ts shows them). */
export interface OidcProviderConfig {
  id: string;
  name: string;
  /** The issuer; discovery is read from <issuer>/.well-known/openid-configuration unless discoveryUrl is given. */
  issuer: string;
  discoveryUrl?: string;
  clientId: string;
  clientSecret?: string;
  scopes?: string[];
  /** ISO countries whose visitors see this provider first; empty or absent: everywhere. */
  countries?: string[];
}

/** Reads AUTH_OIDC_PROVIDERS (a JSON array); problems are reported with the configuration's other errors. */
export function parseOidcProviders(raw: string | undefined, problems: string[]): OidcProviderConfig[] {
  if (!raw?.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('AUTH_OIDC_PROVIDERS must be a JSON array of {id, name, issuer, clientId, clientSecret, scopes?, countries?}.');
    return [];
  }
  if (!Array.isArray(parsed)) {
    problems.push('AUTH_OIDC_PROVIDERS must be a JSON array.');
    return [];
  }
  const out: OidcProviderConfig[] = [];
  for (const [i, p] of parsed.entries()) {
    const e = p as Partial<OidcProviderConfig>;
    if (!e || typeof e.id !== 'string' || !/^[a-z0-9-]{2,40}$/.test(e.id))
      problems.push(`AUTH_OIDC_PROVIDERS[${i}].id must be 2–40 lowercase letters, digits or dashes.`);
    else if (typeof e.issuer !== 'string' || !/^https?:\/\//.test(e.issuer))
      problems.push(`AUTH_OIDC_PROVIDERS[${i}] (${e.id}): issuer must be an http(s) URL.`);
    else if (typeof e.clientId !== 'string' || !e.clientId) problems.push(`AUTH_OIDC_PROVIDERS[${i}] (${e.id}): clientId is required.`);
    else
      out.push({
        id: e.id,
        name: typeof e.name === 'string' ? e.name : e.id,
        issuer: e.issuer.replace(/\/$/, ''),
        discoveryUrl: e.discoveryUrl,
        clientId: e.clientId,
        clientSecret: e.clientSecret,
        scopes: e.scopes,
        countries: e.countries,
      });
  }
  return out;
}
