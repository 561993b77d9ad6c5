import { proxyActivities } from '@temporalio/workflow';
import type { OrderActivities } from '../activities/orders';
import type { PaymentActivities } from '../activities/payments';
import type { StockActivities } from '../activities/stock';
import { compensationOptions } from './activityOptions';
import type { Compensation } from './compensation';

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

// Proxies return Proxies: their functions are picked by name, not spread.
const stock = proxyActivities<StockActivities>(compensationOptions.stock);
const order = proxyActivities<OrderActivities>(compensationOptions.order);
const payment = proxyActivities<PaymentActivities>(compensationOptions.payment);

/** The undo list as compensations to run (src/workflows/compensation.ts). */
export function undoCompensations(orderId: string, userCouponId: string | null | undefined, reach: OrderReach): Compensation[] {
  const run: Record<UndoStep, () => Promise<unknown>> = {
    returnStock: () => stock.returnStock(orderId),
    refundPayment: () => payment.refundPayments({ orderId, reason: 'order failed' }),
    releaseStock: () => stock.releaseStock(orderId),
    restoreCoupon: () => order.restoreCoupon({ orderId, userCouponId: userCouponId! }),
  };
  return undoList(reach, Boolean(userCouponId)).map((name) => ({ name, run: run[name] }));
}

/** Marking the order FAILED as the last compensation, when no saga did it (an abandoned one). */
export const markOrderFailedCompensation = (orderId: string, reason: string): Compensation => ({
  name: 'markOrderFailed',
  run: () => order.markOrderFailed({ orderId, reason }),
});
