import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { createPaymentGatewayClient } from '../../src/gateway/paymentGateway';
import { createLogger } from '../../src/logging/logger';
import { startPaymentGatewaySimulator, type RunningSimulator } from '../../src/paymentGatewaySimulator/server';
import { startPaymentGatewayProcess } from '../../src/platform/paymentGatewayProcess';
import { testEnvironment } from '../support/environment';
import { request } from '../support/http';
import { freePort } from '../support/ports';
import { errorFields, gatewayError, gatewayKit, type GatewayKit } from './kit';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntilGone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !isAlive(pid);
}

const silent = createLogger({ level: 'silent', pretty: false });
const inProcess = (databaseUrl: string, overrides: { timeoutHangMs?: number } = {}) =>
  startPaymentGatewaySimulator({
    databaseUrl,
    host: '127.0.0.1',
    port: 0,
    failureRate: 0,
    latencyMs: [0, 0],
    timeoutHangMs: overrides.timeoutHangMs ?? 30_000,
    logger: silent,
  });

describe('payment gateway: the process and its faults', () => {
  let kit: GatewayKit;
  beforeAll(() => {
    kit = gatewayKit();
  });
  afterAll(() => kit.close());

  it('a second simulator process with GATEWAY_FAILURE_RATE=1 answers every payment request 503', async () => {
    const { databaseUrl } = testEnvironment();
    const failing = await startPaymentGatewayProcess({ databaseUrl, port: await freePort(), failureRate: 1 });
    try {
      const client = createPaymentGatewayClient({ baseUrl: failing.url, timeoutMs: 5000 });
      const orderId = randomUUID();

      const charge = await gatewayError(client.charge({ idempotencyKey: randomUUID(), orderId, amount: 100, cardToken: 'tok_visa' }));
      const list = await gatewayError(client.listPayments(orderId));

      expect(errorFields(charge)).toEqual({ status: 503, code: 'GATEWAY_UNAVAILABLE', retryable: true });
      expect(errorFields(list)).toEqual({ status: 503, code: 'GATEWAY_UNAVAILABLE', retryable: true });
      expect(await request(failing.url, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await kit.entries(orderId)).toEqual([]);
    } finally {
      await failing.stop();
    }
    expect(isAlive(failing.pid)).toBe(false);
  });

  it('fails to start with the bad variable named in the error', async () => {
    const start = startPaymentGatewayProcess({ databaseUrl: 'mysql://nowhere/db', port: await freePort() });

    await expect(start).rejects.toThrow(/exited \(1\) before it was ready[\s\S]*GATEWAY_DATABASE_URL/);
  });

  it('exits when the process that started it dies without stopping it', async () => {
    const processModule = path.resolve(__dirname, '../../src/platform/paymentGatewayProcess.ts');
    const script = `
      const { startPaymentGatewayProcess } = require(${JSON.stringify(processModule)});
      startPaymentGatewayProcess({ databaseUrl: process.env.DB, port: Number(process.env.PORT) })
        .then((g) => console.log('PID ' + g.pid), (e) => { console.error(e); process.exit(1); });`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, DB: testEnvironment().databaseUrl, PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const gatewayPid = await new Promise<number>((resolve, reject) => {
      parent.stdout!.on('data', (chunk: Buffer) => {
        const match = /PID (\d+)/.exec(chunk.toString());
        if (match) resolve(Number(match[1]));
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before the gateway was ready`)));
    });
    expect(isAlive(gatewayPid)).toBe(true);

    parent.kill('SIGKILL');

    expect(await waitUntilGone(gatewayPid, 10_000)).toBe(true);
  });

  it('tok_timeout: a client with a short timeout gets a retryable TIMEOUT, and nothing is charged', async () => {
    const client = createPaymentGatewayClient({ baseUrl: kit.url, timeoutMs: 300 });
    const orderId = randomUUID();

    const timedOut = await gatewayError(client.charge({ idempotencyKey: randomUUID(), orderId, amount: 100, cardToken: 'tok_timeout' }));

    expect(errorFields(timedOut)).toEqual({ status: null, code: 'TIMEOUT', retryable: true });
    expect(await kit.gateway.listPayments(orderId)).toEqual([]);
  });

  it('tok_timeout: a client that waits gets 504 GATEWAY_TIMEOUT after the hold, unstored and uncharged', async () => {
    const simulator = await inProcess(testEnvironment().databaseUrl, { timeoutHangMs: 200 });
    try {
      const client = createPaymentGatewayClient({ baseUrl: simulator.url, timeoutMs: 5000 });
      const orderId = randomUUID();
      const input = { idempotencyKey: randomUUID(), orderId, amount: 100, cardToken: 'tok_timeout' };

      const started = Date.now();
      const first = await gatewayError(client.charge(input));
      const waited = Date.now() - started;
      const again = await gatewayError(client.charge(input));

      expect(errorFields(first)).toEqual({ status: 504, code: 'GATEWAY_TIMEOUT', retryable: true });
      expect(errorFields(again)).toEqual({ status: 504, code: 'GATEWAY_TIMEOUT', retryable: true });
      expect(waited).toBeGreaterThanOrEqual(200);
      expect(await kit.entries(orderId)).toEqual([]);
    } finally {
      await simulator.stop();
    }
  });

  it('reports an unreachable gateway as a retryable NETWORK error', async () => {
    const client = createPaymentGatewayClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });

    const unreachable = await gatewayError(client.listPayments(randomUUID()));

    expect(errorFields(unreachable)).toEqual({ status: null, code: 'NETWORK', retryable: true });
    expect(unreachable.message).toMatch(/ECONNREFUSED/);
  });

  it('migrates a fresh database safely when three simulators start at once', async () => {
    const { databaseUrl } = testEnvironment();
    const name = `gateway_fresh_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const freshUrl = new URL(databaseUrl);
    freshUrl.pathname = `/${name}`;
    let simulators: RunningSimulator[] = [];
    try {
      const started = await Promise.allSettled([1, 2, 3].map(() => inProcess(freshUrl.toString())));
      simulators = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started'))).toEqual(['started', 'started', 'started']);

      const fresh = new Client({ connectionString: freshUrl.toString() });
      await fresh.connect();
      const { rows } = await fresh.query('select name from payment_gateway.gateway_migrations order by id');
      const { rows: platformTables } = await fresh.query(
        "select table_name from information_schema.tables where table_schema = 'public'",
      );
      await fresh.end();
      expect(rows.map((r) => r.name)).toEqual([
        '20261201000100_create_payments',
        '20261201000200_create_ledger_entries',
        '20261201000300_create_idempotency_keys',
        '20261202000100_index_payments_by_approval',
      ]);
      // Nothing of the gateway's lands beside the platform's tables.
      expect(platformTables).toEqual([]);

      const client = createPaymentGatewayClient({ baseUrl: simulators[0].url, timeoutMs: 5000 });
      const result = await client.charge({ idempotencyKey: randomUUID(), orderId: randomUUID(), amount: 1, cardToken: 'tok_visa' });
      expect(result.outcome).toBe('APPROVED');
    } finally {
      await Promise.all(simulators.map((s) => s.stop()));
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
