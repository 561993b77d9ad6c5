import { trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';

/**
 * Names each request's server span after the route template it matched
 * (`POST /api/v1/orders/:id/payment`, from `res.locals.route`, the same label the
 * metrics use) rather than the bare method, so traces group by operation and no id
 * leaks into a span name. A no-op while tracing is off (no span is active).
 */
export function nameHttpSpan(req: Request, res: Response, next: NextFunction): void {
  const span = trace.getActiveSpan();
  if (span) {
    res.once('finish', () => {
      const route = res.locals.route as string | undefined;
      if (!route) return;
      span.setAttribute('http.route', route);
      span.updateName(`${req.method} ${route}`);
    });
  }
  next();
}
