import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from './registry';

const registers = [metricsRegistry];

export const httpRequests = new Counter({
  name: 'order_platform_http_requests_total',
  help: 'HTTP requests answered, by route template, method and status',
  labelNames: ['route', 'method', 'status'] as const,
  registers,
});

export const httpRequestDuration = new Histogram({
  name: 'order_platform_http_request_duration_seconds',
  help: 'Time from a request arriving to its answer being sent, by route template, method and status',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});

export const refusals = new Counter({
  name: 'order_platform_refusals_total',
  help: 'Requests answered with a coded error (OUT_OF_STOCK, RATE_LIMITED, ...), by code and route template',
  labelNames: ['code', 'route'] as const,
  registers,
});

export const idempotentReplays = new Counter({
  name: 'order_platform_idempotent_replays_total',
  help: 'Requests answered from a stored answer under their Idempotency-Key, by route template',
  labelNames: ['route'] as const,
  registers,
});

export const workflowWaits = new Gauge({
  name: 'order_platform_workflow_waits_in_flight',
  help: 'Requests waiting for a workflow outcome right now',
  registers,
});

/**
 * The route template a request matched (`/api/v1/orders/:id`, named by mountRoutes in
 * src/api/route.ts), never its raw path: a label per id would grow without bound.
 */
const routeOf = (res: Response): string => (res.locals.route as string | undefined) ?? 'unmatched';

/**
 * Records each answer: count and duration by route and status, its error code if it was
 * refused (the error handler leaves it in `res.locals.errorCode`), and whether it was a
 * replay. Mounted first, so every answer is seen, parser refusals included.
 */
export function recordHttpMetrics(req: Request, res: Response, next: NextFunction): void {
  const stopTimer = httpRequestDuration.startTimer();
  res.once('finish', () => {
    const route = routeOf(res);
    const labels = { route, method: req.method, status: String(res.statusCode) };
    httpRequests.inc(labels);
    stopTimer(labels);
    const code = res.locals.errorCode as string | undefined;
    if (code) refusals.inc({ code, route });
    if (res.getHeader('Idempotent-Replayed') === 'true') idempotentReplays.inc({ route });
  });
  next();
}

interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

const observedPools = new Map<string, Knex>();

const poolGauge = (name: string, help: string, read: (pool: TarnPool) => number) =>
  new Gauge({
    name,
    help,
    labelNames: ['pool'] as const,
    registers,
    collect() {
      this.reset();
      for (const [pool, db] of observedPools) {
        const tarn = (db.client as { pool?: TarnPool }).pool;
        if (tarn) this.set({ pool }, read(tarn));
      }
    },
  });

poolGauge('order_platform_db_pool_max', 'Connections the pool may open', (p) => p.max);
poolGauge('order_platform_db_pool_in_use', 'Connections lent out right now', (p) => p.numUsed());
poolGauge('order_platform_db_pool_idle', 'Open connections not lent out', (p) => p.numFree());
poolGauge('order_platform_db_pool_waiting', 'Requests waiting for a connection', (p) => p.numPendingAcquires());

/** The connection pool of `db`, read at each scrape under the label `pool`: its size, in use, idle and requests waiting for a connection. */
export function observeDatabasePool(db: Knex, pool: string): void {
  observedPools.set(pool, db);
}
