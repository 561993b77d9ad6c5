import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { statusOf, type ErrorCode } from './errors';
import type { AnyRoute } from './route';
import { errorBodySchema } from './schemas';

export interface RouteGroup {
  prefix: string;
  routes: AnyRoute[];
}

const toOpenApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function errorResponses(route: AnyRoute): RouteConfig['responses'] {
  // A route that reads a body can also meet a body that is not JSON or is too large.
  // Any request may carry a JSON body, read before the route (even one that takes none),
  // and may be one Node's HTTP parser refuses (src/api/server.ts).
  const codes: ErrorCode[] = [...route.errors, 'MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'MALFORMED_REQUEST', 'REQUEST_HEADERS_TOO_LARGE'];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(statusOf[code], [...(byStatus.get(statusOf[code]) ?? []), code]);
  // Any endpoint can meet a fault (500) or find PostgreSQL or Temporal away (503).
  if (!byStatus.has(500)) byStatus.set(500, ['INTERNAL']);
  if (!byStatus.has(503)) byStatus.set(503, ['SERVICE_UNAVAILABLE']);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: `Error codes: ${list.join(', ')}`,
        ...(status === 429 && { headers: rateLimitHeaders }),
        content: { 'application/json': { schema: errorBodySchema } },
      },
    ]),
  );
}

// What a refused client is told about when to come back (src/api/authLimits.ts; a full
// hashing queue sends Retry-After alone).
const rateLimitHeaders = {
  'Retry-After': { description: 'Seconds until a retry can succeed', schema: { type: 'integer' as const } },
  'RateLimit-Policy': { description: 'The nearest limit: `<requests>;w=<seconds>` (IETF draft); absent when the hashing queue was full', schema: { type: 'string' as const } },
  'RateLimit-Limit': { description: 'Requests that limit allows per window (IETF draft)', schema: { type: 'integer' as const } },
  'RateLimit-Remaining': { description: 'Requests left in the window (IETF draft)', schema: { type: 'integer' as const } },
  'RateLimit-Reset': { description: 'Seconds until the window resets (IETF draft)', schema: { type: 'integer' as const } },
};

/** Each tag the routes use, described once (the docs group operations under them). */
const tags = [
  { name: 'auth', description: 'Accounts and tokens: sign up, sign in, sign out everywhere' },
  { name: 'users', description: 'The signed-in user and what they hold' },
  { name: 'catalog', description: 'Products, their options and what is in stock' },
  { name: 'coupons', description: 'First-come-first-served coupons and claiming them' },
  { name: 'cart', description: "The signed-in customer's cart" },
  { name: 'orders', description: 'Placing, paying for, cancelling and reading orders' },
  { name: 'admin', description: 'Operations for admins: catalogue, stock, coupons, every order, deliveries to the data platform' },
  { name: 'health', description: 'Liveness and readiness probes' },
];

/** The OpenAPI 3.1 description, generated from the same route definitions the server mounts. */
export function buildOpenApiDocument(groups: RouteGroup[], info: { version: string; serverUrl?: string }) {
  const operationIds = groups.flatMap((g) => g.routes.map((r) => r.operationId));
  const repeated = operationIds.filter((id, i) => operationIds.indexOf(id) !== i);
  if (repeated.length) throw new Error(`operationIds must be unique; repeated: ${repeated.join(', ')}`);
  const used = new Set(groups.flatMap((g) => g.routes.map((r) => r.tag)));
  const undescribed = [...used].filter((tag) => !tags.some((t) => t.name === tag));
  if (undescribed.length) throw new Error(`tags without a description in src/api/openapi.ts: ${undescribed.join(', ')}`);
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  for (const { prefix, routes } of groups) {
    for (const route of routes) {
      registry.registerPath({
        method: route.method,
        path: toOpenApiPath(prefix + route.path),
        operationId: route.operationId,
        summary: route.summary,
        description: route.description,
        tags: [route.tag],
        security: route.access === 'public' ? [] : [{ [bearer.name]: [] }],
        request: {
          params: route.params,
          query: route.query,
          headers: route.headers,
          body: route.body ? { content: { 'application/json': { schema: route.body } }, required: true } : undefined,
        },
        responses: {
          [route.success.status]: {
            description: route.success.description,
            content: { 'application/json': { schema: route.success.schema } },
          },
          ...errorResponses(route),
        },
      });
    }
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Order platform API',
      version: info.version,
      contact: { name: 'Order platform maintainers' },
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Checkout backend on Temporal. Errors are `{"error":{"code","message","details"}}`; ' +
        'amounts are integers in the smallest currency unit.',
    },
    // Relative unless told otherwise: the paths are resolved against the host that serves this document.
    servers: [info.serverUrl ? { url: info.serverUrl } : { url: '/', description: 'The host serving this document' }],
    tags: tags.filter((t) => used.has(t.name)),
  });
}
