import type { ProcessExit } from '../dev/processExit';
import type { Logger } from '../logging/logger';

/** A started local service: how to stop it, and when it ends on its own. */
export interface RunningService {
  stop(): Promise<void>;
  /** Settles when the service's process has exited, asked to or not. */
  exited: Promise<ProcessExit>;
}

/** A clean exit (code 0) is a stop someone asked for (a terminal's Ctrl-C reaches every child); anything else is a crash. */
const crashed = (exit: ProcessExit): boolean => exit.signal !== null || exit.code !== 0;

export type ServiceState = 'up' | 'restarting' | 'stopped';

export interface SupervisedService<T extends RunningService> {
  /** The service as first started (its address and port stay the same across restarts). */
  readonly first: T;
  state(): ServiceState;
  /** How many times it was started again after a crash. */
  restarts(): number;
  stop(): Promise<void>;
}

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** Up this long after a restart, the next crash starts the backoff over. */
const STABLE_AFTER_MS = 60_000;

/**
 * Keeps a local service up: when it exits without being asked to, it is started again
 * the same way (same data, same port), after a pause that doubles from 0.5 s to 30 s while
 * restarts keep failing; each crash and restart is logged. The API and the worker
 * reconnect by themselves meanwhile. stop() stops it for good.
 */
export async function supervise<T extends RunningService>(name: string, start: () => Promise<T>, logger: Logger): Promise<SupervisedService<T>> {
  const first = await start();
  let current: RunningService = first;
  let state: ServiceState = 'up';
  let restarts = 0;
  let stopping = false;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const watch = async (): Promise<void> => {
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      const startedAt = Date.now();
      const exit = await current.exited;
      if (stopping) return;
      if (!crashed(exit)) {
        state = 'stopped';
        logger.info({ service: name }, `${name} stopped`);
        return;
      }
      if (Date.now() - startedAt > STABLE_AFTER_MS) backoff = FIRST_BACKOFF_MS;
      state = 'restarting';
      logger.error({ service: name, exit, restartInMs: backoff }, `${name} exited unexpectedly; restarting it`);
      for (;;) {
        await pause(backoff);
        if (stopping) return;
        try {
          current = await start();
          // Asked to stop while it was starting: it stops here, as it would have.
          if (stopping) return current.stop();
          restarts += 1;
          state = 'up';
          logger.warn({ service: name, restarts }, `${name} restarted`);
          break;
        } catch (error) {
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          logger.error({ service: name, err: error, restartInMs: backoff }, `${name} did not start again; retrying`);
        }
      }
    }
  };
  const watching = watch();

  return {
    first,
    state: () => state,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      state = 'stopped';
      wake?.();
      await current.stop();
      await watching;
    },
  };
}
