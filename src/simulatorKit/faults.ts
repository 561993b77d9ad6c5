import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler } from 'express';

export interface RequestFaults {
  /** Random latency added to each request, in ms. */
  latencyMs: [number, number];
  /** Fraction of requests answered `unavailable()` before anything happens. */
  failureRate: number;
}

/**
 * Middleware that makes the requests it guards slow and unreliable. The faults are read
 * per request, so a simulator may change them while it runs.
 */
export const injectFaults =
  (faults: () => RequestFaults, unavailable: () => Error): RequestHandler =>
  async (_req, _res, next) => {
    const { latencyMs, failureRate } = faults();
    const [min, max] = latencyMs;
    if (max > 0) await sleep(min + Math.floor(Math.random() * (max - min + 1)));
    if (Math.random() < failureRate) throw unavailable();
    next();
  };
