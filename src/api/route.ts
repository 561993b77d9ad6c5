import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Principal } from '../auth/tokens';
import type { ErrorCode } from './errors';
import { clientGone, ClientGoneError } from './clientGone';
import { parseRequestPart } from './validate';

/**
 * One definition per endpoint serves both the Express handler (validation, auth) and the
 * OpenAPI document (src/api/openapi.ts), so the published description cannot drift
 * from what the code accepts and returns.
 */
export type Access = 'public' | 'authenticated' | 'customer' | 'admin';

type AnyObject = z.ZodObject;

export interface RouteDefinition<
  P extends AnyObject,
  Q extends AnyObject,
  B extends z.ZodType,
  A extends Access = Access,
  H extends AnyObject = AnyObject,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express syntax, relative to /api/v1: `/coupons/:id`. */
  path: string;
  /** Stable and unique: generated clients name their methods after it (`placeOrder`). */
  operationId: string;
  /** One line for the docs' index. */
  summary: string;
  /** What a client needs to know to call it: what it does, what it guarantees, who may. */
  description: string;
  tag: string;
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the route reads (e.g. Idempotency-Key), validated like the body; lower-case names. */
  headers?: H;
  success: { status: number; description: string; schema: z.ZodType };
  /** The error codes this endpoint can answer with, for the docs. */
  errors: ErrorCode[];
  handle(input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    headers: z.output<H>;
    /** Set by the guard; a public route may be called without a token. */
    principal: A extends 'public' ? Principal | undefined : Principal;
    req: Request;
    res: Response;
  }): Promise<unknown>;
}

// Routes differ in their schemas; the router and the OpenAPI builder only need the shape.
export type AnyRoute = RouteDefinition<any, any, any, any, any>;

export const defineRoute = <P extends AnyObject, Q extends AnyObject, B extends z.ZodType, A extends Access, H extends AnyObject = AnyObject>(
  route: RouteDefinition<P, Q, B, A, H>,
): RouteDefinition<P, Q, B, A, H> => route;

export type Guard = (access: Access) => (req: Request, res: Response, next: (err?: unknown) => void) => void;

/**
 * Adds each route to an Express router: guard, then validated params/query/body, then
 * the handler. With `checkResponses` every success body is checked against the schema
 * the OpenAPI document publishes, so a drift fails loudly in development and tests.
 */
export function mountRoutes(router: Router, routes: AnyRoute[], guard: Guard, checkResponses: boolean): void {
  for (const route of routes) {
    // The matched template, for metrics: refusals leave the router before they are answered.
    const nameRoute = (req: Request, res: Response, next: () => void) => {
      res.locals.route = `${req.baseUrl}${route.path}`;
      next();
    };
    router[route.method](route.path, nameRoute, guard(route.access), async (req: Request, res: Response) => {
      const params = route.params ? parseRequestPart(route.params, req.params, 'params') : {};
      const query = route.query ? parseRequestPart(route.query, req.query ?? {}, 'query') : {};
      const headers = route.headers ? parseRequestPart(route.headers, req.headers, 'headers') : {};
      const body = route.body ? parseRequestPart(route.body, req.body, 'body') : undefined;
      // A client that left while its request was read or queued gets no work started for it.
      const gone = clientGone(res);
      if (gone.aborted) throw gone.reason as ClientGoneError;
      const result = await route.handle({ params, query, body, headers, principal: res.locals.principal, req, res });
      if (checkResponses) {
        const check = route.success.schema.safeParse(result);
        if (!check.success) {
          throw new Error(`${route.method.toUpperCase()} ${route.path} answered outside its documented schema: ${check.error.message}`);
        }
      }
      res.status(route.success.status).json(result);
    });
  }
}
