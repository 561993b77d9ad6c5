import { configOrExit } from '../config';
import { createLogger, type Logger } from '../logging/logger';
import { processShutdown } from '../platform/processShutdown';
import type { RunningSimulator } from './service';

export interface SimulatorProcess<C> {
  /** The logger's name: "payment-gateway". */
  loggerName: string;
  /** Named in the ready and the failure lines: "payment gateway simulator". */
  title: string;
  /** Its configuration from its own variables; throws a ConfigError naming the bad ones. */
  loadConfig(): C;
  start(config: C, logger: Logger): Promise<RunningSimulator>;
  /** What the ready line reports beside the url. */
  readyFields(config: C): Record<string, unknown>;
  /** What the operator should look at when start-up fails: "check GATEWAY_DATABASE_URL". */
  failureHint: string;
}

/**
 * A simulator as its own process. Started by the platform over an IPC channel, it stops
 * when that channel closes, so it never outlives the `npm start` (or test run) that
 * launched it, even one killed with SIGKILL.
 */
export async function runSimulatorProcess<C extends { logLevel: string; logFormat?: 'pretty' | 'json' }>(
  simulator: SimulatorProcess<C>,
): Promise<void> {
  const config = configOrExit(() => simulator.loadConfig());
  const logger = createLogger({ level: config.logLevel, name: simulator.loggerName, format: config.logFormat });

  const shutdown = processShutdown(logger);
  if (process.channel) process.on('disconnect', () => {
    // The parent stopping it closes the channel too: that is the same stop, not a second.
    if (!shutdown.stopping) shutdown.stop('parent process went away', 0);
  });

  const running = shutdown.track(simulator.start(config, logger));
  try {
    const { url } = await running;
    logger.info({ url, ...simulator.readyFields(config) }, `${simulator.title} ready`);
  } catch (error) {
    if (shutdown.stopping) return;
    logger.fatal({ err: error }, `${simulator.title} failed to start; ${simulator.failureHint}`);
    logger.flush();
    process.exit(1);
  }
}
