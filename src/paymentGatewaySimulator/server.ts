import type { Logger } from '../logging/logger';
import { startSimulatorService, type RunningSimulator } from '../simulatorKit/service';
import { createGatewayApp } from './app';
import type { GatewayConfig } from './config';
import { GATEWAY_SCHEMA } from './migrations';
import { createPaymentOperations } from './payments';

export type { RunningSimulator };

/** The simulator's settings (port 0 lets the OS pick), with the logger to use. */
export type SimulatorOptions = Omit<GatewayConfig, 'logLevel' | 'logFormat'> & { logger: Logger };

/** Migrates the simulator's schema and serves its HTTP API. */
export function startPaymentGatewaySimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const { logger } = options;
  return startSimulatorService({
    ...options,
    label: 'gateway',
    schema: GATEWAY_SCHEMA,
    createApp: (db, stopping) =>
      createGatewayApp({
        logger,
        // Aborted on stop, so held requests (tok_timeout, tok_slow_*) end instead of delaying it.
        operations: createPaymentOperations({ db, timeoutHangMs: options.timeoutHangMs, stopping }),
        failureRate: options.failureRate,
        latencyMs: options.latencyMs,
      }),
  });
}
