import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { createApp } from '../api/app';
import { hashPassword } from '../auth/passwords';
import { resolveJwtSecret } from '../auth/jwtSecret';
import { createTokenService } from '../auth/tokens';
import type { Config } from '../config';
import { createDb, migrateToLatest } from '../db/knex';
import { createUserRepository } from '../db/repositories/users';
import { startEmbeddedPostgres } from '../dev/embeddedPostgres';
import type { Logger } from '../logging/logger';
import { createCouponIssueStarter } from '../orchestration/couponIssue';
import { resolveTemporalCli } from '../temporal/cli';
import { connectClient } from '../temporal/client';
import { startTemporalDevServer } from '../temporal/devServer';
import { registerSearchAttributes } from '../temporal/registerSearchAttributes';
import { createWorker, installTemporalRuntime } from '../temporal/worker';
import { assertPortFree } from './ports';
import { createReadinessCheck } from './readiness';
import { ShutdownStack } from './shutdownStack';

export type Role = 'api' | 'worker';

export interface RunningPlatform {
  apiUrl?: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  databaseEmbedded: boolean;
  /** Settles when the worker stops on its own (a fatal error); never while healthy. */
  workerStopped: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Brings the platform up in dependency order: PostgreSQL (embedded unless DATABASE_URL),
 * Temporal (the CLI dev server unless TEMPORAL_ADDRESS), migrations, the admin account,
 * the worker and the HTTP API. Each started part registers how to stop it.
 */
export async function startPlatform(config: Config, logger: Logger, roles: Role[] = ['api', 'worker']): Promise<RunningPlatform> {
  const shutdown = new ShutdownStack();
  const stop = () =>
    shutdown.run((name, error) =>
      error ? logger.warn({ err: error }, `${name}: stop failed`) : logger.info(`${name} stopped`),
    );
  try {
    return await bringUp(config, logger, roles, shutdown, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function bringUp(
  config: Config,
  logger: Logger,
  roles: Role[],
  shutdown: ShutdownStack,
  stop: () => Promise<void>,
): Promise<RunningPlatform> {
  await fs.mkdir(config.dataDir, { recursive: true });

  await checkPorts(config, roles);

  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    logger.info({ port: config.database.embeddedPort }, 'starting embedded PostgreSQL');
    const pgLog = logger.child({ component: 'postgres' });
    const pg = await startEmbeddedPostgres({
      dir: path.join(config.dataDir, 'postgres'),
      port: config.database.embeddedPort,
      database: 'order_platform',
      log: (line) => pgLog.debug(line),
    });
    shutdown.push('PostgreSQL', pg.stop);
    databaseUrl = pg.url;
  }

  let temporalAddress = config.temporal.address;
  let temporalUiUrl = config.temporal.uiUrl;
  if (!temporalAddress) {
    const cliPath = await resolveTemporalCli({ explicitPath: config.temporal.cliPath, progress: (m) => logger.info(m) });
    logger.info({ port: config.temporal.devPort, uiPort: config.temporal.uiPort }, 'starting the Temporal dev server');
    const server = await startTemporalDevServer({
      cliPath,
      port: config.temporal.devPort,
      uiPort: config.temporal.uiPort,
      dbFile: path.join(config.dataDir, 'temporal.sqlite'),
      namespace: config.temporal.namespace,
      logFile: path.join(config.dataDir, 'temporal.log'),
    });
    shutdown.push('Temporal dev server', server.stop);
    temporalAddress = server.address;
    temporalUiUrl = server.uiUrl;
  }

  const db = createDb({ url: databaseUrl, poolMax: config.database.poolMax, logger });
  shutdown.push('database pool', () => db.destroy());
  const applied = await migrateToLatest(db);
  logger.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date');

  const { client, connection: temporalConnection } = await connectClient({ address: temporalAddress, namespace: config.temporal.namespace });
  shutdown.push('Temporal client', () => temporalConnection.close());
  const added = await registerSearchAttributes(temporalConnection, config.temporal.namespace);
  if (added.length) logger.info({ added }, 'registered Temporal search attributes');

  let workerStopped: Promise<void> = new Promise(() => undefined);
  if (roles.includes('worker')) {
    installTemporalRuntime(logger);
    logger.info({ taskQueue: config.temporal.taskQueue }, 'starting the Temporal worker (bundling workflows)');
    const { worker, connection } = await createWorker({
      address: temporalAddress,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      db,
      logger,
    });
    shutdown.push('worker connection', () => connection.close());
    workerStopped = runWorker(worker, logger);
    shutdown.push('worker', async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerStopped;
    });
  }

  let apiUrl: string | undefined;
  if (roles.includes('api')) {
    const users = createUserRepository(db);
    await users.upsertAdmin({ email: config.auth.adminEmail, passwordHash: await hashPassword(config.auth.adminPassword) });
    const tokens = createTokenService({
      secret: await resolveJwtSecret(config.auth.jwtSecret, config.dataDir),
      ttlSeconds: config.auth.jwtTtlSeconds,
    });
    const app = createApp({
      logger,
      db,
      tokens,
      couponIssue: createCouponIssueStarter(client, config.temporal.taskQueue, {
        resultTimeoutMs: config.temporal.resultTimeoutMs,
      }),
      checkReadiness: createReadinessCheck(db, temporalConnection),
      bodyLimit: config.http.bodyLimit,
    });
    const server = await new Promise<import('node:http').Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    shutdown.push('HTTP API', () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }));
    const { port } = server.address() as AddressInfo;
    apiUrl = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  }

  return { apiUrl, temporalAddress, temporalUiUrl, databaseEmbedded: !config.database.url, workerStopped, stop };
}

async function checkPorts(config: Config, roles: Role[]): Promise<void> {
  if (!config.database.url) await assertPortFree(config.database.embeddedPort, '127.0.0.1', 'EMBEDDED_PG_PORT');
  if (!config.temporal.address) {
    await assertPortFree(config.temporal.devPort, '127.0.0.1', 'TEMPORAL_DEV_PORT');
    await assertPortFree(config.temporal.uiPort, '127.0.0.1', 'TEMPORAL_UI_PORT');
  }
  if (roles.includes('api')) await assertPortFree(config.port, config.host, 'PORT');
}

async function runWorker(worker: Worker, logger: Logger): Promise<void> {
  try {
    await worker.run();
  } catch (error) {
    logger.fatal({ err: error }, 'the Temporal worker stopped with an error; restart the process');
    throw error;
  }
}
