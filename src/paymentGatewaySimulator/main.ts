import { configOrExit } from '../config';
import { createLogger } from '../logging/logger';
import { processShutdown } from '../platform/processShutdown';
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

  const shutdown = processShutdown(logger);
  if (process.channel) process.on('disconnect', () => {
    // The parent stopping it closes the channel too: that is the same stop, not a second.
    if (!shutdown.stopping) shutdown.stop('parent process went away', 0);
  });

  const simulator = shutdown.track(startPaymentGatewaySimulator({ ...config, logger }));
  try {
    const { url } = await simulator;
    logger.info(
      { url, failureRate: config.failureRate, latencyMs: config.latencyMs, timeoutHangMs: config.timeoutHangMs },
      'payment gateway simulator ready',
    );
  } catch (error) {
    if (shutdown.stopping) return;
    logger.fatal({ err: error }, 'payment gateway simulator failed to start; check GATEWAY_DATABASE_URL');
    logger.flush();
    process.exit(1);
  }
}

void main();
