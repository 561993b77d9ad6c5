import '../telemetry/register';
import { configOrExit, loadConfig } from '../config';
import { SetupError } from '../dev/setupError';
import { createLogger } from '../logging/logger';
import { processShutdown } from '../platform/processShutdown';
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

  const shutdown = processShutdown(logger);
  const platform = shutdown.track(startPlatform(config, logger, roles));
  let running;
  try {
    running = await platform;
  } catch (error) {
    // A Ctrl-C during start-up also reaches the children, so start-up fails; the stop
    // already under way finishes and exits, and that is not a start-up fault.
    if (shutdown.stopping) return;
    if (error instanceof SetupError) console.error(`start-up failed: ${error.message}`);
    else logger.fatal({ err: error }, 'start-up failed');
    logger.flush();
    process.exit(1);
  }
  running.workerStopped.catch(() => shutdown.stop('worker failed', 1));
  console.log(banner(config, running));
  logger.info({ apiUrl: running.apiUrl, temporal: running.temporalAddress }, 'ready');
}

void main();
