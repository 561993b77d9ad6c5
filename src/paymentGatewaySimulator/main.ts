import { configOrExit } from '../config';
import { createLogger } from '../logging/logger';
import { loadGatewayConfig } from './config';
import { startPaymentGatewaySimulator } from './server';

/**
 * The simulator as its own process (see docs/payment-gateway.md). Started by the
 * platform over an IPC channel, it stops when that channel closes, so it never
 * outlives the `npm start` (or test run) that launched it, even one killed with SIGKILL.
 */
async function main(): Promise<void> {
  const config = configOrExit(() => loadGatewayConfig());
  const logger = createLogger({ level: config.logLevel, name: 'payment-gateway', format: config.logFormat });

  let stopping: Promise<void> | undefined;
  const stop = (reason: string, exitCode: number) => {
    if (stopping) return;
    logger.info({ reason }, 'stopping');
    stopping = simulator
      .then((s) => s.stop())
      .catch(() => undefined)
      .finally(() => {
        logger.info('stopped');
        logger.flush();
        process.exit(exitCode);
      });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal, 0));
  if (process.channel) process.on('disconnect', () => stop('parent process went away', 0));

  const simulator = startPaymentGatewaySimulator({ ...config, logger });
  try {
    const { url } = await simulator;
    logger.info(
      { url, failureRate: config.failureRate, latencyMs: config.latencyMs, timeoutHangMs: config.timeoutHangMs },
      'payment gateway simulator ready',
    );
  } catch (error) {
    if (stopping) return;
    logger.fatal({ err: error }, 'payment gateway simulator failed to start; check GATEWAY_DATABASE_URL');
    logger.flush();
    process.exit(1);
  }
}

void main();
