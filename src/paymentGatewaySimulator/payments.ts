import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Logger } from '../logging/logger';
import type { SimulatorAnswer } from '../simulatorKit/answers';
import { readPageCursor, writePageCursor } from '../simulatorKit/pageCursor';
import { behaviourOf } from './cardTokens';
import { runIdempotently } from './idempotency';
import { createLedgerRepository, type Payment } from './ledger';
import { errorResponse, GatewayHttpError, type GatewayResponse } from './responses';

export interface ChargeRequest {
  idempotencyKey: string;
  orderId: string;
  amount: number;
  cardToken: string;
}

export interface CancelRequest {
  idempotencyKey: string;
  paymentKey: string;
  reason?: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const paymentView = (p: Payment) => ({
  paymentKey: p.paymentKey,
  orderId: p.orderId,
  amount: p.amount,
  status: p.status,
  approvedAt: iso(p.approvedAt),
  canceledAt: iso(p.canceledAt),
});

const ok = (body: unknown): GatewayResponse => ({ status: 200, body });
const cancelView = (p: Payment) => ok({ paymentKey: p.paymentKey, status: p.status, canceledAt: iso(p.canceledAt) });

/** A wait that ends early, as a 503 that rolls the work back, when the simulator stops. */
async function hold(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw new GatewayHttpError('GATEWAY_UNAVAILABLE', 'the gateway stopped while holding the request');
  }
}

/** What the gateway does with a charge or a cancel, once the request is parsed. */
export function createPaymentOperations(deps: { db: Knex; timeoutHangMs: number; stopping: AbortSignal }) {
  const ledger = createLedgerRepository(deps.db);

  return {
    /** `clientGone` lets a `tok_timeout` hold end when nobody waits for its 504 any more. */
    async charge(request: ChargeRequest, log: Logger, clientGone: AbortSignal): Promise<SimulatorAnswer> {
      const { idempotencyKey, orderId, amount, cardToken } = request;
      const context = { orderId, idempotencyKey };
      const behaviour = behaviourOf(cardToken);
      const outcome = await runIdempotently(
        deps.db,
        { scope: 'charge', key: idempotencyKey, request: { orderId, amount, cardToken } },
        async (trx) => {
          if (behaviour.kind === 'error') {
            log.info(context, 'charge fault: GATEWAY_ERROR (tok_error), nothing charged');
            return { response: errorResponse('GATEWAY_ERROR', 'the gateway failed to process the charge'), drop: false };
          }
          if (behaviour.kind === 'timeout') {
            log.info({ ...context, holdMs: deps.timeoutHangMs }, 'charge fault: holding, then GATEWAY_TIMEOUT (tok_timeout)');
            await hold(deps.timeoutHangMs, AbortSignal.any([deps.stopping, clientGone]));
            return { response: errorResponse('GATEWAY_TIMEOUT', 'the card network did not answer in time'), drop: false };
          }
          if (behaviour.kind === 'approve' && behaviour.delayMs > 0) await hold(behaviour.delayMs, deps.stopping);

          const live = await ledger.findLiveByOrder(trx, orderId);
          if (live) {
            log.info({ ...context, paymentKey: live.paymentKey }, 'charge refused: ALREADY_PAID');
            return { response: alreadyPaid(live), drop: false };
          }
          if (behaviour.kind === 'decline') {
            log.info(context, 'charge declined: CARD_DECLINED (tok_decline)');
            return { response: errorResponse('CARD_DECLINED', 'the card was declined'), drop: false };
          }
          const refundFailures = behaviour.kind === 'approve' ? behaviour.refundFailures : 0;
          const { payment, created } = await ledger.recordCharge(trx, {
            paymentKey: randomUUID(),
            orderId,
            amount,
            cardToken,
            refundFailures,
          });
          if (!created) {
            log.info({ ...context, paymentKey: payment.paymentKey }, 'charge refused: ALREADY_PAID (lost the race)');
            return { response: alreadyPaid(payment), drop: false };
          }
          log.info({ ...context, paymentKey: payment.paymentKey, amount, refundFailures }, 'charge approved');
          const view = paymentView(payment);
          return {
            response: ok({ paymentKey: view.paymentKey, orderId, amount, status: view.status, approvedAt: view.approvedAt }),
            drop: behaviour.kind === 'drop',
          };
        },
      );
      if (outcome.replayed) {
        log.info({ ...context, status: outcome.response.status }, 'charge replayed from its idempotency key');
        return { response: outcome.response, replayed: true, dropConnection: false };
      }
      if (outcome.work.drop) log.info(context, 'charge fault: committed, dropping the connection unanswered (tok_drop)');
      return { response: outcome.work.response, replayed: false, dropConnection: outcome.work.drop };
    },

    async cancel(request: CancelRequest, log: Logger): Promise<SimulatorAnswer> {
      const { idempotencyKey, paymentKey, reason } = request;
      const context = { paymentKey, idempotencyKey };
      const outcome = await runIdempotently(
        deps.db,
        { scope: 'cancel', key: idempotencyKey, request: { paymentKey, reason } },
        async (trx) => {
          const payment = await ledger.lockPayment(trx, paymentKey);
          if (!payment) {
            log.info(context, 'cancel refused: PAYMENT_NOT_FOUND');
            return { response: errorResponse('PAYMENT_NOT_FOUND', `no payment ${paymentKey}`) };
          }
          const logContext = { ...context, orderId: payment.orderId };
          if (payment.status === 'CANCELED') {
            log.info(logContext, 'cancel of a cancelled payment: answered with its state');
            return { response: cancelView(payment) };
          }
          if (payment.refundFailuresRemaining > 0) {
            // Committed with the 500 (which is not stored), so the countdown is exact.
            const remaining = await ledger.consumeRefundFailure(trx, paymentKey);
            log.info({ ...logContext, remaining }, 'cancel fault: GATEWAY_ERROR (tok_refund_error), nothing refunded');
            return { response: errorResponse('GATEWAY_ERROR', 'the gateway failed to process the refund') };
          }
          const canceled = await ledger.recordRefund(trx, payment);
          log.info({ ...logContext, amount: payment.amount, reason }, 'payment cancelled, fully refunded');
          return { response: cancelView(canceled) };
        },
      );
      if (outcome.replayed) {
        log.info({ ...context, status: outcome.response.status }, 'cancel replayed from its idempotency key');
        return { response: outcome.response, replayed: true, dropConnection: false };
      }
      return { response: outcome.work.response, replayed: false, dropConnection: false };
    },

    async list(orderId: string): Promise<GatewayResponse> {
      return ok({ payments: (await ledger.listByOrder(orderId)).map(paymentView) });
    },

    /** One page of the payments approved in a time window, and the cursor of the next (null at the end). */
    async listApproved(window: { from: Date; to: Date; cursor?: string; limit: number }): Promise<GatewayResponse> {
      const page = await ledger.listApprovedBetween({ from: window.from, to: window.to, after: window.cursor ? readCursor(window.cursor) : undefined, limit: window.limit });
      const last = page.length === window.limit ? page[page.length - 1] : undefined;
      return ok({ payments: page.map(paymentView), nextCursor: last ? writeCursor(last) : null });
    },
  };
}

/** The page cursor: where the last page ended (approval time, then key), opaque to callers. */
const writeCursor = (p: Payment): string => writePageCursor([p.approvedAt.toISOString(), p.paymentKey]);
const cursorKey = z.tuple([z.iso.datetime(), z.uuid()]);

function readCursor(cursor: string): { approvedAt: Date; paymentKey: string } {
  const key = readPageCursor(cursor, cursorKey);
  if (!key) {
    throw new GatewayHttpError('VALIDATION_FAILED', 'invalid request query: cursor: not a cursor this gateway gave out', { issues: [{ in: 'query', path: 'cursor', message: 'not a cursor this gateway gave out' }] });
  }
  return { approvedAt: new Date(key[0]), paymentKey: key[1] };
}

const alreadyPaid = (live: Payment) =>
  errorResponse('ALREADY_PAID', 'this order already has a live payment', { paymentKey: live.paymentKey });

export type PaymentOperations = ReturnType<typeof createPaymentOperations>;
