import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import knex from 'knex';
import type { Logger } from '../logging/logger';
import { createGatewayApp } from './app';
import type { GatewayConfig } from './config';
import { migrateGatewaySchema } from './migrations';
import { createPaymentOperations } from './payments';

/** The simulator's settings (port 0 lets the OS pick), with the logger to use. */
export type SimulatorOptions = Omit<GatewayConfig, 'logLevel' | 'logFormat'> & { logger: Logger };

export interface RunningSimulator {
  url: string;
  stop(): Promise<void>;
}

/** Requests still running this long after a stop are cut off. */
const DRAIN_MS = 3000;

/**
 * Migrates the simulator's schema and serves its HTTP API. Its database pool is its own
 * (the platform's code is not involved), as another company's service would have.
 */
export async function startPaymentGatewaySimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const { logger } = options;
  const db = knex({
    client: 'pg',
    connection: options.databaseUrl,
    // Ten requests racing on one key each hold a connection while they find out.
    pool: { min: 0, max: 20 },
    acquireConnectionTimeout: 10_000,
    log: {
      warn: (message: unknown) => logger.warn({ component: 'knex' }, String(message)),
      error: (message: unknown) => logger.error({ component: 'knex' }, String(message)),
      deprecate: (message: unknown) => logger.warn({ component: 'knex' }, String(message)),
      debug: (message: unknown) => logger.debug({ component: 'knex' }, String(message)),
    },
  });
  try {
    const applied = await migrateGatewaySchema(db);
    logger.info({ applied }, applied.length ? 'gateway migrations applied' : 'gateway schema up to date');

    // Aborted on stop, so held requests (tok_timeout, tok_slow_*) end instead of delaying it.
    const stopping = new AbortController();
    const operations = createPaymentOperations({ db, timeoutHangMs: options.timeoutHangMs, stopping: stopping.signal });
    const app = createGatewayApp({ logger, operations, failureRate: options.failureRate, latencyMs: options.latencyMs });
    const listening = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(options.port, options.host, (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    const closeServer = drainOnClose(listening);
    const { port } = listening.address() as AddressInfo;
    const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '::1' : options.host;

    let stopped: Promise<void> | undefined;
    const stop = () =>
      (stopped ??= (async () => {
        stopping.abort();
        await closeServer();
        await db.destroy();
      })());
    return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, stop };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/**
 * Returns a close that lets requests in progress finish (for at most DRAIN_MS), then
 * closes every connection. `server.close()` alone would also wait for connections that
 * carry no request, such as the one fetch opens again after a caller gives up waiting.
 */
function drainOnClose(server: Server): () => Promise<void> {
  let inFlight = 0;
  let closing = false;
  server.on('request', (_req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (closing && inFlight === 0) server.closeAllConnections();
    });
  });
  return () =>
    new Promise<void>((resolve) => {
      closing = true;
      const cutOff = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
      server.close(() => {
        clearTimeout(cutOff);
        resolve();
      });
      if (inFlight === 0) server.closeAllConnections();
    });
}
