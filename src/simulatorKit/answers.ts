import type { Request, Response } from 'express';

/** A status and JSON body: what a simulator sends (and what the gateway stores under a key). */
export interface SimulatorResponse {
  status: number;
  body: unknown;
}

/** A simulator's answer to a request made under an idempotency key. */
export interface SimulatorAnswer {
  response: SimulatorResponse;
  /** Answered from what an earlier request with the key did: sent with `Idempotent-Replayed: true`. */
  replayed: boolean;
  /** The work is committed, but the connection is to be cut unanswered. */
  dropConnection: boolean;
}

export function sendAnswer(req: Request, res: Response, answer: SimulatorAnswer): void {
  if (answer.dropConnection) {
    // What a service crashing after its commit looks like to the caller: no answer at all.
    req.socket.destroy();
    return;
  }
  if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(answer.response.status).json(answer.response.body);
}
