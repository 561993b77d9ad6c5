import express from 'express';
import { accessLog } from '../logging/accessLog';
import type { Logger } from '../logging/logger';
import { createErrorHandler, noRoute } from './errorHandler';
import type { SimulatorErrors } from './httpError';

export interface SimulatorAppOptions<C extends string> {
  logger: Logger;
  errors: SimulatorErrors<C>;
  /** The largest JSON body it reads, as body-parser writes it ('16kb'). */
  jsonLimit: string;
}

/**
 * An Express app with what every simulator has around its own routes (added by
 * `addRoutes`): the access log, a JSON body parser, GET /healthz, and the error shape
 * for unknown routes and every failure.
 */
export function createSimulatorApp<C extends string>(
  options: SimulatorAppOptions<C>,
  addRoutes: (app: express.Express) => void,
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    accessLog(options.logger, {
      // What a simulator does and the faults it injects are logged as events by its
      // routes; the access log is for debugging.
      customLogLevel: () => 'debug',
      // Events logged through req.log carry the request id, not the whole request.
      quietReqLogger: true,
    }),
  );
  app.use(express.json({ limit: options.jsonLimit }));

  // Before any fault: readiness must hold even when every request is set to fail.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  addRoutes(app);

  app.use(noRoute(options.errors));
  app.use(createErrorHandler(options.logger, options.errors));
  return app;
}
