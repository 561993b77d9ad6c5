import * as wf from '@temporalio/workflow';
import type { OrderActivities } from '../activities/orders';
import type { StockActivities } from '../activities/stock';
import { cancelUpdate, payUpdate, placementUpdate } from '../contracts/orderMessages';
import type { OrderSummary, PaymentOutcome, PlaceOrderInput, PlacementOutcome } from '../contracts/orders';
import { completeOrderWorkflowId } from '../contracts/workflowIds';
import type { OrderStatus, Refusal } from '../domain/order';
import { CustomerIdAttribute, NeedsAttentionAttribute, OrderIdAttribute, OrderStateAttribute } from '../temporal/searchAttributes';
import { stockActivityOptions } from './activityOptions';
import { completeOrder } from './completeOrder';
import { runCompensations } from './compensation';
import { describeFailure, refusalOf } from './refusals';

const { prepareOrder, recordOrder, findOrder, closeUnpaidOrder, recordPaymentAttempt } = wf.proxyLocalActivities<OrderActivities>({
  // Short transactions. Retried without limit: once stock may be reserved the order must
  // reach an end, and the database coming back is the only way there. Business
  // refusals (an unknown option, an unusable coupon) are non-retryable.
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

const { reserveStock, releaseStock } = wf.proxyActivities<StockActivities>(stockActivityOptions);

// The expiry and cancellation compensations, in rounds (src/workflows/compensation.ts).
const { restoreCoupon } = wf.proxyActivities<OrderActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 3 },
});

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

  const setState = (next: State) => {
    state = next;
    wf.upsertSearchAttributes([{ key: OrderStateAttribute, value: next }]);
  };
  const refusal = (code: Refusal['code'], message: string, details: Refusal['details'] = null): Refusal => ({ code, message, details });

  wf.setHandler(placementUpdate, async () => {
    await wf.condition(() => placement !== undefined);
    return placement!;
  });

  wf.setHandler(payUpdate, async ({ cardToken }): Promise<PaymentOutcome> => {
    await wf.condition(() => placement !== undefined);
    // Payment attempts run one at a time; a second request waits for the first's outcome.
    // Re-checked in a loop because every waiter wakes when `paying` falls: only the one
    // that finds it false, and sets it below with no await in between, goes ahead.
    while (paying) await wf.condition(() => !paying);
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
    try {
      await recordPaymentAttempt({ orderId, sagaWorkflowId });
      const result = await wf.executeChild(completeOrder, {
        workflowId: sagaWorkflowId,
        args: [{ orderId, userId: input.userId, amount: order.finalAmount, cardToken, attempt: paymentAttempts, userCouponId: input.userCouponId }],
        // The saga must finish its compensations even if this workflow is terminated.
        parentClosePolicy: wf.ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: OrderIdAttribute, value: orderId },
          { key: CustomerIdAttribute, value: input.userId },
          { key: OrderStateAttribute, value: 'PAYING' },
          { key: NeedsAttentionAttribute, value: false },
        ],
        memo: { orderId, customerId: input.userId, amount: order.finalAmount, attempt: paymentAttempts },
      });
      if (result.kind === 'declined') return result;
      order = { ...order, status: 'COMPLETED' };
      setState('COMPLETED');
      return result;
    } catch (error) {
      if (!(error instanceof wf.ChildWorkflowFailure)) throw error;
      // The saga compensated (refund, stock, coupon) and marked the order FAILED.
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
    if (state === 'CANCELLED' && order) return { kind: 'cancelled' as const, order };
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
      await reserveStock({ orderId, items: prepared.lines.map((l) => ({ optionId: l.optionId, quantity: l.quantity })) });
      try {
        const reservationExpiresAt = new Date(Date.now() + input.reservationTtlMs).toISOString();
        const recorded = await recordOrder({
          orderId,
          userId: input.userId,
          idempotencyKey: input.idempotencyKey,
          requestHash: input.requestHash,
          workflowId: wf.workflowInfo().workflowId,
          lines: prepared.lines,
          cartItemIds: prepared.cartItemIds,
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
    const userCouponId = input.userCouponId;
    await wf.CancellationScope.nonCancellable(() =>
      runCompensations(
        [
          { name: 'releaseStock', run: () => releaseStock(orderId) },
          ...(userCouponId ? [{ name: 'restoreCoupon', run: () => restoreCoupon({ orderId, userCouponId }) }] : []),
        ],
        { orderId },
      ),
    );
  }
}

