import { proxyActivities } from '@temporalio/workflow';
import type { OrderActivities } from '../activities/orders';
import type { PaymentActivities } from '../activities/payments';
import type { StockActivities } from '../activities/stock';
import type { CompensationTimings } from '../contracts/orders';
import { compensationOptions, compensationOptionsFor } from './activityOptions';
import type { Compensation } from './compensation';
import { countRefunds } from './sagaMetrics';

/**
 * How far an order got, which decides what a failure must undo:
 * - `placed`: it holds a reservation (and maybe a coupon);
 * - `charging`: a charge was asked for, answered or not (a timed-out charge may have
 *   happened, so it is refunded whatever the answer);
 * - `confirming`: its stock confirmation was asked for.
 */
export type OrderReach = 'placed' | 'charging' | 'confirming';

export type UndoStep = 'returnStock' | 'refundPayment' | 'releaseStock' | 'restoreCoupon';

/**
 * The order's undo list, in the order it runs: the latest step first, then the
 * reservation, then the coupon. The one place that says what a failed order gives
 * back; the saga, expiry, cancellation and an abandoned saga all run it.
 */
export function undoList(reach: OrderReach, holdsCoupon: boolean): UndoStep[] {
  return [
    ...(reach === 'confirming' ? (['returnStock'] as const) : []),
    ...(reach !== 'placed' ? (['refundPayment'] as const) : []),
    'releaseStock',
    ...(holdsCoupon ? (['restoreCoupon'] as const) : []),
  ];
}

/** The compensations' activities, with a round's retries (a test's shorter ones if given). */
function compensationActivities(timings?: CompensationTimings) {
  const options = timings ? compensationOptionsFor(timings.retryMs) : compensationOptions;
  // Proxies return Proxies: their functions are picked by name, not spread.
  return {
    stock: proxyActivities<StockActivities>(options.stock),
    order: proxyActivities<OrderActivities>(options.order),
    payment: proxyActivities<PaymentActivities>(options.payment),
  };
}

/** The undo list as compensations to run (src/workflows/compensation.ts). */
export function undoCompensations(
  orderId: string,
  userCouponId: string | null | undefined,
  reach: OrderReach,
  timings?: CompensationTimings,
): Compensation[] {
  const { stock, order, payment } = compensationActivities(timings);
  const run: Record<UndoStep, () => Promise<unknown>> = {
    returnStock: () => stock.returnStock(orderId),
    refundPayment: async () => countRefunds((await payment.refundPayments({ orderId, reason: 'order failed' })).refunded.length),
    releaseStock: () => stock.releaseStock(orderId),
    restoreCoupon: () => order.restoreCoupon({ orderId, userCouponId: userCouponId! }),
  };
  return undoList(reach, Boolean(userCouponId)).map((name) => ({ name, run: run[name] }));
}

/** Marking the order FAILED as the last compensation, when no saga did it (an abandoned one). */
export const markOrderFailedCompensation = (orderId: string, reason: string, timings?: CompensationTimings): Compensation => {
  const { order } = compensationActivities(timings);
  return { name: 'markOrderFailed', run: () => order.markOrderFailed({ orderId, reason }) };
};
