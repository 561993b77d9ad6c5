import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { DeliveryInput } from '../contracts/orderDelivery';
import type { DeliveryBackoff } from '../db/repositories/orderDeliveries';
import type { OrderLimits } from '../domain/orderLimits';

/**
 * Every setting the platform reads from the environment, with dev defaults so that
 * `npm start` works on a fresh machine. A bad value stops start-up with a message
 * naming the variable (see `loadConfig`).
 */
const port = z.coerce.number().int().min(1).max(65535);
const optionalUrl = (protocol: RegExp, hint: string) =>
  z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.url({ protocol, message: hint }).optional())
    .optional();
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(3000),
  /** Where an API process serves GET /metrics (Prometheus text format); 0 lets the OS pick (the banner shows it). */
  API_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Where a worker process serves GET /metrics (the Temporal SDK's and the sagas'); 0 picks a free port (the banner shows it). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  /** Where embedded PostgreSQL, the Temporal SQLite file and the dev JWT secret live. */
  DATA_DIR: z.string().default('.data'),
  /** An existing PostgreSQL; when unset, `npm start` runs embedded PostgreSQL. */
  DATABASE_URL: optionalUrl(/^postgres(ql)?$/, 'must be a postgres:// URL, e.g. postgres://user:pass@host:5432/db'),
  EMBEDDED_PG_PORT: port.default(54329),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  /** An existing Temporal frontend (host:port); when unset, `npm start` runs the dev server. */
  TEMPORAL_ADDRESS: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/, 'must be host:port, e.g. temporal:7233')
      .optional(),
  ),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('order-platform'),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** Path to a `temporal` CLI binary; otherwise PATH, then the per-user build cache. */
  TEMPORAL_CLI: optionalString,
  /** Shown in the start-up banner; with an external cluster, its Web UI address. */
  TEMPORAL_UI_URL: optionalUrl(/^https?$/, 'must be an http(s) URL'),
  /**
   * How long an HTTP request waits for a workflow's outcome before answering 503 (the
   * workflow carries on). Two minutes covers a rush of several thousand claims arriving at
   * once on the dev server (~55 workflows/s) while still bounding a wait on dead workers.
   */
  WORKFLOW_RESULT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(120_000),
  /** How stock moves guard their rows: `version-check` (optimistic, the default) or `for-update` (docs/stock.md). */
  STOCK_LOCKING: z.enum(['version-check', 'for-update']).default('version-check'),
  /** How long a placed order holds its stock waiting for payment (the workflow's durable timer). */
  ORDER_RESERVATION_TTL_MS: z.coerce.number().int().min(1_000).max(7 * 86_400_000).default(600_000),
  /** What one customer may take at once (0: no limit): units per order line, lines per order, and across its unpaid orders, how many and how many units. */
  ORDER_MAX_UNITS_PER_LINE: z.coerce.number().int().min(0).max(1_000_000).default(10),
  ORDER_MAX_LINES: z.coerce.number().int().min(0).max(100).default(20),
  ORDER_MAX_PENDING_PER_CUSTOMER: z.coerce.number().int().min(0).max(10_000).default(5),
  ORDER_MAX_RESERVED_UNITS_PER_CUSTOMER: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /** An existing payment gateway; when unset, `npm start` runs the simulator (docs/payment-gateway.md). */
  PAYMENT_GATEWAY_URL: optionalUrl(/^https?$/, 'must be an http(s) URL'),
  PAYMENT_GATEWAY_PORT: port.default(4100),
  /** The simulator's fault injection for demos: a share of requests answering 503, and added latency ("0" or "min-max" ms). */
  GATEWAY_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  GATEWAY_LATENCY_MS: z
    .string()
    .regex(/^\d{1,5}(-\d{1,5})?$/, 'like 0 or 20-200 (milliseconds)')
    .default('0'),
  /** How long one gateway call may take before the charge activity retries it; below the charge activity's 15 s timeout. */
  PAYMENT_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(12_000).default(10_000),
  /** How long a payment waits out a gateway that answers 5xx or not at all before it is failed and compensated; unset: the saga's 5 minutes. */
  GATEWAY_OUTAGE_BUDGET_SECONDS: z.coerce.number().int().min(1).max(86_400).optional(),
  /** How long a payment keeps asking about a charge whose outcome is unknown (no answer in time) before it refunds whatever was charged and fails; unset: 10 minutes. */
  GATEWAY_UNKNOWN_OUTCOME_BUDGET_SECONDS: z.coerce.number().int().min(1).max(86_400).optional(),
  /** The reconciliation Schedule: how often it runs, and how far back in approval time each run compares the gateway with the orders. */
  RECONCILIATION_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  RECONCILIATION_LOOKBACK_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(7_200),
  /** The sweeper Schedule: how often it runs, and how long past its reservation's end an order's hold is left before it counts as orphaned. */
  SWEEPER_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  SWEEPER_GRACE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(120),
  /** How long the answer stored under an Idempotency-Key is kept (at least 30 days, as payment processors keep keys), and how often older ones are pruned. */
  IDEMPOTENCY_RETENTION_DAYS: z.coerce.number().int().min(30).max(3650).default(30),
  IDEMPOTENCY_PRUNE_INTERVAL_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(3600),
  /** How often the hourly sales rollup behind GET /products/popular is brought up to date. */
  SALES_ROLLUP_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(60),
  /** The data platform completed orders are delivered to; unset: `npm start` runs its simulator on DATA_PLATFORM_PORT. */
  DATA_PLATFORM_URL: optionalUrl(/^https?$/, 'must be an http(s) URL'),
  DATA_PLATFORM_PORT: port.default(4200),
  /** How long one delivery request may take before it counts as failed and backs off. */
  DATA_PLATFORM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** How often the delivery Schedule drains the outbox of completed orders. */
  DELIVERY_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
  /** A failing delivery's wait before its next attempt: doubling from the first, capped at the max. */
  DELIVERY_RETRY_INITIAL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(5),
  DELIVERY_RETRY_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** A delivery failing for this long raises NeedsAttention on the delivery run. */
  DELIVERY_ATTENTION_AFTER_SECONDS: z.coerce.number().int().min(10).max(7 * 86_400).default(900),
  JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400 * 30).default(3600),
  /** Sign-in and sign-up attempts per client address per minute, across API processes; 0 turns it off. */
  AUTH_ADDRESS_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(60),
  /** Sign-in attempts per account per minute, from any address; 0 turns it off. */
  AUTH_ACCOUNT_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(10),
  /**
   * Password hashes running at once per API process (each takes a core for ~50 ms; half
   * the cores by default, so a flood of sign-ins leaves the rest to checkouts), and how
   * many may wait beyond them (then 429).
   */
  PASSWORD_HASHING_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(Math.max(1, Math.floor(os.availableParallelism() / 2))),
  PASSWORD_HASHING_QUEUE: z.coerce.number().int().min(0).max(10_000).default(64),
  /**
   * The CPU priority (nice value, 0..19) of the process an API process hashes passwords
   * in: higher yields the cores to checkout sooner when both want them.
   */
  PASSWORD_HASHING_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
  /** How long a sign-in or sign-up refused 429 is held before it is answered (at most 1,000 held at once); 0 answers at once. */
  AUTH_REFUSAL_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  /** Express's `trust proxy`: how many proxies in front set X-Forwarded-For (the client address the limits count). 0: none. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** How long an API process trusts an account's role and token version it has read: the window in which a logout, a role change or a deletion reaches every process. */
  AUTH_SESSION_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  ADMIN_EMAIL: z.email().default('admin@example.com'),
  ADMIN_PASSWORD: z.string().min(8).default('admin-dev-password'),
  /** Largest accepted request body (express/body-parser syntax). */
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'like 100kb or 1mb').default('100kb'),
  /** Origins a browser may call the API from, comma-separated (e.g. https://shop.example); none by default. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((list) => list.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ }))),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  metrics: { apiPort: number; workerPort: number };
  logLevel: Env['LOG_LEVEL'];
  logFormat?: Env['LOG_FORMAT'];
  dataDir: string;
  database: { url?: string; embeddedPort: number; poolMax: number };
  temporal: {
    address?: string;
    namespace: string;
    taskQueue: string;
    devPort: number;
    uiPort: number;
    cliPath?: string;
    uiUrl?: string;
    resultTimeoutMs: number;
  };
  auth: {
    jwtSecret?: string;
    jwtTtlSeconds: number;
    sessionCacheTtlMs: number;
    adminEmail: string;
    adminPassword: string;
    limits: { perAddressPerMinute: number; perAccountPerMinute: number };
    hashing: { concurrency: number; queue: number; niceness: number };
    refusalDelayMs: number;
  };
  http: { bodyLimit: string; corsOrigins: string[]; trustProxyHops: number };
  orders: { reservationTtlMs: number; stockLocking: Env['STOCK_LOCKING']; limits: OrderLimits };
  maintenance: {
    reconciliation: { intervalMs: number; lookbackMs: number };
    sweeper: { intervalMs: number; graceMs: number; limit: number };
    idempotency: { intervalMs: number; retentionMs: number };
    salesRollup: { intervalMs: number };
    delivery: DeliveryInput & { intervalMs: number };
  };
  dataPlatform: { url?: string; port: number; timeoutMs: number; backoff: DeliveryBackoff };
  paymentGateway: { url?: string; port: number; timeoutMs: number; outageBudgetMs?: number; unknownOutcomeBudgetMs?: number; simulator: { failureRate: number; latencyMs: [number, number] } };
}

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const latencyRange = (value: string): [number, number] => {
  const [min, max = min] = value.split('-').map(Number);
  return [Math.min(min, max), Math.max(min, max)];
};

const DEV_ADMIN_PASSWORD = 'admin-dev-password';

/** Parses environment variables with a schema; a failure is a ConfigError naming each bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.output<S> {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(environment)'),
      message: issue.message,
    })),
  );
}

/** A process's configuration, or its bad variables printed and exit code 1. */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = parseEnv(envSchema, source);
  // A production deployment must not run with the published dev credentials.
  if (env.NODE_ENV === 'production') {
    const missing: { variable: string; message: string }[] = [];
    if (!env.JWT_SECRET) missing.push({ variable: 'JWT_SECRET', message: 'required in production' });
    if (env.ADMIN_PASSWORD === DEV_ADMIN_PASSWORD) {
      missing.push({ variable: 'ADMIN_PASSWORD', message: 'must not be the dev default in production' });
    }
    if (missing.length > 0) throw new ConfigError(missing);
  }
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    metrics: { apiPort: env.API_METRICS_PORT, workerPort: env.WORKER_METRICS_PORT },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    dataDir: path.resolve(env.DATA_DIR),
    database: { url: env.DATABASE_URL, embeddedPort: env.EMBEDDED_PG_PORT, poolMax: env.DATABASE_POOL_MAX },
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      devPort: env.TEMPORAL_DEV_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      cliPath: env.TEMPORAL_CLI,
      uiUrl: env.TEMPORAL_UI_URL,
      resultTimeoutMs: env.WORKFLOW_RESULT_TIMEOUT_MS,
    },
    auth: {
      jwtSecret: env.JWT_SECRET,
      jwtTtlSeconds: env.JWT_TTL_SECONDS,
      sessionCacheTtlMs: env.AUTH_SESSION_CACHE_SECONDS * 1000,
      limits: { perAddressPerMinute: env.AUTH_ADDRESS_LIMIT_PER_MINUTE, perAccountPerMinute: env.AUTH_ACCOUNT_LIMIT_PER_MINUTE },
      hashing: { concurrency: env.PASSWORD_HASHING_CONCURRENCY, queue: env.PASSWORD_HASHING_QUEUE, niceness: env.PASSWORD_HASHING_NICENESS },
      refusalDelayMs: env.AUTH_REFUSAL_DELAY_MS,
      adminEmail: env.ADMIN_EMAIL.toLowerCase(),
      adminPassword: env.ADMIN_PASSWORD,
    },
    http: { bodyLimit: env.BODY_LIMIT, corsOrigins: env.CORS_ORIGINS, trustProxyHops: env.TRUST_PROXY_HOPS },
    orders: {
      reservationTtlMs: env.ORDER_RESERVATION_TTL_MS,
      stockLocking: env.STOCK_LOCKING,
      limits: {
        maxUnitsPerLine: env.ORDER_MAX_UNITS_PER_LINE,
        maxLines: env.ORDER_MAX_LINES,
        maxPendingOrders: env.ORDER_MAX_PENDING_PER_CUSTOMER,
        maxReservedUnits: env.ORDER_MAX_RESERVED_UNITS_PER_CUSTOMER,
      },
    },
    maintenance: {
      reconciliation: { intervalMs: env.RECONCILIATION_INTERVAL_SECONDS * 1000, lookbackMs: env.RECONCILIATION_LOOKBACK_SECONDS * 1000 },
      sweeper: { intervalMs: env.SWEEPER_INTERVAL_SECONDS * 1000, graceMs: env.SWEEPER_GRACE_SECONDS * 1000, limit: 500 },
      idempotency: { intervalMs: env.IDEMPOTENCY_PRUNE_INTERVAL_SECONDS * 1000, retentionMs: env.IDEMPOTENCY_RETENTION_DAYS * 86_400_000 },
      salesRollup: { intervalMs: env.SALES_ROLLUP_INTERVAL_SECONDS * 1000 },
      delivery: {
        intervalMs: env.DELIVERY_INTERVAL_SECONDS * 1000,
        batchSize: 100,
        concurrency: 8,
        budgetMs: 30_000,
        attentionAfterMs: env.DELIVERY_ATTENTION_AFTER_SECONDS * 1000,
      },
    },
    dataPlatform: {
      url: env.DATA_PLATFORM_URL,
      port: env.DATA_PLATFORM_PORT,
      timeoutMs: env.DATA_PLATFORM_TIMEOUT_MS,
      backoff: { initialMs: env.DELIVERY_RETRY_INITIAL_SECONDS * 1000, maxMs: Math.max(env.DELIVERY_RETRY_MAX_SECONDS, env.DELIVERY_RETRY_INITIAL_SECONDS) * 1000 },
    },
    paymentGateway: {
      url: env.PAYMENT_GATEWAY_URL,
      port: env.PAYMENT_GATEWAY_PORT,
      timeoutMs: env.PAYMENT_GATEWAY_TIMEOUT_MS,
      outageBudgetMs: env.GATEWAY_OUTAGE_BUDGET_SECONDS === undefined ? undefined : env.GATEWAY_OUTAGE_BUDGET_SECONDS * 1000,
      unknownOutcomeBudgetMs: env.GATEWAY_UNKNOWN_OUTCOME_BUDGET_SECONDS === undefined ? undefined : env.GATEWAY_UNKNOWN_OUTCOME_BUDGET_SECONDS * 1000,
      simulator: { failureRate: env.GATEWAY_FAILURE_RATE, latencyMs: latencyRange(env.GATEWAY_LATENCY_MS) },
    },
  };
}
