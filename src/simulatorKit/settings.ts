import { z } from 'zod';

/**
 * Pieces of the simulators' environment schemas. Each simulator reads its own variables
 * (GATEWAY_*, DATA_PLATFORM_*) so that it runs beside the platform without either
 * reading the other's configuration.
 */

const MAX_LATENCY_MS = 60_000;

export const postgresUrl = z.url({
  protocol: /^postgres(ql)?$/,
  message: 'required: a postgres:// URL, e.g. postgres://user:pass@host:5432/db',
});

export const listenHost = z.string().trim().min(1).default('127.0.0.1');

export const listenPort = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** A fraction of requests (0..1), none unless set. */
export const rate = z.coerce.number().min(0).max(1).default(0);

/** [min, max] milliseconds of random latency added to a request. */
export const latencyBounds = z
  .tuple([z.int().min(0), z.int().min(0)])
  .refine(([min, max]) => min <= max && max <= MAX_LATENCY_MS, `needs min <= max <= ${MAX_LATENCY_MS}`);

/** Latency as a variable holds it: "0", "200" or "min-max". */
export const latencyRange = z
  .string()
  .trim()
  .regex(/^\d+(-\d+)?$/, 'must be "0" or "min-max" in milliseconds, e.g. "20-200"')
  .transform((v): [number, number] => {
    const [min, max = min] = v.split('-').map(Number);
    return [min, max];
  })
  .pipe(latencyBounds);

/** The variable's value for a latency range: what `latencyRange` reads back. */
export const latencySetting = ([min, max]: [number, number]): string => (min === max ? String(min) : `${min}-${max}`);

export const loggingSettings = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
};

export type LogLevel = z.output<typeof loggingSettings.LOG_LEVEL>;

/** The settings every simulator has, from its own <PREFIX>_DATABASE_URL, _HOST, _PORT and the log variables. */
export interface SimulatorConfig {
  databaseUrl: string;
  host: string;
  /** 0 lets the OS pick. */
  port: number;
  logLevel: LogLevel;
  logFormat?: 'pretty' | 'json';
}
