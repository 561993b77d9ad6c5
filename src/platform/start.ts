import fs from 'node:fs/promises';
import type { Config } from '../config';
import { createDb, migrateToLatest } from '../db/knex';
import type { Logger } from '../logging/logger';
import { connectClient } from '../temporal/client';
import { registerSearchAttributes } from '../temporal/registerSearchAttributes';
import { ensureMaintenanceSchedules } from '../temporal/schedules';
import { startLocalDataPlatform, startLocalPaymentGateway, startLocalPostgres, startLocalTemporal } from './localServices';
import { startApiRole, startWorkerRole } from './roles';
import { ShutdownStack } from './shutdownStack';
import { activeTracing } from '../telemetry/tracing';

export type Role = 'api' | 'worker';

export interface RunningPlatform {
  apiUrl?: string;
  /** Where the API process's metrics are scraped (GET /metrics). */
  apiMetricsUrl?: string;
  /** Where the worker's metrics are scraped: the Temporal SDK's and the sagas' (GET /metrics). */
  workerMetricsUrl?: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  paymentGatewayUrl?: string;
  /** Where completed orders are delivered (the simulator unless DATA_PLATFORM_URL). */
  dataPlatformUrl?: string;
  /** Where the embedded PostgreSQL keeps its cluster; unset with DATABASE_URL. */
  embeddedPostgresDir?: string;
  /** Settles when the worker stops on its own (a fatal error); never while healthy. */
  workerStopped: Promise<void>;
  /** The worker's effective slots, cache and pollers (when this process runs the worker). */
  workerSettings?: Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Brings the platform up in dependency order: PostgreSQL (embedded unless DATABASE_URL),
 * Temporal (the CLI dev server unless TEMPORAL_ADDRESS), migrations, the payment
 * gateway (the simulator unless PAYMENT_GATEWAY_URL), the data platform (the simulator
 * unless DATA_PLATFORM_URL), search attributes,
 * the worker and the HTTP API. Each started part registers how to stop it; a failure
 * part-way stops what already started. With no role it brings up the services alone,
 * for API and worker processes of their own (the benchmark harness runs them so).
 */
export async function startPlatform(config: Config, logger: Logger, roles: Role[] = ['api', 'worker']): Promise<RunningPlatform> {
  const shutdown = new ShutdownStack();
  const stop = () =>
    shutdown.run((name, error) =>
      error ? logger.warn({ err: error }, `${name}: stop failed`) : logger.info(`${name} stopped`),
    );
  // Pushed first, so it runs last: the spans of everything else's shutdown still leave.
  const tracing = activeTracing();
  if (tracing) shutdown.push('tracing', () => tracing.shutdown());
  try {
    await fs.mkdir(config.dataDir, { recursive: true });
    const embedded = config.database.url ? undefined : await startLocalPostgres(config, logger, shutdown);
    const databaseUrl = config.database.url ?? embedded!.url;
    const temporal = config.temporal.address
      ? { address: config.temporal.address, uiUrl: config.temporal.uiUrl }
      : await startLocalTemporal(config, logger, shutdown);

    const db = createDb({ url: databaseUrl, poolMax: config.database.poolMax, logger });
    shutdown.push('database pool', () => db.destroy());
    const applied = await migrateToLatest(db);
    logger.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date');

    // Only the worker calls the gateway and the data platform. Each simulator migrates its own schema.
    const servicesOnly = roles.length === 0;
    const callsOutside = roles.includes('worker') || servicesOnly;
    const localGateway = callsOutside && !config.paymentGateway.url ? await startLocalPaymentGateway(config, logger, shutdown, databaseUrl) : undefined;
    const paymentGatewayUrl = callsOutside ? (config.paymentGateway.url ?? localGateway!.url) : undefined;
    const localDataPlatform = callsOutside && !config.dataPlatform.url ? await startLocalDataPlatform(config, logger, shutdown, databaseUrl) : undefined;
    const dataPlatformUrl = callsOutside ? (config.dataPlatform.url ?? localDataPlatform!.url) : undefined;

    const { client, connection } = await connectClient({ address: temporal.address, namespace: config.temporal.namespace });
    shutdown.push('Temporal client', () => connection.close());
    const added = await registerSearchAttributes(connection, config.temporal.namespace);
    if (added.length) logger.info({ added }, 'registered Temporal search attributes');
    if (roles.includes('worker')) {
      const schedules = await ensureMaintenanceSchedules(client, { taskQueue: config.temporal.taskQueue, ...config.maintenance });
      logger.info(schedules, 'maintenance schedules in place (reconciliation, sweeper, idempotency prune, sales rollup, delivery)');
    }

    const worker = roles.includes('worker')
      ? await startWorkerRole({ config, logger, db, temporalAddress: temporal.address, paymentGatewayUrl: paymentGatewayUrl!, dataPlatformUrl: dataPlatformUrl! }, shutdown)
      : { stopped: new Promise<void>(() => undefined), settings: undefined, metricsUrl: undefined };
    const api = roles.includes('api')
      ? await startApiRole({ config, logger, db, databaseUrl, client, temporalConnection: connection, localGateway: localGateway?.supervised }, shutdown)
      : undefined;

    return {
      apiUrl: api?.url,
      apiMetricsUrl: api?.metricsUrl,
      workerMetricsUrl: worker.metricsUrl,
      temporalAddress: temporal.address,
      temporalUiUrl: temporal.uiUrl,
      paymentGatewayUrl,
      dataPlatformUrl,
      embeddedPostgresDir: embedded?.clusterDir,
      workerStopped: worker.stopped,
      workerSettings: worker.settings,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
