import { z } from 'zod';
import { parseEnv } from '../config';
import { latencyRange, listenHost, listenPort, loggingSettings, postgresUrl, rate, type SimulatorConfig } from '../simulatorKit/settings';

/** The simulator's settings, read from its own GATEWAY_* variables. */
export const gatewayEnvSchema = z.object({
  GATEWAY_DATABASE_URL: postgresUrl,
  GATEWAY_HOST: listenHost,
  GATEWAY_PORT: listenPort(4100),
  /** Fraction of /v1 requests answered 503 before anything happens. */
  GATEWAY_FAILURE_RATE: rate,
  GATEWAY_LATENCY_MS: latencyRange.default([0, 0]),
  /** How long a `tok_timeout` charge is held before its 504. */
  GATEWAY_TIMEOUT_HANG_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  ...loggingSettings,
});

export interface GatewayConfig extends SimulatorConfig {
  failureRate: number;
  latencyMs: [number, number];
  timeoutHangMs: number;
}

/** Throws a ConfigError naming every bad variable. */
export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const env = parseEnv(gatewayEnvSchema, source);
  return {
    databaseUrl: env.GATEWAY_DATABASE_URL,
    host: env.GATEWAY_HOST,
    port: env.GATEWAY_PORT,
    failureRate: env.GATEWAY_FAILURE_RATE,
    latencyMs: env.GATEWAY_LATENCY_MS,
    timeoutHangMs: env.GATEWAY_TIMEOUT_HANG_MS,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
  };
}
