import type express from 'express';
import type { Knex } from 'knex';
import type { Logger } from '../logging/logger';
import { createSimulatorDatabase } from './database';
import { serveHttp, type HttpOptions } from './httpServer';
import { migrateSchema, type SimulatorSchema } from './migrations';

export interface RunningSimulator {
  url: string;
  stop(): Promise<void>;
}

export interface SimulatorServiceOptions {
  databaseUrl: string;
  host: string;
  /** 0 lets the OS pick. */
  port: number;
  logger: Logger;
  /** Named in its migration log line: "gateway migrations applied". */
  label: string;
  schema: SimulatorSchema;
  http?: HttpOptions;
  /** Its HTTP API over its own pool; `stopping` aborts when a stop begins. */
  createApp(db: Knex, stopping: AbortSignal): express.Express;
}

/** Migrates a simulator's schema and serves its HTTP API until `stop()`. */
export async function startSimulatorService(options: SimulatorServiceOptions): Promise<RunningSimulator> {
  const { logger, label } = options;
  const db = createSimulatorDatabase(options.databaseUrl, logger);
  try {
    const applied = await migrateSchema(db, options.schema);
    logger.info({ applied }, applied.length ? `${label} migrations applied` : `${label} schema up to date`);

    // Aborted on stop, so requests a simulator holds on purpose end instead of delaying it.
    const stopping = new AbortController();
    const http = await serveHttp(options.createApp(db, stopping.signal), options.host, options.port, options.http);

    let stopped: Promise<void> | undefined;
    const stop = () =>
      (stopped ??= (async () => {
        stopping.abort();
        await http.close();
        await db.destroy();
      })());
    return { url: http.url, stop };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
