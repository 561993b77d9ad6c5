import type { AddressInfo } from 'node:net';
import type { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import { createApp } from '../api/app';
import { serveApi } from '../api/server';
import { resolveJwtSecret } from '../auth/jwtSecret';
import { createAuthLimits, createTarpit } from '../api/authLimits';
import { createHashingGate, hashPassword } from '../auth/passwords';
import { startHashingProcess } from '../auth/hashingProcess';
import { observeDatabasePool } from '../metrics/apiMetrics';
import { observeOrderGauges } from '../metrics/orderMetrics';
import { metricsRegistry } from '../metrics/registry';
import { serveMetrics } from '../metrics/server';
import { createSessionCheck } from '../auth/sessions';
import { createTokenService } from '../auth/tokens';
import type { Config } from '../config';
import { createUserRepository } from '../db/repositories/users';
import type { Logger } from '../logging/logger';
import { createPaymentGatewayClient } from '../gateway/paymentGateway';
import { createOrchestration } from '../orchestration/wiring';
import { createDataPlatformClient } from '../dataPlatform/client';
import { createWorker, installTemporalRuntime, workerSettings } from '../temporal/worker';
import { assertPortFree } from './ports';
import { createReadinessCheck, readinessPool } from './readiness';
import type { ShutdownStack } from './shutdownStack';
import type { RunningService, SupervisedService } from './supervisor';

/** Runs the Temporal worker; the promise settles only if it stops on its own (a fault). */
export async function startWorkerRole(
  deps: { config: Config; logger: Logger; db: Knex; temporalAddress: string; paymentGatewayUrl: string; dataPlatformUrl: string },
  shutdown: ShutdownStack,
): Promise<{ stopped: Promise<void>; settings: ReturnType<typeof workerSettings>; metricsUrl?: string }> {
  const { config, logger } = deps;
  if (config.metrics.workerPort !== 0) await assertPortFree(config.metrics.workerPort, config.host, 'WORKER_METRICS_PORT');
  const metricsUrl = await installTemporalRuntime(logger, { host: config.host, port: config.metrics.workerPort });
  logger.info({ taskQueue: config.temporal.taskQueue }, 'starting the Temporal worker (bundling workflows)');
  const { worker, connection } = await createWorker({
    address: deps.temporalAddress,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    db: deps.db,
    gateway: createPaymentGatewayClient({ baseUrl: deps.paymentGatewayUrl, timeoutMs: config.paymentGateway.timeoutMs }),
    dataPlatform: createDataPlatformClient({ baseUrl: deps.dataPlatformUrl, timeoutMs: config.dataPlatform.timeoutMs }),
    deliveryBackoff: config.dataPlatform.backoff,
    stockLocking: config.orders.stockLocking,
    orderLimits: config.orders.limits,
    logger,
  });
  shutdown.push('worker connection', () => connection.close());
  const settings = workerSettings(worker);
  logger.info({ taskQueue: config.temporal.taskQueue, ...settings }, 'worker settings');
  const stopped = worker.run().catch((error) => {
    logger.fatal({ err: error }, 'the Temporal worker stopped with an error; restart the process');
    throw error;
  });
  shutdown.push('worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await stopped;
  });
  return { stopped, settings, metricsUrl };
}

/** Ensures the configured admin, then serves the HTTP API; returns its base URL. */
export async function startApiRole(
  deps: {
    config: Config;
    logger: Logger;
    db: Knex;
    /** Readiness probes PostgreSQL through a pool of its own (src/platform/readiness.ts). */
    databaseUrl: string;
    client: Client;
    temporalConnection: Connection;
    localGateway?: SupervisedService<RunningService>;
  },
  shutdown: ShutdownStack,
): Promise<{ url: string; metricsUrl: string }> {
  const { config, logger, db } = deps;
  await assertPortFree(config.port, config.host, 'PORT');
  observeDatabasePool(db, 'api');
  observeOrderGauges(db);
  const metrics = await serveMetrics(metricsRegistry, config.metrics.apiPort, config.host);
  shutdown.push('API metrics', () => metrics.close());
  await createUserRepository(db).upsertAdmin({
    email: config.auth.adminEmail,
    passwordHash: await hashPassword(config.auth.adminPassword),
  });
  const hashingProcess = startHashingProcess({ niceness: config.auth.hashing.niceness });
  shutdown.push('password-hashing process', () => hashingProcess.close());
  const probeDb = readinessPool(deps.databaseUrl);
  shutdown.push('readiness pool', () => probeDb.destroy());
  const tokens = createTokenService({
    secret: await resolveJwtSecret(config.auth.jwtSecret, config.dataDir),
    ttlSeconds: config.auth.jwtTtlSeconds,
  });
  const app = createApp({
    logger,
    db,
    tokens,
    sessions: createSessionCheck(db, { cacheTtlMs: config.auth.sessionCacheTtlMs }),
    authLimits: createAuthLimits(db, config.auth.limits),
    hashing: createHashingGate({ ...config.auth.hashing, hasher: hashingProcess }),
    refusalTarpit: createTarpit({ delayMs: config.auth.refusalDelayMs, maxHeld: 1_000 }),
    trustProxyHops: config.http.trustProxyHops,
    ...createOrchestration({
      db,
      client: deps.client,
      taskQueue: config.temporal.taskQueue,
      resultTimeoutMs: config.temporal.resultTimeoutMs,
      reservationTtlMs: config.orders.reservationTtlMs,
      paymentBudgets: { gatewayOutageBudgetMs: config.paymentGateway.outageBudgetMs, unknownOutcomeBudgetMs: config.paymentGateway.unknownOutcomeBudgetMs },
    }),
    // The gateway simulator this process started counts too (restarting = not ready).
    checkReadiness: createReadinessCheck(probeDb, deps.temporalConnection, deps.localGateway ? { paymentGateway: () => deps.localGateway!.state() === 'up' } : {}),
    bodyLimit: config.http.bodyLimit,
    corsOrigins: config.http.corsOrigins,
    checkResponses: config.env !== 'production',
  });
  const server = await serveApi(app, config.port, config.host);
  shutdown.push(
    'HTTP API',
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`, metricsUrl: metrics.url };
}
