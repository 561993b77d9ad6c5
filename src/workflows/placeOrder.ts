import * as wf from '@temporalio/workflow';
import type { OrderActivities } from '../activities/orders';
import type { StockActivities } from '../activities/stock';
import { cancelUpdate, payUpdate, placementUpdate } from '../contracts/orderMessages';
import type { OrderSummary, PaymentOutcome, PlaceOrderInput, PlacementOutcome } from '../contracts/orders';
import { completeOrderWorkflowId } from '../contracts/workflowIds';
import type { OrderStatus, Refusal } from '../domain/order';
import { CustomerIdAttribute, NeedsAttentionAttribute, OrderIdAttribute, OrderStateAttribute } from '../temporal/searchAttributes';
import { LOCAL_STOCK_MOVES_PATCH, orderTransactionOptions, stockActivityOptions } from './activityOptions';
import { completeOrder } from './completeOrder';
import { runCompensations, type Compensation } from './compensation';
import { markOrderFailedCompensation, undoCompensations } from './orderUndo';
import { describeFailure, refusalOf } from './refusals';

const { prepareOrder, recordOrder, findOrder, closeUnpaidOrder, recordPaymentAttempt } = wf.proxyLocalActivities<OrderActivities>(orderTransactionOptions);
const { reserveStock, releaseStock } = wf.proxyActivities<StockActivities>(stockActivityOptions);
const stockLocally = wf.proxyLocalActivities<StockActivities>(stockActivityOptions);

/** Patch id of the order memo with amounts; deprecate it once no pre-patch order runs. */
export const ORDER_MEMO_PATCH = 'order-memo-amounts';

type State = 'PLACING' | OrderStatus | 'REFUSED';

/**
 * One order from placement to its end. Places it (prices the lines, reserves the stock,
 * applies the coupon, writes the order and clears the cart lines it used), answers the
 * `placement` update, then holds the reservation until one of: a payment (the
 * CompleteOrder saga, as a child workflow), a cancellation, or the reservation timer.
 * All three are handled by this one workflow, one at a time, so expiry and payment
 * cannot race: while a payment runs the timer waits, and once expired nothing is paid.
 */
export async function placeOrder(input: PlaceOrderInput): Promise<PlacementOutcome> {
  const { orderId } = input;
  let state: State = 'PLACING';
  let placement: PlacementOutcome | undefined;
  let order: OrderSummary | undefined;
  let paying = false;
  let cancelRequested = false;
  let paymentAttempts = 0;
  let holdsReturned = false;

  const setState = (next: State) => {
    state = next;
    wf.upsertSearchAttributes([{ key: OrderStateAttribute, value: next }]);
  };
  const refusal = (code: Refusal['code'], message: string, details: Refusal['details'] = null): Refusal => ({ code, message, details });

  wf.setHandler(placementUpdate, async () => {
    await wf.condition(() => placement !== undefined);
    return placement!;
  });

  wf.setHandler(payUpdate, async ({ cardToken, requestKey }): Promise<PaymentOutcome> => {
    await wf.condition(() => placement !== undefined);
    // One payment attempt at a time, and no queue: a request that finds one running is
    // told so at once (nothing charged, nothing stored; it may repeat). Queued requests
    // would hold in-flight updates for a whole saga, and charge stale cards after a decline.
    if (paying) {
      return { kind: 'busy', refusal: refusal('PAYMENT_IN_PROGRESS', 'a payment of this order is in progress', { orderId }) };
    }
    if (state !== 'PENDING_PAYMENT' || !order) {
      return { kind: 'refused', refusal: refusal('ORDER_NOT_PAYABLE', `the order is ${state}`, { orderId, status: state }) };
    }
    if (cancelRequested) {
      return { kind: 'refused', refusal: refusal('ORDER_NOT_PAYABLE', 'the order is being cancelled', { orderId, status: state }) };
    }
    if (Date.now() >= Date.parse(order.reservationExpiresAt)) {
      return { kind: 'refused', refusal: refusal('ORDER_NOT_PAYABLE', 'the reservation has expired', { orderId, status: 'EXPIRED' }) };
    }
    paying = true;
    paymentAttempts += 1;
    const sagaWorkflowId = completeOrderWorkflowId(orderId, paymentAttempts);
    const amount = order.finalAmount;
    try {
      await recordPaymentAttempt({ orderId, sagaWorkflowId, requestKey });
      const result = await wf.executeChild(completeOrder, {
        workflowId: sagaWorkflowId,
        args: [{ orderId, userId: input.userId, amount, cardToken, attempt: paymentAttempts, userCouponId: input.userCouponId }],
        // The saga must finish its compensations even if this workflow is terminated.
        parentClosePolicy: wf.ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: OrderIdAttribute, value: orderId },
          { key: CustomerIdAttribute, value: input.userId },
          { key: OrderStateAttribute, value: 'PAYING' },
          { key: NeedsAttentionAttribute, value: false },
        ],
        memo: { orderId, customerId: input.userId, amount, attempt: paymentAttempts },
      });
      if (result.kind === 'declined') return result;
      order = { ...order, status: 'COMPLETED' };
      setState('COMPLETED');
      return result;
    } catch (error) {
      if (!(error instanceof wf.ChildWorkflowFailure)) throw error;
      if (!sagaCompensated(error)) {
        // The saga ended without compensating (terminated, timed out): this workflow
        // gives back what the order holds, and refunds whatever was charged.
        wf.log.error('the payment saga ended without compensating; compensating here', { orderId, sagaWorkflowId, severity: 'CRITICAL' });
        await compensateAbandonedSaga(`the payment saga ${sagaWorkflowId} ended abnormally: ${describeFailure(error)}`);
      }
      order = { ...order, status: 'FAILED' };
      setState('FAILED');
      const reason = describeFailure(error);
      return { kind: 'failed', refusal: refusal('ORDER_FAILED', `the payment failed and was reversed: ${reason}`, { orderId, reason }) };
    } finally {
      paying = false;
    }
  });

  wf.setHandler(cancelUpdate, async () => {
    await wf.condition(() => placement !== undefined);
    if (state === 'PENDING_PAYMENT' && !paying) {
      cancelRequested = true;
      await wf.condition(() => state !== 'PENDING_PAYMENT');
    }
    if (state === 'CANCELLED' && order) {
      // Answer once the stock and the coupon are back, so the customer can use them again.
      await wf.condition(() => holdsReturned);
      return { kind: 'cancelled' as const, order };
    }
    const why = paying ? 'a payment is in progress' : `the order is ${state}`;
    return { kind: 'refused' as const, refusal: refusal('ORDER_NOT_CANCELLABLE', why, { orderId, status: state }) };
  });

  placement = await place();
  if (placement.kind === 'refused') {
    setState('REFUSED');
    await wf.condition(wf.allHandlersFinished);
    return placement;
  }
  order = placement.order;
  setState(order.status);
  // Added after orders were already running: their histories have no memo change at this
  // point, so the change is behind a patch and they still replay (docs/workflow-changes.md).
  if (wf.patched(ORDER_MEMO_PATCH)) {
    // The amounts beside the ids in the Web UI, so an order reads at a glance.
    wf.upsertMemo({
      totalAmount: order.totalAmount,
      discountAmount: order.discountAmount,
      finalAmount: order.finalAmount,
      reservationExpiresAt: order.reservationExpiresAt,
    });
  }

  const expiresAt = Date.parse(order.reservationExpiresAt);
  // `state` changes in the update handlers too; the cast stops TypeScript narrowing it here.
  while ((state as State) === 'PENDING_PAYMENT') {
    if (paying) {
      await wf.condition(() => !paying);
      continue;
    }
    if (cancelRequested) {
      await closeUnpaid('CANCELLED');
      break;
    }
    const left = expiresAt - Date.now();
    if (left <= 0) {
      await closeUnpaid('EXPIRED');
      break;
    }
    await wf.condition(() => paying || cancelRequested, left);
  }
  await wf.condition(wf.allHandlersFinished);
  return placement;

  async function place(): Promise<PlacementOutcome> {
    // A new run under the same key (the earlier run closed before the API stored its
    // answer) finds the order and answers with it rather than placing it again.
    const existing = await findOrder(orderId);
    if (existing) return { kind: 'placed', order: existing };
    try {
      const prepared = await prepareOrder({ userId: input.userId, items: input.items, fromCart: input.fromCart });
      const reserve = wf.patched(LOCAL_STOCK_MOVES_PATCH) ? stockLocally.reserveStock : reserveStock;
      await reserve({ orderId, items: prepared.lines.map((l) => ({ optionId: l.optionId, quantity: l.quantity })) });
      try {
        const reservationExpiresAt = new Date(Date.now() + input.reservationTtlMs).toISOString();
        const recorded = await recordOrder({
          orderId,
          userId: input.userId,
          idempotencyKey: input.idempotencyKey,
          requestHash: input.requestHash,
          workflowId: wf.workflowInfo().workflowId,
          lines: prepared.lines,
          cartLines: prepared.cartLines,
          userCouponId: input.userCouponId,
          reservationExpiresAt,
        });
        return { kind: 'placed', order: recorded };
      } catch (error) {
        // The coupon could not be used: the reserved stock goes back before answering.
        await releaseStock(orderId);
        throw error;
      }
    } catch (error) {
      const refused = refusalOf(error);
      if (refused) return { kind: 'refused', refusal: refused };
      throw error;
    }
  }

  /** Expiry or cancellation: the order's status decides first, then its holds go back. */
  async function closeUnpaid(to: 'EXPIRED' | 'CANCELLED'): Promise<void> {
    const closed = await closeUnpaidOrder({ orderId, to });
    order = closed;
    setState(closed.status);
    wf.log.info(to === 'EXPIRED' ? 'reservation expired; releasing the order' : 'order cancelled; releasing it', { orderId });
    await wf.CancellationScope.nonCancellable(() => runCompensations(holdCompensations(), { orderId }));
    holdsReturned = true;
  }

  /** What a placed order holds goes back (expiry, cancellation). */
  function holdCompensations(): Compensation[] {
    return undoCompensations(orderId, input.userCouponId, 'placed');
  }

  /** The saga ended without compensating: how far it got is unknown, so everything is undone. */
  async function compensateAbandonedSaga(reason: string): Promise<void> {
    await wf.CancellationScope.nonCancellable(() =>
      runCompensations([...undoCompensations(orderId, input.userCouponId, 'confirming'), markOrderFailedCompensation(orderId, reason)], { orderId }),
    );
  }
}

/** The saga ran its compensations and failed on purpose (type ORDER_FAILED); anything else ended it early. */
function sagaCompensated(error: wf.ChildWorkflowFailure): boolean {
  return error.cause instanceof wf.ApplicationFailure && error.cause.type === 'ORDER_FAILED';
}
