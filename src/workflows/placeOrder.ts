import * as wf from '@temporalio/workflow';
import type { OrderActivities } from '../activities/orders';
import type { StockActivities } from '../activities/stock';
import { cancelUpdate, payUpdate, placementUpdate } from '../contracts/orderMessages';
import type { CancelOutcome, OrderSummary, PayInput, PaymentOutcome, PlaceOrderInput, PlacementOutcome } from '../contracts/orders';
import { completeOrderWorkflowId } from '../contracts/workflowIds';
import { cancellation, paymentRefusal, type OrderState } from '../domain/order';
import { CustomerIdAttribute, NeedsAttentionAttribute, OrderIdAttribute, OrderStateAttribute } from '../temporal/searchAttributes';
import { LOCAL_STOCK_MOVES_PATCH, orderTransactionOptions, stockActivityOptions } from './activityOptions';
import { completeOrder } from './completeOrder';
import { runCompensations } from './compensation';
import { markOrderFailedCompensation, undoCompensations } from './orderUndo';
import { describeFailure, refusalOf } from './refusals';

const { prepareOrder, recordOrder, findOrder, closeUnpaidOrder, recordPaymentAttempt } = wf.proxyLocalActivities<OrderActivities>(orderTransactionOptions);
const { reserveStock, releaseStock } = wf.proxyActivities<StockActivities>(stockActivityOptions);
const stockLocally = wf.proxyLocalActivities<StockActivities>(stockActivityOptions);

/** Patch id of the order memo with amounts; deprecate it once no pre-patch order runs. */
export const ORDER_MEMO_PATCH = 'order-memo-amounts';

/**
 * One order from placement to its end. Places it (prices the lines, reserves the stock,
 * applies the coupon, writes the order and clears the cart lines it used), answers the
 * `placement` update, then holds the reservation until one of: a payment (the
 * CompleteOrder saga, as a child workflow), a cancellation, or the reservation timer.
 * All three are handled by this one workflow, one at a time, so expiry and payment
 * cannot race: while a payment runs the timer waits, and once expired nothing is paid.
 */
export async function placeOrder(input: PlaceOrderInput): Promise<PlacementOutcome> {
  const entity = new OrderEntity(input);
  wf.setHandler(placementUpdate, () => entity.answerPlacement());
  wf.setHandler(payUpdate, (request) => entity.pay(request));
  wf.setHandler(cancelUpdate, () => entity.cancel());

  const placement = await entity.place();
  if (placement.kind === 'placed') await entity.holdUntilPaidOrClosed();
  await wf.condition(wf.allHandlersFinished);
  return placement;
}

/** The order's workflow state, in one place, and what it does: place, pay, cancel, close unpaid. */
class OrderEntity {
  private readonly orderId: string;
  state: OrderState = 'PLACING';
  placement: PlacementOutcome | undefined;
  order: OrderSummary | undefined;
  paying = false;
  cancelling = false;
  paymentAttempts = 0;
  holdsReturned = false;

  constructor(private readonly input: PlaceOrderInput) {
    this.orderId = input.orderId;
  }

  private setState(next: OrderState): void {
    this.state = next;
    wf.upsertSearchAttributes([{ key: OrderStateAttribute, value: next }]);
  }

  private standing() {
    return { orderId: this.orderId, state: this.state, paying: this.paying, cancelling: this.cancelling, reservationExpiresAt: this.order?.reservationExpiresAt ?? null };
  }

  private async placed(): Promise<void> {
    if (this.placement === undefined) await wf.condition(() => this.placement !== undefined);
  }

  async answerPlacement(): Promise<PlacementOutcome> {
    await this.placed();
    return this.placement!;
  }

  /** Places the order and records how it went: refused, or waiting for payment. */
  async place(): Promise<PlacementOutcome> {
    this.placement = await this.placeOnce();
    if (this.placement.kind === 'refused') {
      this.setState('REFUSED');
      return this.placement;
    }
    this.order = this.placement.order;
    this.setState(this.order.status);
    // Added after orders were already running: their histories have no memo change at this
    // point, so the change is behind a patch and they still replay (docs/workflow-changes.md).
    if (wf.patched(ORDER_MEMO_PATCH)) {
      // The amounts beside the ids in the Web UI, so an order reads at a glance.
      wf.upsertMemo({
        totalAmount: this.order.totalAmount,
        discountAmount: this.order.discountAmount,
        finalAmount: this.order.finalAmount,
        reservationExpiresAt: this.order.reservationExpiresAt,
      });
    }
    return this.placement;
  }

  /** Waits for payment; a cancellation or the reservation's end closes the order unpaid. */
  async holdUntilPaidOrClosed(): Promise<void> {
    const expiresAt = Date.parse(this.order!.reservationExpiresAt);
    while (this.state === 'PENDING_PAYMENT') {
      if (this.paying) {
        await wf.condition(() => !this.paying);
        continue;
      }
      if (this.cancelling) return this.closeUnpaid('CANCELLED');
      const left = expiresAt - Date.now();
      if (left <= 0) return this.closeUnpaid('EXPIRED');
      await wf.condition(() => this.paying || this.cancelling, left);
    }
  }

  /**
   * One payment attempt: the CompleteOrder saga as a child workflow. One at a time, and
   * no queue: a request that finds one running is told so at once (nothing charged,
   * nothing stored; it may repeat). Queued requests would hold in-flight updates for a
   * whole saga, and charge stale cards after a decline.
   */
  async pay({ cardToken, requestKey }: PayInput): Promise<PaymentOutcome> {
    await this.placed();
    const refusal = paymentRefusal(this.standing(), Date.now());
    if (refusal) return { kind: refusal.code === 'PAYMENT_IN_PROGRESS' ? 'busy' : 'refused', refusal };
    const order = this.order!;
    const { orderId, input } = this;
    this.paying = true;
    this.paymentAttempts += 1;
    const attempt = this.paymentAttempts;
    const sagaWorkflowId = completeOrderWorkflowId(orderId, attempt);
    const amount = order.finalAmount;
    try {
      await recordPaymentAttempt({ orderId, sagaWorkflowId, requestKey });
      const result = await wf.executeChild(completeOrder, {
        workflowId: sagaWorkflowId,
        args: [{ orderId, userId: input.userId, amount, cardToken, attempt, userCouponId: input.userCouponId, ...timingsOf(input) }],
        // The saga must finish its compensations even if this workflow is terminated.
        parentClosePolicy: wf.ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: OrderIdAttribute, value: orderId },
          { key: CustomerIdAttribute, value: input.userId },
          { key: OrderStateAttribute, value: 'PAYING' },
          { key: NeedsAttentionAttribute, value: false },
        ],
        memo: { orderId, customerId: input.userId, amount, attempt },
      });
      if (result.kind === 'declined') return result;
      this.order = { ...order, status: 'COMPLETED' };
      this.setState('COMPLETED');
      return result;
    } catch (error) {
      if (!(error instanceof wf.ChildWorkflowFailure)) throw error;
      if (!sagaCompensated(error)) {
        // The saga ended without compensating (terminated, timed out): this workflow
        // gives back what the order holds, and refunds whatever was charged.
        wf.log.error('the payment saga ended without compensating; compensating here', { orderId, sagaWorkflowId, severity: 'CRITICAL' });
        await this.compensateAbandonedSaga(`the payment saga ${sagaWorkflowId} ended abnormally: ${describeFailure(error)}`);
      }
      this.order = { ...order, status: 'FAILED' };
      this.setState('FAILED');
      const reason = describeFailure(error);
      return { kind: 'failed', refusal: { code: 'ORDER_FAILED', message: `the payment failed and was reversed: ${reason}`, details: { orderId, reason } } };
    } finally {
      this.paying = false;
    }
  }

  /** Cancels an order waiting for payment; answers once its stock and coupon are back. */
  async cancel(): Promise<CancelOutcome> {
    await this.placed();
    if (cancellation(this.standing()) === 'cancel') {
      this.cancelling = true;
      await wf.condition(() => this.state !== 'PENDING_PAYMENT');
    }
    const now = cancellation(this.standing());
    if (now === 'already-cancelled' && this.order) {
      // Answer once the stock and the coupon are back, so the customer can use them again.
      await wf.condition(() => this.holdsReturned);
      return { kind: 'cancelled', order: this.order };
    }
    if (typeof now === 'string') throw new wf.ApplicationFailure(`unexpected cancellation state ${now}`);
    return { kind: 'refused', refusal: now };
  }

  /** Expiry or cancellation: the order's status decides first, then its holds go back. */
  private async closeUnpaid(to: 'EXPIRED' | 'CANCELLED'): Promise<void> {
    const { orderId } = this;
    this.order = await closeUnpaidOrder({ orderId, to });
    this.setState(this.order.status);
    wf.log.info(to === 'EXPIRED' ? 'reservation expired; releasing the order' : 'order cancelled; releasing it', { orderId });
    const timings = this.input.compensationTimings;
    await wf.CancellationScope.nonCancellable(() => runCompensations(undoCompensations(orderId, this.input.userCouponId, 'placed', timings), { orderId, timings }));
    this.holdsReturned = true;
  }

  /** The saga ended without compensating: how far it got is unknown, so everything is undone. */
  private async compensateAbandonedSaga(reason: string): Promise<void> {
    const { orderId } = this;
    const timings = this.input.compensationTimings;
    const undo = [...undoCompensations(orderId, this.input.userCouponId, 'confirming', timings), markOrderFailedCompensation(orderId, reason, timings)];
    await wf.CancellationScope.nonCancellable(() => runCompensations(undo, { orderId, timings }));
  }

  /**
   * Prices, reserves and records the order. A new run under the same key (the earlier run
   * closed before the API stored its answer) finds the order and answers with it rather
   * than placing it again.
   */
  private async placeOnce(): Promise<PlacementOutcome> {
    const { orderId, input } = this;
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
}

/** A test's compensation timings travel to the saga; production sends none (the same payload as ever). */
const timingsOf = (input: PlaceOrderInput) => ({
  ...(input.compensationTimings ? { compensationTimings: input.compensationTimings } : {}),
  ...(input.gatewayOutageBudgetMs !== undefined ? { gatewayOutageBudgetMs: input.gatewayOutageBudgetMs } : {}),
  ...(input.unknownOutcomeBudgetMs !== undefined ? { unknownOutcomeBudgetMs: input.unknownOutcomeBudgetMs } : {}),
});

/** The saga ran its compensations and failed on purpose (type ORDER_FAILED); anything else ended it early. */
function sagaCompensated(error: wf.ChildWorkflowFailure): boolean {
  return error.cause instanceof wf.ApplicationFailure && error.cause.type === 'ORDER_FAILED';
}
