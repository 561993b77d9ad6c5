import { z } from 'zod';
import { parseEnv } from '../config';
import { latencyRange, listenHost, listenPort, loggingSettings, postgresUrl, rate, type SimulatorConfig } from '../simulatorKit/settings';
import type { DataPlatformFaults } from './faults';

/** The simulator's settings, read from its own DATA_PLATFORM_* variables. */
export const dataPlatformEnvSchema = z.object({
  DATA_PLATFORM_DATABASE_URL: postgresUrl,
  DATA_PLATFORM_HOST: listenHost,
  DATA_PLATFORM_PORT: listenPort(4200),
  /** Fraction of POST /v1/orders answered 503 before anything happens. */
  DATA_PLATFORM_FAILURE_RATE: rate,
  /** Fraction of new orders recorded and committed, then left unanswered (the connection cut). */
  DATA_PLATFORM_DROP_AFTER_RECORD_RATE: rate,
  DATA_PLATFORM_LATENCY_MS: latencyRange.default([0, 0]),
  ...loggingSettings,
});

export interface DataPlatformConfig extends SimulatorConfig {
  /** The faults it starts with; PUT /admin/faults changes them while it runs. */
  faults: DataPlatformFaults;
}

/** Throws a ConfigError naming every bad variable. */
export function loadDataPlatformConfig(source: NodeJS.ProcessEnv = process.env): DataPlatformConfig {
  const env = parseEnv(dataPlatformEnvSchema, source);
  return {
    databaseUrl: env.DATA_PLATFORM_DATABASE_URL,
    host: env.DATA_PLATFORM_HOST,
    port: env.DATA_PLATFORM_PORT,
    faults: {
      unavailable: false,
      failureRate: env.DATA_PLATFORM_FAILURE_RATE,
      dropAfterRecordRate: env.DATA_PLATFORM_DROP_AFTER_RECORD_RATE,
      latencyMs: env.DATA_PLATFORM_LATENCY_MS,
    },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
  };
}
