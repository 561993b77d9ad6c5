import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createApp } from '../../src/api/app';
import { createTokenService, type TokenService } from '../../src/auth/tokens';
import { createDb } from '../../src/db/knex';
import { createLogger } from '../../src/logging/logger';
import { createCouponIssueStarter } from '../../src/orchestration/couponIssue';
import { createReadinessCheck } from '../../src/platform/readiness';
import { connectClient } from '../../src/temporal/client';
import { createWorker, installTemporalRuntime } from '../../src/temporal/worker';
import { testEnvironment } from './environment';

export interface TestStack {
  baseUrl: string;
  db: Knex;
  client: Client;
  connection: Connection;
  tokens: TokenService;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * The real application wired as start-up wires it (API, worker, PostgreSQL, Temporal),
 * on a task queue of its own so test files never pick up each other's workflows.
 */
export async function startTestStack(): Promise<TestStack> {
  const env = testEnvironment();
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'error', pretty: false });
  installTemporalRuntime(logger);
  const db = createDb({ url: env.databaseUrl, poolMax: 20 });
  const taskQueue = `test-${randomUUID()}`;
  const { worker, connection: workerConnection } = await createWorker({
    address: env.temporalAddress,
    namespace: env.namespace,
    taskQueue,
    db,
    workflowBundlePath: env.workflowBundlePath,
  });
  const running = worker.run();
  const { client, connection } = await connectClient({ address: env.temporalAddress, namespace: env.namespace });
  const tokens = createTokenService({ secret: randomBytes(32).toString('hex'), ttlSeconds: 3600 });
  const app = createApp({
    logger,
    db,
    tokens,
    couponIssue: createCouponIssueStarter(client, taskQueue),
    checkReadiness: createReadinessCheck(db, connection),
    bodyLimit: '100kb',
  });
  const server = await listen(app);
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    db,
    client,
    connection,
    tokens,
    taskQueue,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await stopWorker(worker, running);
      await workerConnection.close();
      await connection.close();
      await db.destroy();
    },
  };
}

function listen(app: ReturnType<typeof createApp>): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function stopWorker(worker: Worker, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}
