import { Router, type Response } from 'express';
import type express from 'express';
import { z } from 'zod';
import type { Logger } from '../logging/logger';
import { sendAnswer } from '../simulatorKit/answers';
import { createSimulatorApp } from '../simulatorKit/app';
import { injectFaults } from '../simulatorKit/faults';
import { requestParts } from '../simulatorKit/requestParts';
import { text } from '../simulatorKit/schemas';
import type { PaymentOperations } from './payments';
import { gatewayErrors, GatewayHttpError } from './responses';

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

const { parse, idempotencyKeyOf } = requestParts(gatewayErrors);

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
  return createSimulatorApp({ logger: deps.logger, errors: gatewayErrors, jsonLimit: '16kb' }, (app) => {
    const v1 = Router();
    v1.use(
      injectFaults(
        () => deps,
        () => new GatewayHttpError('GATEWAY_UNAVAILABLE', 'the gateway is temporarily unavailable (simulated); retry later'),
      ),
    );

    v1.post('/payments', async (req, res) => {
      const idempotencyKey = idempotencyKeyOf(req);
      const body = parse(chargeBody, req.body, 'body');
      sendAnswer(req, res, await deps.operations.charge({ idempotencyKey, ...body }, req.log, callerGone(res)));
    });

    v1.post('/payments/:paymentKey/cancel', async (req, res) => {
      const idempotencyKey = idempotencyKeyOf(req);
      const { paymentKey } = parse(cancelParams, req.params, 'params');
      const { reason } = parse(cancelBody, req.body ?? {}, 'body');
      sendAnswer(req, res, await deps.operations.cancel({ idempotencyKey, paymentKey, reason }, req.log));
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
  });
}
