import type { Response } from 'express';

/** The request's client left before its work started: the work was skipped, and there is no one to answer. */
export class ClientGoneError extends Error {}

/**
 * Aborted (with a ClientGoneError) when the request's connection closes before its answer was sent: the client
 * has gone, and work not yet started for it is skipped.
 */
export function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  const leftEarly = () => {
    if (!res.writableFinished) controller.abort(new ClientGoneError('the client left before its work started'));
  };
  if (res.closed) leftEarly();
  else res.once('close', leftEarly);
  return controller.signal;
}
