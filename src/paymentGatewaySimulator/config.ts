import { z } from 'zod';
import { parseEnv } from '../config';

/**
 * The simulator's settings, read from its own GATEWAY_* variables so that it can run
 * beside the platform without either reading the other's configuration.
 */
const latencyRange = z
  .string()
  .trim()
  .regex(/^\d+(-\d+)?$/, 'must be "0" or "min-max" in milliseconds, e.g. "20-200"')
  .transform((v): [number, number] => {
    const [min, max = min] = v.split('-').map(Number);
    return [min, max];
  })
  .refine(([min, max]) => min <= max && max <= 60_000, 'needs min <= max <= 60000');

export const gatewayEnvSchema = z.object({
  GATEWAY_DATABASE_URL: z.url({
    protocol: /^postgres(ql)?$/,
    message: 'required: a postgres:// URL, e.g. postgres://user:pass@host:5432/db',
  }),
  GATEWAY_HOST: z.string().trim().min(1).default('127.0.0.1'),
  GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(4100),
  /** Fraction of /v1 requests answered 503 before anything happens. */
  GATEWAY_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  GATEWAY_LATENCY_MS: latencyRange.default([0, 0]),
  /** How long a `tok_timeout` charge is held before its 504. */
  GATEWAY_TIMEOUT_HANG_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
});

export interface GatewayConfig {
  databaseUrl: string;
  host: string;
  port: number;
  failureRate: number;
  latencyMs: [number, number];
  timeoutHangMs: number;
  logLevel: z.infer<typeof gatewayEnvSchema>['LOG_LEVEL'];
  logFormat?: 'pretty' | 'json';
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
