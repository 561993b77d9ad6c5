import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import type { StockLocking } from '../../src/activities/stock';
import type { OrderLimits } from '../../src/domain/orderLimits';
import { createApp } from '../../src/api/app';
import { serveApi } from '../../src/api/server';
import { createAuthLimits, createTarpit, type AuthRateLimitSettings } from '../../src/api/authLimits';
import { createHashingGate } from '../../src/auth/passwords';
import { createSessionCheck } from '../../src/auth/sessions';
import { createTokenService, type TokenService } from '../../src/auth/tokens';
import { createDb } from '../../src/db/knex';
import { createDataPlatformClient } from '../../src/dataPlatform/client';
import type { DeliveryBackoff } from '../../src/db/repositories/orderDeliveries';
import { createLogger } from '../../src/logging/logger';
import { createPaymentGatewayClient } from '../../src/gateway/paymentGateway';
import type { IssuerRunOptions } from '../../src/orchestration/couponIssuer';
import { createOrchestration } from '../../src/orchestration/wiring';
import { createReadinessCheck, readinessPool } from '../../src/platform/readiness';
import { connectClient } from '../../src/temporal/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createWorker, installTemporalRuntime } from '../../src/temporal/worker';
import { testEnvironment } from './environment';

export interface TestStack {
  baseUrl: string;
  db: Knex;
  client: Client;
  connection: Connection;
  tokens: TokenService;
  /** The API's signing secret, for tests that forge tokens it must accept or refuse. */
  jwtSecret: string;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * The real application wired as start-up wires it (API, worker, PostgreSQL, Temporal),
 * on a task queue of its own so test files never pick up each other's workflows.
 */
export interface TestStackOptions {
  withWorker?: boolean;
  resultTimeoutMs?: number;
  /** How long placed orders hold their stock (default 10 minutes, as in production). */
  reservationTtlMs?: number;
  /** Replace activities by name, e.g. to inject a failure into one saga step. */
  activityOverrides?: Record<string, (...args: any[]) => Promise<unknown>>;
  /** STOCK_LOCKING for the worker's stock activities (the version check by default). */
  stockLocking?: StockLocking;
  /** ORDER_MAX_* for the worker (none by default: tests buy whole stocks on purpose). */
  orderLimits?: OrderLimits;
  /** Tuning of the coupon issuer runs this stack starts (e.g. a tiny claimsPerRun). */
  couponIssuerRun?: IssuerRunOptions;
  /** How long its payments wait out a gateway outage (the saga's 5 minutes by default). */
  gatewayOutageBudgetMs?: number;
  /** The gateway its worker calls (the suite's simulator by default). */
  paymentGatewayUrl?: string;
  /** The data platform its worker delivers to (the suite's simulator by default). */
  dataPlatformUrl?: string;
  /** How long a failing delivery waits before its next attempt (1 s to 5 s by default, so tests see retries). */
  deliveryBackoff?: DeliveryBackoff;
  /** AUTH_SESSION_CACHE_SECONDS, in ms (production's 10 s by default). */
  sessionCacheTtlMs?: number;
  /** CORS_ORIGINS (none by default, as in production). */
  corsOrigins?: string[];
  /** Rate limits of sign-in and sign-up (off by default: tests sign many customers up from one address). */
  authLimits?: AuthRateLimitSettings;
  /** The password-hashing bound (production's 2 running, 64 waiting by default). */
  hashing?: { concurrency: number; queue: number };
  /** TRUST_PROXY_HOPS (tests that play clients from several addresses set 1). */
  trustProxyHops?: number;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const env = testEnvironment();
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'error', pretty: false });
  await installTemporalRuntime(logger);
  const db = createDb({ url: env.databaseUrl, poolMax: 20 });
  const taskQueue = `test-${randomUUID()}`;
  const stopWorker =
    options.withWorker === false
      ? async () => undefined
      : await startTestWorker(db, taskQueue, options);
  const { client, connection } = await connectClient({ address: env.temporalAddress, namespace: env.namespace });
  const probeDb = readinessPool(env.databaseUrl);
  const jwtSecret = randomBytes(32).toString('hex');
  const tokens = createTokenService({ secret: jwtSecret, ttlSeconds: 3600 });
  const app = createApp({
    logger,
    db,
    tokens,
    sessions: createSessionCheck(db, { cacheTtlMs: options.sessionCacheTtlMs ?? 10_000 }),
    authLimits: createAuthLimits(db, options.authLimits ?? { perAddressPerMinute: 0, perAccountPerMinute: 0 }),
    hashing: createHashingGate(options.hashing ?? { concurrency: 2, queue: 64 }),
    // Refusals answered at once: the tarpit has a test of its own (test/unit/hashingGate.test.ts).
    refusalTarpit: createTarpit({ delayMs: 0, maxHeld: 0 }),
    trustProxyHops: options.trustProxyHops,
    ...createOrchestration({
      db,
      client,
      taskQueue,
      resultTimeoutMs: options.resultTimeoutMs ?? 60_000,
      reservationTtlMs: options.reservationTtlMs ?? 600_000,
      couponIssuerRun: options.couponIssuerRun,
      paymentBudgets: { gatewayOutageBudgetMs: options.gatewayOutageBudgetMs },
    }),
    checkReadiness: createReadinessCheck(probeDb, connection),
    bodyLimit: '100kb',
    corsOrigins: options.corsOrigins,
    checkResponses: true,
  });
  const server = await serveApi(app, 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    db,
    client,
    connection,
    tokens,
    jwtSecret,
    taskQueue,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await stopWorker();
      await connection.close();
      await probeDb.destroy();
      await db.destroy();
    },
  };
}

/**
 * A test file's stack: started before its tests, stopped after them. The value stands in
 * for the stack itself (its properties are the started stack's), so tests use it as one.
 */
export function useTestStack(options: TestStackOptions = {}): TestStack {
  let started: TestStack | undefined;
  beforeAll(async () => {
    started = await startTestStack(options);
  });
  afterAll(() => started?.stop());
  return new Proxy({} as TestStack, {
    get(_, key) {
      if (!started) throw new Error('the test stack starts in beforeAll: use it inside a test or a hook');
      return started[key as keyof TestStack];
    },
  });
}


/** A real worker (every activity, the pre-built workflow bundle) on a task queue; returns its stop. */
export async function startTestWorker(
  db: Knex,
  taskQueue: string,
  options: Pick<TestStackOptions, 'activityOverrides' | 'stockLocking' | 'paymentGatewayUrl' | 'dataPlatformUrl' | 'deliveryBackoff' | 'orderLimits'> = {},
): Promise<() => Promise<void>> {
  const env = testEnvironment();
  const { activityOverrides, stockLocking, paymentGatewayUrl, orderLimits } = options;
  const { worker, connection } = await createWorker({
    address: env.temporalAddress,
    namespace: env.namespace,
    taskQueue,
    db,
    gateway: paymentGatewayUrl ? createPaymentGatewayClient({ baseUrl: paymentGatewayUrl, timeoutMs: 10_000 }) : testGateway(),
    dataPlatform: createDataPlatformClient({ baseUrl: options.dataPlatformUrl ?? env.dataPlatformUrl, timeoutMs: 5_000 }),
    deliveryBackoff: options.deliveryBackoff ?? { initialMs: 1_000, maxMs: 5_000 },
    activityOverrides,
    stockLocking,
    orderLimits,
    workflowBundlePath: env.workflowBundlePath,
  });
  const running = worker.run();
  return async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await connection.close();
  };
}

/**
 * A worker of a test's own (its workflow bundle and activities, on its task queue) and a
 * client beside it, on the suite's Temporal server; stop() shuts both down.
 */
export async function startBareWorker(options: { taskQueue: string; workflowBundle: WorkerOptions['workflowBundle']; activities: object }) {
  const env = testEnvironment();
  const workerConnection = await NativeConnection.connect({ address: env.temporalAddress });
  const worker = await Worker.create({ connection: workerConnection, namespace: env.namespace, taskQueue: options.taskQueue, workflowBundle: options.workflowBundle, activities: options.activities });
  const running = worker.run();
  const connected = await connectClient({ address: env.temporalAddress, namespace: env.namespace });
  return {
    client: connected.client,
    async stop() {
      worker.shutdown();
      await running;
      await workerConnection.close();
      await connected.connection.close();
    },
  };
}

/** The platform's gateway client, pointed at the simulator globalSetup started. */
export const testGateway = () => createPaymentGatewayClient({ baseUrl: testEnvironment().paymentGatewayUrl, timeoutMs: 10_000 });
