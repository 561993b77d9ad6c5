import cors from 'cors';
import express, { Router } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { createErrorHandler, notFoundHandler } from './middleware/errorHandler';
import { createGuard } from './middleware/guard';
import type { AppDeps } from './deps';
import { buildOpenApiDocument, type RouteGroup } from './openapi';
import { mountRoutes } from './route';
import { authRoutes } from './routes/auth';
import { cartRoutes } from './routes/cart';
import { couponRoutes } from './routes/coupons';
import { deliveryRoutes } from './routes/deliveries';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';
import { popularProductRoutes } from './routes/popularProducts';
import { productRoutes } from './routes/products';
import { userRoutes } from './routes/users';
import { accessLog } from '../logging/accessLog';
import { nameHttpSpan } from '../telemetry/httpSpans';
import { recordHttpMetrics } from '../metrics/apiMetrics';

export const API_PREFIX = '/api/v1';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(recordHttpMetrics);
  app.use(nameHttpSpan);
  // The client address rate limits count: the socket's, or as many proxies back as configured.
  app.set('trust proxy', deps.trustProxyHops ?? 0);
  // The usual security headers. The docs page's own inline styles are the one exception
  // to the content policy; nothing else the API serves is HTML.
  app.use(helmet({ contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"] } } }));
  // Browsers may call the API only from the origins configured (none by default: the
  // shop's frontend is served from the API's own origin or calls it server-side).
  app.use(
    cors({
      origin: deps.corsOrigins ?? [],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
      exposedHeaders: ['idempotent-replayed', 'retry-after'],
      maxAge: 600,
    }),
  );

  app.use(
    accessLog(deps.logger, {
      // A refused claim (409) is business as usual in a rush; a 503 is a known state
      // (a service away, an outcome pending); other 5xx are faults.
      customLogLevel: (_req, res) => (res.statusCode === 503 ? 'warn' : res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(express.json({ limit: deps.bodyLimit }));

  const guard = createGuard(deps.tokens, deps.sessions);
  const groups: RouteGroup[] = [
    { prefix: '', routes: healthRoutes(deps) },
    { prefix: API_PREFIX, routes: [...authRoutes(deps), ...userRoutes(deps), ...couponRoutes(deps), ...popularProductRoutes(deps), ...productRoutes(deps), ...cartRoutes(deps), ...orderRoutes(deps), ...deliveryRoutes(deps)] },
  ];
  for (const group of groups) {
    const router = Router();
    mountRoutes(router, group.routes, guard, deps.checkResponses ?? false);
    app.use(group.prefix || '/', router);
  }

  const openApi = buildOpenApiDocument(groups, { version: '0.1.0' });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/api/docs', swaggerUi.serve, swaggerUi.setup(openApi, { customSiteTitle: 'Order platform API' }));

  app.use(notFoundHandler);
  app.use(createErrorHandler(deps.logger));
  return app;
}
