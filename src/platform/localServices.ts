import path from 'node:path';
import type { Config } from '../config';
import { startEmbeddedPostgres } from '../dev/embeddedPostgres';
import type { Logger } from '../logging/logger';
import { resolveTemporalCli } from '../temporal/cli';
import { startTemporalDevServer } from '../temporal/devServer';
import { startDataPlatformProcess } from './dataPlatformProcess';
import { startPaymentGatewayProcess } from './paymentGatewayProcess';
import type { ServiceProcess } from './serviceProcess';
import { assertPortFree } from './ports';
import type { ShutdownStack } from './shutdownStack';
import { supervise, type RunningService, type SupervisedService } from './supervisor';

/**
 * Embedded PostgreSQL in DATA_DIR/postgres; returns its connection URL and the folder its
 * cluster really lives in (elsewhere when the postgres account cannot enter DATA_DIR).
 */
export async function startLocalPostgres(
  config: Config,
  logger: Logger,
  shutdown: ShutdownStack,
): Promise<{ url: string; clusterDir: string; supervised: SupervisedService<RunningService> }> {
  await assertPortFree(config.database.embeddedPort, '127.0.0.1', 'EMBEDDED_PG_PORT');
  logger.info({ port: config.database.embeddedPort }, 'starting embedded PostgreSQL');
  const pgLog = logger.child({ component: 'postgres' });
  const pg = await superviseLocal(
    'PostgreSQL',
    () =>
      startEmbeddedPostgres({
        dir: path.join(config.dataDir, 'postgres'),
        port: config.database.embeddedPort,
        database: 'order_platform',
        log: (line) => pgLog.debug(line),
      }),
    logger,
    shutdown,
  );
  return { url: pg.first.url, clusterDir: pg.first.dataDir, supervised: pg };
}

/** The Temporal CLI dev server with its SQLite file in DATA_DIR and the Web UI on. */
export async function startLocalTemporal(
  config: Config,
  logger: Logger,
  shutdown: ShutdownStack,
): Promise<{ address: string; uiUrl?: string; supervised: SupervisedService<RunningService> }> {
  await assertPortFree(config.temporal.devPort, '127.0.0.1', 'TEMPORAL_DEV_PORT');
  await assertPortFree(config.temporal.uiPort, '127.0.0.1', 'TEMPORAL_UI_PORT');
  const cliPath = await resolveTemporalCli({ explicitPath: config.temporal.cliPath, progress: (m) => logger.info(m) });
  logger.info({ port: config.temporal.devPort, uiPort: config.temporal.uiPort }, 'starting the Temporal dev server');
  const server = await superviseLocal(
    'Temporal dev server',
    () =>
      startTemporalDevServer({
        cliPath,
        port: config.temporal.devPort,
        uiPort: config.temporal.uiPort,
        dbFile: path.join(config.dataDir, 'temporal.sqlite'),
        namespace: config.temporal.namespace,
        logFile: path.join(config.dataDir, 'temporal.log'),
      }),
    logger,
    shutdown,
  );
  return { address: server.first.address, uiUrl: server.first.uiUrl, supervised: server };
}

/** The payment gateway simulator in its own process, its ledger in PostgreSQL's `payment_gateway` schema. */
export function startLocalPaymentGateway(config: Config, logger: Logger, shutdown: ShutdownStack, databaseUrl: string) {
  return startLocalSimulator(
    { name: 'payment gateway simulator', component: 'payment-gateway', port: config.paymentGateway.port, portSetting: 'PAYMENT_GATEWAY_PORT' },
    (onLog) =>
      startPaymentGatewayProcess({
        databaseUrl,
        port: config.paymentGateway.port,
        failureRate: config.paymentGateway.simulator.failureRate,
        latencyMs: config.paymentGateway.simulator.latencyMs,
        logLevel: config.logLevel,
        onLog,
      }),
    logger,
    shutdown,
  );
}

/** The data platform simulator in its own process, its records in PostgreSQL's `data_platform` schema. */
export function startLocalDataPlatform(config: Config, logger: Logger, shutdown: ShutdownStack, databaseUrl: string) {
  return startLocalSimulator(
    { name: 'data platform simulator', component: 'data-platform', port: config.dataPlatform.port, portSetting: 'DATA_PLATFORM_PORT' },
    (onLog) => startDataPlatformProcess({ databaseUrl, port: config.dataPlatform.port, logLevel: config.logLevel, onLog }),
    logger,
    shutdown,
  );
}

/** A simulator's process on its port, supervised, its log lines relayed under `component`. */
async function startLocalSimulator(
  simulator: { name: string; component: string; port: number; portSetting: string },
  start: (onLog: (line: string) => void) => Promise<ServiceProcess>,
  logger: Logger,
  shutdown: ShutdownStack,
): Promise<{ url: string; supervised: SupervisedService<RunningService> }> {
  await assertPortFree(simulator.port, '127.0.0.1', simulator.portSetting);
  logger.info({ port: simulator.port }, `starting the ${simulator.name}`);
  const simulatorLog = logger.child({ component: simulator.component });
  const supervised = await superviseLocal(simulator.name, () => start((line) => relayLogLine(simulatorLog, line)), logger, shutdown);
  return { url: supervised.first.url, supervised };
}

/** A local service kept up by a supervisor, stopped for good by the shutdown stack. */
async function superviseLocal<T extends RunningService>(name: string, start: () => Promise<T>, logger: Logger, shutdown: ShutdownStack) {
  const service = await supervise(name, start, logger);
  shutdown.push(name, service.stop);
  return service;
}

/** The simulator logs pino JSON; each event is re-logged at its own level, under our logger. */
function relayLogLine(logger: Logger, line: string): void {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(line);
  } catch {
    logger.info(line);
    return;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = event;
  const numeric = typeof level === 'number' ? level : 30;
  const method = numeric >= 50 ? 'error' : numeric >= 40 ? 'warn' : numeric >= 30 ? 'info' : 'debug';
  logger[method](fields, String(msg ?? ''));
}
