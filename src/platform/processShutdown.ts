import type { Logger } from '../logging/logger';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The ordered stop of a process that started services: on SIGINT, SIGTERM or SIGHUP (the
 * terminal went away: without a handler Node would die on the spot and leave its
 * children running) it stops what it started, then exits; a second request exits at
 * once. Installed before start-up begins, so a Ctrl-C during start-up lets start-up
 * finish or fail (either way it stops what it started), then exits.
 */
export function processShutdown(logger: Logger) {
  let stopping: Promise<void> | undefined;
  let started: Promise<{ stop(): Promise<void> }> | undefined;

  const stop = (reason: string, exitCode: number): void => {
    if (stopping) {
      logger.warn('second stop request: exiting immediately');
      process.exit(exitCode || 1);
    }
    logger.info({ reason }, 'stopping');
    stopping = Promise.resolve(started)
      .then((running) => running?.stop())
      .catch(() => undefined)
      .finally(() => {
        logger.info('stopped');
        logger.flush();
        process.exit(exitCode);
      });
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal, 0));

  return {
    stop,
    /** A stop is under way: a start-up failing now is the stop's doing, not a fault. */
    get stopping(): boolean {
      return stopping !== undefined;
    },
    /** What a stop must stop, once (or while) it starts. */
    track<T extends { stop(): Promise<void> }>(starting: Promise<T>): Promise<T> {
      started = starting;
      return starting;
    },
  };
}
