import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDb, migrateToLatest } from '../../src/db/knex';
import { startEmbeddedPostgres } from '../../src/dev/embeddedPostgres';
import { createThrowawayDatabase } from '../../src/dev/throwawayDatabase';
import { startDataPlatformProcess } from '../../src/platform/dataPlatformProcess';
import { startPaymentGatewayProcess } from '../../src/platform/paymentGatewayProcess';
import { resolveTemporalCli } from '../../src/temporal/cli';
import { connectClient } from '../../src/temporal/client';
import { registerSearchAttributes } from '../../src/temporal/registerSearchAttributes';
import { startTemporalDevServer } from '../../src/temporal/devServer';
import { workflowsPath } from '../../src/temporal/worker';
import { publishTestEnvironment } from './environment';
import { freePort, freePorts } from './ports';

/**
 * Starts the real parts once per run: PostgreSQL (embedded, or a fresh database on
 * TEST_DATABASE_URL's server) and the Temporal CLI dev server (or TEST_TEMPORAL_ADDRESS),
 * migrates, and bundles the workflows once so each test file's worker starts quickly.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'order-platform-test-'));
  const stops: (() => Promise<void>)[] = [];
  (globalThis as Record<string, unknown>).__orderPlatformTestStops = stops;
  (globalThis as Record<string, unknown>).__orderPlatformTestWorkDir = workDir;

  const temporalCliPath = await resolveTemporalCli({
    explicitPath: process.env.TEMPORAL_CLI,
    progress: (message) => process.stdout.write(`\n[test setup] ${message}\n`),
  });

  const databaseUrl = await startDatabase(workDir, stops);

  let temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  let temporalUiUrl = process.env.TEST_TEMPORAL_UI_URL;
  if (!temporalAddress) {
    const [port, uiPort] = await freePorts(2);
    const server = await startTemporalDevServer({
      cliPath: temporalCliPath,
      port,
      // The Web UI too: the browser test drives it as ops would.
      uiPort,
      namespace: 'default',
      logFile: path.join(workDir, 'temporal.log'),
    });
    stops.push(server.stop);
    temporalAddress = server.address;
    temporalUiUrl = server.uiUrl;
  }

  // A fresh external cluster lacks our search attributes; the dev server gets them at launch.
  const { connection } = await connectClient({ address: temporalAddress, namespace: 'default' });
  await registerSearchAttributes(connection, 'default');
  await connection.close();

  const db = createDb({ url: databaseUrl, poolMax: 2 });
  await migrateToLatest(db);
  await db.destroy();

  // The payment gateway simulator, in its own process and schema, as the platform runs it.
  const paymentGateway = await startPaymentGatewayProcess({ databaseUrl, port: await freePort() });
  stops.push(paymentGateway.stop);
  // And the data platform's, where the workers deliver completed orders.
  const dataPlatform = await startDataPlatformProcess({ databaseUrl, port: await freePort() });
  stops.push(dataPlatform.stop);

  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  const workflowBundlePath = path.join(workDir, 'workflow-bundle.js');
  await fs.writeFile(workflowBundlePath, code);

  publishTestEnvironment({
    databaseUrl,
    temporalAddress,
    namespace: 'default',
    workflowBundlePath,
    temporalCliPath,
    workDir,
    paymentGatewayUrl: paymentGateway.url,
    dataPlatformUrl: dataPlatform.url,
    temporalUiUrl,
  });
  process.stdout.write(`[test setup] PostgreSQL and Temporal ready in ${Date.now() - started} ms\n`);
}

async function startDatabase(workDir: string, stops: (() => Promise<void>)[]): Promise<string> {
  const external = process.env.TEST_DATABASE_URL;
  if (!external) {
    const pg = await startEmbeddedPostgres({ dir: path.join(workDir, 'postgres'), port: await freePort(), database: 'order_platform_test' });
    // The cluster may live outside workDir (see postgresDataFolder.ts): remove it too.
    stops.push(async () => (await pg.stop(), await fs.rm(pg.dataDir, { recursive: true, force: true })));
    return pg.url;
  }
  // A throwaway database on the given server, so runs never see each other's rows.
  const database = await createThrowawayDatabase(external, 'order_platform_test');
  stops.push(database.drop);
  return database.url;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
