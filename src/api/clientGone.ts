import type { Response } from 'express';

/**
 * Aborted when the request's connection closes before its answer was sent: the client
 * has gone, and work not yet started for it is skipped.
 */
export function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  const leftEarly = () => {
    if (!res.writableFinished) controller.abort();
  };
  if (res.closed) leftEarly();
  else res.once('close', leftEarly);
  return controller.signal;
}
