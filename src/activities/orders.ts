import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { OrderLine, OrderLineRequest, OrderSummary, PreparedOrder, SagaProgress } from '../contracts/orders';
import { isUniqueViolation } from '../db/knex';
import { createCartRepository } from '../db/repositories/carts';
import { findOptionSnapshots } from '../db/repositories/optionPrices';
import { createOrderDeliveryRepository } from '../db/repositories/orderDeliveries';
import { createOrderRepository, summarise, type Order } from '../db/repositories/orders';
import { createUserCouponRepository } from '../db/repositories/userCoupons';
import { BusinessErrorCode } from '../domain/errors';
import { isRefusal, orderTotal, orderTransition, priceOrder, unitPrice, type OrderStatus } from '../domain/order';
import { holdingRefusal, limitsHoldings, NO_ORDER_LIMITS, orderShapeRefusal, type OrderLimits } from '../domain/orderLimits';
import { refuse } from './refusal';

export interface RecordOrderInput {
  orderId: string;
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  workflowId: string;
  lines: OrderLine[];
  cartLines: PreparedOrder['cartLines'];
  userCouponId: string | null;
  reservationExpiresAt: string;
}

export const createOrderActivities = (deps: { db: Knex; orderLimits?: OrderLimits }) => {
  const { db } = deps;
  const limits = deps.orderLimits ?? NO_ORDER_LIMITS;
  const orders = createOrderRepository(db);
  const carts = createCartRepository(db);
  const userCoupons = createUserCouponRepository(db);
  const deliveries = createOrderDeliveryRepository(db);

  /**
   * One status move of one order under its row lock; a repeat of the same move is a
   * no-op. `alongside` runs in the same transaction when the move is made.
   */
  async function moveOrder(
    orderId: string,
    to: OrderStatus,
    changes: Parameters<typeof orders.update>[2],
    refusalCode: BusinessErrorCode,
    alongside?: (trx: Knex.Transaction) => Promise<void>,
  ): Promise<Order> {
    return db.transaction(async (trx) => {
      const order = await orders.lock(trx, orderId);
      if (!order) throw refuse(BusinessErrorCode.ORDER_NOT_FOUND, `order ${orderId} does not exist`, { orderId });
      const transition = orderTransition(order.status, to);
      // Paid twice would be paid by two payments: only a retry of the same payment is a no-op.
      const samePayment = changes.paymentKey === undefined || changes.paymentKey === order.paymentKey;
      if (transition === 'already-done' && samePayment) return order;
      if (transition !== 'apply') {
        throw refuse(refusalCode, `order ${orderId} is ${order.status}; it cannot become ${to}`, { orderId, status: order.status });
      }
      const moved = await orders.update(trx, orderId, { ...changes, status: to });
      await alongside?.(trx);
      return moved;
    });
  }

  return {
    /**
     * The order's lines priced from today's catalog: the requested items plus, with
     * `fromCart`, the customer's cart lines; the same option twice is one line.
     */
    async prepareOrder(input: { userId: string; items: OrderLineRequest[]; fromCart: boolean }): Promise<PreparedOrder> {
      const cart = input.fromCart ? await carts.list(input.userId) : [];
      if (input.fromCart && cart.length === 0 && input.items.length === 0) {
        throw refuse(BusinessErrorCode.CART_EMPTY, 'the cart is empty', null);
      }
      const quantities = new Map<string, number>();
      for (const line of [...input.items, ...cart]) {
        const optionId = line.optionId.toLowerCase();
        quantities.set(optionId, (quantities.get(optionId) ?? 0) + line.quantity);
      }
      const snapshots = await findOptionSnapshots(db, [...quantities.keys()]);
      const lines = [...quantities].map(([optionId, quantity]) => {
        const option = snapshots.get(optionId);
        if (!option) throw refuse(BusinessErrorCode.OPTION_NOT_FOUND, `option ${optionId} does not exist`, { optionId });
        return {
          optionId,
          productId: option.productId,
          productName: option.productName,
          optionName: option.optionName,
          unitPrice: unitPrice(option.productPrice, option.additionalPrice),
          quantity,
        };
      });
      const tooBig = orderShapeRefusal(lines, limits);
      if (tooBig) throw refuse(tooBig.code, tooBig.message, tooBig.details);
      return { lines, cartLines: cart.map((c) => ({ id: c.id, quantity: c.quantity })) };
    },

    /**
     * Writes the order as PENDING_PAYMENT in one transaction: applies the coupon (its row
     * locked, so two orders cannot both use it) and marks it used, stores the item
     * snapshots, and removes the cart lines the order used. A retry finds the order it
     * wrote and returns it.
     */
    async recordOrder(input: RecordOrderInput): Promise<OrderSummary> {
      try {
        return await db.transaction(async (trx) => {
          const existing = await orders.find(input.orderId, trx);
          if (existing) return summarise(existing);
          if (limitsHoldings(limits)) {
            const holding = await orders.lockHoldingsOf(trx, input.userId);
            const refusal = holdingRefusal(holding, input.lines.reduce((units, line) => units + line.quantity, 0), limits);
            if (refusal) throw refuse(refusal.code, refusal.message, refusal.details);
          }
          const total = orderTotal(input.lines);
          const coupon = input.userCouponId ? await userCoupons.lockWithTerms(trx, input.userCouponId) : null;
          const pricing = priceOrder(total, coupon && { ...coupon, ...coupon.coupon, discountType: coupon.coupon.discountType as 'FIXED' | 'PERCENTAGE' }, {
            userId: input.userId,
            orderId: input.orderId,
            now: new Date(),
            userCouponId: input.userCouponId,
          });
          if (isRefusal(pricing)) throw refuse(pricing.code, pricing.message, pricing.details);
          if (input.userCouponId) await userCoupons.markUsed(trx, input.userCouponId, input.orderId);
          const order = await orders.insert(
            trx,
            {
              id: input.orderId,
              userId: input.userId,
              idempotencyKey: input.idempotencyKey,
              requestHash: input.requestHash,
              workflowId: input.workflowId,
              ...pricing,
              userCouponId: input.userCouponId,
              reservationExpiresAt: new Date(input.reservationExpiresAt),
            },
            input.lines,
          );
          await carts.takeOut(trx, input.userId, input.cartLines);
          return summarise(order);
        });
      } catch (error) {
        // An overlapping attempt of this activity committed first; the retry returns its order.
        if (isUniqueViolation(error)) throw ApplicationFailure.create({ message: 'order written concurrently; retrying', type: 'ORDER_WRITE_RACE' });
        throw error;
      }
    },

    async findOrder(orderId: string): Promise<OrderSummary | null> {
      const order = await orders.find(orderId);
      return order ? summarise(order) : null;
    },

    /** The reservation timer or the customer closed the order before payment. */
    async closeUnpaidOrder(input: { orderId: string; to: 'EXPIRED' | 'CANCELLED' }): Promise<OrderSummary> {
      return summarise(await moveOrder(input.orderId, input.to, {}, BusinessErrorCode.ORDER_NOT_CANCELLABLE));
    },

    /**
     * The saga's last step: PENDING_PAYMENT -> COMPLETED with the payment, and the order's
     * delivery to the data platform queued in the same transaction (sent later by the
     * delivery Schedule, never on the customer's request path).
     */
    async markOrderPaid(input: { orderId: string; paymentKey: string; paidAt: string; sagaOutcome?: SagaProgress }): Promise<OrderSummary> {
      const order = await moveOrder(
        input.orderId,
        'COMPLETED',
        { paymentKey: input.paymentKey, paidAt: new Date(input.paidAt), sagaOutcome: input.sagaOutcome },
        BusinessErrorCode.ORDER_NOT_PAYABLE,
        (trx) => deliveries.enqueue(trx, input.orderId),
      );
      return summarise(order);
    },

    async markOrderFailed(input: { orderId: string; reason: string; sagaOutcome?: SagaProgress }): Promise<OrderSummary> {
      return summarise(await moveOrder(input.orderId, 'FAILED', { failureReason: input.reason, sagaOutcome: input.sagaOutcome }, BusinessErrorCode.ORDER_NOT_PAYABLE));
    },

    /**
     * Links the order to its running payment saga (GET /orders/:id shows its progress) and
     * to the request that started it (a repeat of that request gets the attempt's outcome).
     */
    async recordPaymentAttempt(input: { orderId: string; sagaWorkflowId: string; requestKey: string }): Promise<void> {
      await orders.update(db, input.orderId, { sagaWorkflowId: input.sagaWorkflowId, paymentRequestKey: input.requestKey });
    },

    /** Mirrors the NeedsAttention search attribute on the order's row (GET /admin/orders). */
    async setNeedsAttention(input: { orderId: string; value: boolean }): Promise<void> {
      await orders.setNeedsAttention(input.orderId, input.value);
    },

    /** Gives the order's coupon back to its customer (only if this order holds it). */
    async restoreCoupon(input: { orderId: string; userCouponId: string }): Promise<{ restored: boolean }> {
      return { restored: await userCoupons.restore(input.userCouponId, input.orderId) };
    },
  };
};

export type OrderActivities = ReturnType<typeof createOrderActivities>;
