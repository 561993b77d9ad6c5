import { ServiceError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Knex } from 'knex';
import type { OrderSummary, PaidOrder, PaymentBudgets, PlaceOrderInput } from '../contracts/orders';
import { orderWorkflowId } from '../contracts/workflowIds';
import { createOrderRepository, summarise, type Order } from '../db/repositories/orders';
import { CodedError, refusalError, refused, type Refusal, type Result } from '../domain/errors';
import { cancellation, isFinal, paymentRefusal } from '../domain/order';
import { orderIdFor } from './orderIds';
import type { OrderWorkflows } from './orders';

const GRPC_RESOURCE_EXHAUSTED = 8;

const isResourceExhausted = (error: unknown): boolean =>
  error instanceof ServiceError && (error.cause as { code?: number } | undefined)?.code === GRPC_RESOURCE_EXHAUSTED;

/** How an order's row stands for the order's rules (src/domain/order.ts), once its workflow has closed. */
const standingOf = (order: Order) => ({ orderId: order.id, state: order.status, paying: false, cancelling: false, reservationExpiresAt: null });

/**
 * The order's rules read from its row alone, for an order whose workflow has closed. A
 * row still waiting for payment with no workflow behind it (an anomaly) can be neither
 * paid nor cancelled: it is refused like an ended one.
 */
const orphanRefusal = (order: Order, code: 'ORDER_NOT_PAYABLE' | 'ORDER_NOT_CANCELLABLE'): Refusal => ({
  code,
  message: `the order is ${order.status}`,
  details: { orderId: order.id, status: order.status },
});

const paymentRefusalOf = (order: Order): Refusal => paymentRefusal(standingOf(order), Date.now()) ?? orphanRefusal(order, 'ORDER_NOT_PAYABLE');

/** Why an ended order cannot be cancelled; null if it is cancelled already. */
function cancellationRefusalOf(order: Order): Refusal | null {
  const decision = cancellation(standingOf(order));
  if (decision === 'already-cancelled') return null;
  return decision === 'cancel' ? orphanRefusal(order, 'ORDER_NOT_CANCELLABLE') : decision;
}

/**
 * Checkout as the API sees it. What PostgreSQL already shows as final is answered from
 * a read; everything that may change an order goes through its workflow.
 */
export function createCheckout(deps: { db: Knex; workflows: OrderWorkflows; reservationTtlMs: number; paymentBudgets?: PaymentBudgets }) {
  const orders = createOrderRepository(deps.db);

  /** After its workflow has closed, an order's row is the whole truth about it. */
  async function reread(orderId: string): Promise<Order> {
    const order = await orders.find(orderId);
    if (!order) throw new Error(`order ${orderId} vanished`);
    return order;
  }

  /**
   * The answer for a payment request on an order that has ended. The request that ran
   * the order's last payment attempt gets that attempt's outcome again (its first answer
   * may never have reached the client, or been stored); any other is refused.
   */
  function settledPayment(order: Order, requestKey: string): Result<PaidOrder> {
    if (order.paymentRequestKey === requestKey) {
      if (order.status === 'COMPLETED' && order.paymentKey && order.paidAt) {
        const payment: PaidOrder = {
          orderId: order.id,
          status: 'COMPLETED',
          paymentKey: order.paymentKey,
          paidAt: order.paidAt.toISOString(),
          amount: order.finalAmount,
        };
        return { ok: true, value: payment };
      }
      if (order.status === 'FAILED') {
        const reason = order.failureReason ?? 'unknown';
        return refused({ code: 'ORDER_FAILED', message: `the payment failed and was reversed: ${reason}`, details: { orderId: order.id, reason } });
      }
    }
    return refused(paymentRefusalOf(order));
  }

  /**
   * The order's run ended without an answer (terminated, timed out, failed), and no new
   * run may start under its key: what the placement left is the answer. An order it wrote
   * is answered once it has ended (the sweeper ends an abandoned one as FAILED; until
   * then this stays a 503, not stored); with no order written, nothing was placed.
   */
  async function abortedPlacement(orderId: string, error: WorkflowFailedError): Promise<Result<OrderSummary>> {
    const order = await orders.find(orderId);
    if (order && !isFinal(order.status)) {
      throw new CodedError(
        'SERVICE_UNAVAILABLE',
        'the placement under this Idempotency-Key stopped after writing its order; the sweeper ends the order (its stock and coupon go back), and this request then answers with it: repeat it later',
        { orderId, reason: error.cause?.message ?? error.message },
      );
    }
    if (order) return { ok: true, value: summarise(order) };
    return refused({
      code: 'ORDER_NOT_PLACED',
      message: 'the placement under this Idempotency-Key was stopped before the order was written: nothing was charged, and any stock it reserved is given back by the sweeper. Place the order again under a new key.',
      details: { orderId, reason: error.cause?.message ?? error.message },
    });
  }

  return {
    async place(request: Omit<PlaceOrderInput, 'orderId' | 'reservationTtlMs' | keyof PaymentBudgets>): Promise<Result<OrderSummary>> {
      const orderId = orderIdFor(orderWorkflowId(request.userId, request.idempotencyKey));
      // Only the budgets an operator set travel: an unset one leaves the saga its default.
      const budgets: PaymentBudgets = Object.fromEntries(Object.entries(deps.paymentBudgets ?? {}).filter(([, ms]) => ms !== undefined));
      try {
        const outcome = await deps.workflows.place({ ...request, orderId, reservationTtlMs: deps.reservationTtlMs, ...budgets });
        return outcome.kind === 'placed' ? { ok: true, value: outcome.order } : refused(outcome.refusal);
      } catch (error) {
        if (!(error instanceof WorkflowFailedError)) throw error;
        return abortedPlacement(orderId, error);
      }
    },

    async pay(order: Order, idempotencyKey: string, cardToken: string): Promise<Result<PaidOrder>> {
      if (isFinal(order.status)) return settledPayment(order, idempotencyKey);
      try {
        const outcome = await deps.workflows.pay(order.workflowId, idempotencyKey, cardToken);
        // Not an outcome: nothing happened, and the same request may be repeated.
        if (outcome.kind === 'busy') throw refusalError(outcome.refusal);
        return outcome.kind === 'paid' ? { ok: true, value: outcome.payment } : refused(outcome.refusal);
      } catch (error) {
        // The workflow closed between our read and the update (expired, cancelled, paid).
        if (error instanceof WorkflowNotFoundError) return settledPayment(await reread(order.id), idempotencyKey);
        // More concurrent requests on this one order than its in-flight update limit
        // (history.maxInFlightUpdates): the server refused the update, nothing ran.
        if (isResourceExhausted(error)) {
          throw new CodedError('PAYMENT_IN_PROGRESS', 'too many payment requests for this order at once; repeat the request', { orderId: order.id });
        }
        throw error;
      }
    },

    async cancel(order: Order): Promise<Result<OrderSummary>> {
      const answerFromRow = (o: Order): Result<OrderSummary> => {
        const refusal = cancellationRefusalOf(o);
        return refusal ? refused(refusal) : { ok: true, value: summarise(o) };
      };
      if (isFinal(order.status)) return answerFromRow(order);
      try {
        const outcome = await deps.workflows.cancel(order.workflowId);
        return outcome.kind === 'cancelled' ? { ok: true, value: outcome.order } : refused(outcome.refusal);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        return answerFromRow(await reread(order.id));
      }
    },
  };
}

export type Checkout = ReturnType<typeof createCheckout>;
