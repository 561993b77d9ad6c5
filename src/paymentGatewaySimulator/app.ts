import { setTimeout as sleep } from 'node:timers/promises';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../logging/logger';
import type { Answer, PaymentOperations } from './payments';
import { GatewayHttpError } from './responses';
import { accessLog } from '../logging/accessLog';


/** Text Postgres can store (it refuses NUL), bounded. */
const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

const idempotencyKeySchema = z.string({ error: 'the Idempotency-Key header is required' }).min(1).max(255);
const chargeBody = z.object({ orderId: text(1, 200), amount: z.int().positive(), cardToken: text(1, 200) });
const cancelParams = z.object({ paymentKey: z.uuid() });
const cancelBody = z.object({ reason: text(0, 500).optional() });
const listQuery = z.object({ orderId: text(1, 200) });
/** A time window of approvals, paged: what a reconciliation reads. */
const windowQuery = z
  .object({
    approvedFrom: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
    approvedTo: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
    cursor: text(1, 500).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(500),
  })
  .refine((w) => w.approvedFrom < w.approvedTo, { message: 'approvedFrom must be before approvedTo', path: ['approvedTo'] });

/** One part of a request, or a 400 naming every bad field. */
function parse<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'query' | 'params' | 'header'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ in: part, path: issue.path.map(String).join('.'), message: issue.message }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new GatewayHttpError('VALIDATION_FAILED', `invalid request ${part}: ${summary}`, { issues });
}

const idempotencyKeyOf = (req: Request): string => parse(idempotencyKeySchema, req.get('Idempotency-Key'), 'header');

function send(req: Request, res: Response, answer: Answer): void {
  if (answer.dropConnection) {
    // What a gateway crashing after its commit looks like to the caller: no answer at all.
    req.socket.destroy();
    return;
  }
  if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(answer.response.status).json(answer.response.body);
}

/** Aborts when the caller hangs up before its answer was sent. */
function callerGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

export interface GatewayAppDeps {
  logger: Logger;
  operations: PaymentOperations;
  /** Fraction of /v1 requests answered 503 before anything happens. */
  failureRate: number;
  /** Random latency added to each /v1 request, in ms. */
  latencyMs: [number, number];
}

export function createGatewayApp(deps: GatewayAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    accessLog(deps.logger, {
      // Charges, cancels and faults are logged as events by the operations; the access
      // log is for debugging.
      customLogLevel: () => 'debug',
      // Events logged through req.log carry the request id, not the whole request.
      quietReqLogger: true,
    }),
  );
  app.use(express.json({ limit: '16kb' }));

  // Outside /v1: readiness must hold even when every payment request is set to fail.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const v1 = Router();
  v1.use(async (_req, _res, next) => {
    const [min, max] = deps.latencyMs;
    if (max > 0) await sleep(min + Math.floor(Math.random() * (max - min + 1)));
    if (Math.random() < deps.failureRate) {
      throw new GatewayHttpError('GATEWAY_UNAVAILABLE', 'the gateway is temporarily unavailable (simulated); retry later');
    }
    next();
  });

  v1.post('/payments', async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const body = parse(chargeBody, req.body, 'body');
    send(req, res, await deps.operations.charge({ idempotencyKey, ...body }, req.log, callerGone(res)));
  });

  v1.post('/payments/:paymentKey/cancel', async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const { paymentKey } = parse(cancelParams, req.params, 'params');
    const { reason } = parse(cancelBody, req.body ?? {}, 'body');
    send(req, res, await deps.operations.cancel({ idempotencyKey, paymentKey, reason }, req.log));
  });

  const listWindow = (w: z.output<typeof windowQuery>) => deps.operations.listApproved({ from: w.approvedFrom, to: w.approvedTo, cursor: w.cursor, limit: w.limit });
  v1.get('/payments', async (req, res) => {
    const { status, body } =
      req.query.orderId === undefined
        ? await listWindow(parse(windowQuery, req.query, 'query'))
        : await deps.operations.list(parse(listQuery, req.query, 'query').orderId);
    res.status(status).json(body);
  });

  app.use('/v1', v1);
  app.use((req: Request) => {
    throw new GatewayHttpError('NOT_FOUND', `no route for ${req.method} ${req.path}`);
  });
  app.use(createErrorHandler(deps.logger));
  return app;
}

interface BodyParserError {
  type?: string;
  status?: number;
}

function toGatewayError(error: unknown): GatewayHttpError {
  if (error instanceof GatewayHttpError) return error;
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.too.large') return new GatewayHttpError('PAYLOAD_TOO_LARGE', 'the request body is too large');
  if (parserError?.type === 'entity.parse.failed') return new GatewayHttpError('VALIDATION_FAILED', 'the request body is not valid JSON');
  if (parserError?.status && parserError.status >= 400 && parserError.status < 500) {
    return new GatewayHttpError('VALIDATION_FAILED', `the request could not be read: ${(error as Error).message}`);
  }
  return new GatewayHttpError('GATEWAY_ERROR', 'an unexpected error occurred in the gateway simulator; it has been logged');
}

const createErrorHandler =
  (logger: Logger) =>
  (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const gatewayError = toGatewayError(error);
    if (!(error instanceof GatewayHttpError)) (req.log ?? logger).error({ err: error }, 'request failed');
    if (res.headersSent || res.destroyed) return;
    const { status, body } = gatewayError.toResponse();
    res.status(status).json(body);
  };
