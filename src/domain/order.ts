/**
 * Order rules as plain functions: pricing, the coupon's part in it, and the order's
 * state machine. Amounts are integers in the smallest currency unit.
 */
import { discountFor, type DiscountType } from './coupon';
import type { Refusal } from './errors';

export type OrderStatus = 'PENDING_PAYMENT' | 'COMPLETED' | 'CANCELLED' | 'EXPIRED' | 'FAILED';

export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = ['COMPLETED', 'CANCELLED', 'EXPIRED', 'FAILED'];

export const isFinal = (status: OrderStatus): boolean => FINAL_ORDER_STATUSES.includes(status);

/**
 * An order waits for payment, then ends exactly once: paid (COMPLETED), CANCELLED by
 * its customer, EXPIRED by its reservation timer, or FAILED by its payment saga.
 * Repeating the move that already happened is a no-op (activities are retried); any
 * other move from a final state is refused, which is what keeps an order from being
 * both EXPIRED and paid.
 */
export function orderTransition(from: OrderStatus, to: OrderStatus): 'apply' | 'already-done' | 'refuse' {
  if (from === to) return 'already-done';
  return from === 'PENDING_PAYMENT' && to !== 'PENDING_PAYMENT' ? 'apply' : 'refuse';
}

/** An order's state as its workflow sees it: before placement, refused, or a status. */
export type OrderState = 'PLACING' | 'REFUSED' | OrderStatus;

/** What decides whether an order may be paid or cancelled right now. */
export interface OrderStanding {
  orderId: string;
  state: OrderState;
  /** A payment attempt (the saga) is running. */
  paying: boolean;
  /** Its customer asked to cancel it and the cancellation is under way. */
  cancelling: boolean;
  /** When its reservation ends; unknown (null) before it is placed. */
  reservationExpiresAt: string | null;
}

/**
 * May this order be paid now? Null if so; otherwise the refusal. Only a placed order
 * waiting for payment, with no payment running, no cancellation under way and its
 * reservation still held, may be. PAYMENT_IN_PROGRESS says nothing happened and the
 * request may be repeated; ORDER_NOT_PAYABLE is final.
 */
export function paymentRefusal(order: OrderStanding, now: number): Refusal | null {
  const { orderId, state } = order;
  if (order.paying) return { code: 'PAYMENT_IN_PROGRESS', message: 'a payment of this order is in progress', details: { orderId } };
  if (state !== 'PENDING_PAYMENT') return { code: 'ORDER_NOT_PAYABLE', message: `the order is ${state}`, details: { orderId, status: state } };
  if (order.cancelling) return { code: 'ORDER_NOT_PAYABLE', message: 'the order is being cancelled', details: { orderId, status: state } };
  if (order.reservationExpiresAt !== null && now >= Date.parse(order.reservationExpiresAt)) {
    return { code: 'ORDER_NOT_PAYABLE', message: 'the reservation has expired', details: { orderId, status: 'EXPIRED' } };
  }
  return null;
}

/**
 * May this order be cancelled now? `cancel` for an order waiting for payment with no
 * payment running; `already-cancelled` answers a repeated cancellation with the order;
 * anything else is refused.
 */
export function cancellation(order: Pick<OrderStanding, 'orderId' | 'state' | 'paying'>): 'cancel' | 'already-cancelled' | Refusal {
  if (order.state === 'PENDING_PAYMENT' && !order.paying) return 'cancel';
  if (order.state === 'CANCELLED') return 'already-cancelled';
  const why = order.paying ? 'a payment is in progress' : `the order is ${order.state}`;
  return { code: 'ORDER_NOT_CANCELLABLE', message: why, details: { orderId: order.orderId, status: order.state } };
}

export interface PricedLine {
  unitPrice: number;
  quantity: number;
}

export const lineAmount = (line: PricedLine): number => line.unitPrice * line.quantity;

export const orderTotal = (lines: PricedLine[]): number => lines.reduce((sum, line) => sum + lineAmount(line), 0);

/** A product option's price: the product's price plus the option's surcharge. */
export const unitPrice = (productPrice: number, additionalPrice: number): number => productPrice + additionalPrice;

export interface HeldCoupon {
  userId: string;
  usedAt: Date | null;
  usedOrderId: string | null;
  expiresAt: Date;
  discountType: DiscountType;
  discountValue: number;
  minOrderAmount: number;
}

export type Pricing = { totalAmount: number; discountAmount: number; finalAmount: number };

/** The largest amount an order may total: amounts are PostgreSQL `integer` columns. */
export const MAX_ORDER_AMOUNT = 2_147_483_647;

/**
 * What the order costs with the coupon, or why the coupon cannot be used on it. The
 * coupon must be the customer's own, unused (or used by this very order: a retried
 * placement), unexpired, and the total must reach its minimum; a discount that would
 * leave nothing to pay is refused rather than giving the goods away.
 */
export function priceOrder(
  total: number,
  coupon: (HeldCoupon & { id: string }) | null | undefined,
  context: { userId: string; orderId: string; now: Date; userCouponId: string | null },
): Pricing | Refusal {
  if (total > MAX_ORDER_AMOUNT) {
    return { code: 'ORDER_TOO_LARGE', message: `the order totals ${total}, more than ${MAX_ORDER_AMOUNT}`, details: { totalAmount: total } };
  }
  if (context.userCouponId === null) {
    if (total <= 0) return { code: 'DISCOUNT_EXCEEDS_TOTAL', message: 'the order has nothing to pay', details: { totalAmount: total } };
    return { totalAmount: total, discountAmount: 0, finalAmount: total };
  }
  const unusable = (reason: string, message: string): Refusal => ({
    code: 'COUPON_NOT_USABLE',
    message,
    details: { userCouponId: context.userCouponId, reason },
  });
  // Someone else's coupon is reported exactly like a missing one: ids are not oracles.
  if (!coupon || coupon.userId !== context.userId) return unusable('NOT_FOUND', 'you hold no such coupon');
  if (coupon.usedAt !== null && coupon.usedOrderId !== context.orderId) return unusable('USED', 'the coupon was already used');
  if (coupon.usedOrderId !== context.orderId && context.now.getTime() >= coupon.expiresAt.getTime()) {
    return unusable('EXPIRED', 'the coupon has expired');
  }
  if (total < coupon.minOrderAmount) {
    return {
      code: 'COUPON_MIN_ORDER_NOT_MET',
      message: `the coupon needs an order of at least ${coupon.minOrderAmount}`,
      details: { userCouponId: context.userCouponId, minOrderAmount: coupon.minOrderAmount, totalAmount: total },
    };
  }
  const discount = discountFor(coupon, total);
  if (total - discount <= 0) {
    return {
      code: 'DISCOUNT_EXCEEDS_TOTAL',
      message: 'the discount would leave nothing to pay',
      details: { userCouponId: context.userCouponId, totalAmount: total, discountAmount: discount },
    };
  }
  return { totalAmount: total, discountAmount: discount, finalAmount: total - discount };
}

export const isRefusal = (value: Pricing | Refusal): value is Refusal => 'code' in value;
