import { configOrExit, loadConfig } from '../config';
import { SetupError } from '../dev/setupError';
import { createLogger } from '../logging/logger';
import { startPlatform, type Role } from '../platform/start';
import { banner } from './banner';

/**
 * `npm start`: the whole stack in one terminal. An optional argument runs one role
 * only (`api` or `worker`), as the containers in docker-compose.yml do.
 */
async function main(): Promise<void> {
  const config = configOrExit(() => loadConfig());
  const logger = createLogger({ level: config.logLevel, name: 'order-platform', format: config.logFormat });
  const role = process.argv[2];
  if (role !== undefined && role !== 'api' && role !== 'worker') {
    console.error(`Unknown role "${role}": use "api", "worker" or nothing for both.`);
    process.exit(1);
  }
  const roles: Role[] = role ? [role] : ['api', 'worker'];

  let stopping: Promise<void> | undefined;
  const stop = (reason: string, exitCode: number) => {
    if (stopping) {
      logger.warn('second stop request: exiting immediately');
      process.exit(exitCode || 1);
    }
    logger.info({ reason }, 'stopping');
    stopping = platform
      .then((p) => p.stop())
      .catch(() => undefined)
      .finally(() => {
        logger.info('stopped');
        logger.flush();
        process.exit(exitCode);
      });
  };
  // Handlers go in first: a Ctrl-C during start-up lets start-up finish or fail (either
  // way it stops what it started), then exits.
  // SIGHUP: the terminal went away; without a handler Node would die on the spot and
  // leave PostgreSQL and the Temporal dev server running.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal, 0));

  const platform = startPlatform(config, logger, roles);
  let running;
  try {
    running = await platform;
  } catch (error) {
    // A Ctrl-C during start-up also reaches the children, so start-up fails; the stop
    // already under way finishes and exits, and that is not a start-up fault.
    if (stopping) return;
    if (error instanceof SetupError) console.error(`start-up failed: ${error.message}`);
    else logger.fatal({ err: error }, 'start-up failed');
    logger.flush();
    process.exit(1);
  }
  running.workerStopped.catch(() => stop('worker failed', 1));
  console.log(banner(config, running));
  logger.info({ apiUrl: running.apiUrl, temporal: running.temporalAddress }, 'ready');
}

void main();
