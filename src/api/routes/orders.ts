import type { Principal } from '../../auth/tokens';
import { createOrderRepository, type Order } from '../../db/repositories/orders';
import { refusalError } from '../../domain/errors';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { createIdempotentAnswers, hashRequest, idempotencyHeaders } from '../idempotency';
import { defineRoute } from '../route';
import { idParams, pageBody } from '../schemas';
import {
  adminOrderPageSchema,
  adminOrdersQuery,
  listOrdersQuery,
  orderPageSchema,
  orderSchema,
  orderSummarySchema,
  paidOrderSchema,
  payOrderBody,
  placeOrderBody,
  presentListed,
  presentAdminOrder,
  presentOrder,
} from './orders.schemas';

export const orderRoutes = (deps: AppDeps) => {
  const orders = createOrderRepository(deps.db);
  const answers = createIdempotentAnswers(deps.db);

  const notFound = (orderId: string) => new ApiError('ORDER_NOT_FOUND', `order ${orderId} does not exist`, { orderId });
  /** Its customer, or an admin. Anyone else learns nothing: the order "does not exist" (404). */
  const mayAct = (order: Order | undefined, principal: Principal, ownerOnly: boolean): order is Order =>
    !!order && (order.userId === principal.userId || (!ownerOnly && principal.role === 'admin'));

  async function visibleOrder(orderId: string, principal: Principal, ownerOnly = false): Promise<Order> {
    const order = await orders.find(orderId);
    if (!mayAct(order, principal, ownerOnly)) throw notFound(orderId);
    return order;
  }

  return [
    defineRoute({
      method: 'post',
      path: '/orders',
      operationId: 'placeOrder',
      summary: 'Place an order: reserve its stock, apply a coupon, hold it for payment (idempotent per Idempotency-Key)',
      description:
        'Places an order from the given items (and a coupon the customer holds): the stock is reserved until reservationExpiresAt, then released if the order is not paid. The Idempotency-Key names the order: a retry with the same key and body answers the same order.',
      tag: 'orders',
      access: 'customer',
      headers: idempotencyHeaders,
      body: placeOrderBody,
      success: { status: 201, description: 'The order, waiting for payment until reservationExpiresAt', schema: orderSummarySchema },
      errors: [
        'VALIDATION_FAILED',
        'UNAUTHORIZED',
        'FORBIDDEN',
        'OPTION_NOT_FOUND',
        'OUT_OF_STOCK',
        'CART_EMPTY',
        'COUPON_NOT_USABLE',
        'COUPON_MIN_ORDER_NOT_MET',
        'DISCOUNT_EXCEEDS_TOTAL',
        'ORDER_TOO_LARGE',
        'ORDER_LIMIT_EXCEEDED',
        'CUSTOMER_HOLD_LIMIT',
        'ORDER_NOT_PLACED',
        'IDEMPOTENCY_KEY_REUSED',
        'SERVICE_UNAVAILABLE',
      ],
      async handle({ headers, body, principal, res }) {
        const key = headers['idempotency-key'];
        // The request's meaning, normalised: the same order asked twice hashes the same.
        const request = {
          items: (body.items ?? []).map((i) => ({ optionId: i.productOptionId, quantity: i.quantity })),
          fromCart: body.fromCart === true,
          userCouponId: body.userCouponId ?? null,
        };
        // Its identity ignores the order the lines were listed in: the same items in another
        // order are the same request, not a reuse of the key.
        const identity = { ...request, items: [...request.items].sort((a, b) => a.optionId.localeCompare(b.optionId) || a.quantity - b.quantity) };
        const requestHash = hashRequest(identity);
        return answers.answer({ userId: principal.userId, scope: 'place-order', key }, identity, res, 201, async () =>
          deps.checkout.place({ userId: principal.userId, idempotencyKey: key, requestHash, ...request }),
        );
      },
    }),
    defineRoute({
      method: 'post',
      path: '/orders/:id/payment',
      operationId: 'payOrder',
      summary: 'Pay an order: runs the CompleteOrder saga (charge, confirm stock, complete); idempotent per Idempotency-Key',
      description:
        'Pays a placed order with a card token: the CompleteOrder saga charges it, confirms the stock and completes the order, and on a failure gives everything back. A retry with the same Idempotency-Key never charges twice.',
      tag: 'orders',
      access: 'customer',
      params: idParams,
      headers: idempotencyHeaders,
      body: payOrderBody,
      success: { status: 200, description: 'The order is paid and COMPLETED', schema: paidOrderSchema },
      errors: [
        'VALIDATION_FAILED',
        'UNAUTHORIZED',
        'FORBIDDEN',
        'ORDER_NOT_FOUND',
        'PAYMENT_DECLINED',
        'ORDER_NOT_PAYABLE',
        'ORDER_FAILED',
        'PAYMENT_IN_PROGRESS',
        'IDEMPOTENCY_KEY_REUSED',
        'SERVICE_UNAVAILABLE',
      ],
      async handle({ params, headers, body, principal, res }) {
        const order = await visibleOrder(params.id, principal, true);
        const key = headers['idempotency-key'];
        return answers.answer({ userId: principal.userId, scope: `pay-order:${order.id}`, key }, body, res, 200, async () =>
          deps.checkout.pay(order, key, body.cardToken),
        );
      },
    }),
    defineRoute({
      method: 'post',
      path: '/orders/:id/cancel',
      operationId: 'cancelOrder',
      summary: 'Cancel an order before payment: its stock and coupon are given back',
      description:
        'Cancels an order that is not paid yet; its stock and coupon are given back. Cancelling a cancelled order answers it again.',
      tag: 'orders',
      access: 'authenticated',
      params: idParams,
      success: { status: 200, description: 'The order, CANCELLED (repeating the call is harmless)', schema: orderSummarySchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'ORDER_NOT_FOUND', 'ORDER_NOT_CANCELLABLE', 'SERVICE_UNAVAILABLE'],
      async handle({ params, principal }) {
        const answer = await deps.checkout.cancel(await visibleOrder(params.id, principal));
        if (!answer.ok) throw refusalError(answer.refusal);
        return answer.value;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/orders/:id',
      operationId: 'getOrder',
      summary: 'An order: status, items, amounts, payment and the progress of its payment saga',
      description:
        "One of the signed-in customer's orders, with the progress of its payment saga. Another customer's order answers 404.",
      tag: 'orders',
      access: 'authenticated',
      params: idParams,
      success: { status: 200, description: 'The order', schema: orderSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'ORDER_NOT_FOUND'],
      async handle({ params, principal }) {
        const order = await orders.findWithItems(params.id);
        if (!mayAct(order, principal, false)) throw notFound(params.id);
        const progress = await deps.orderWorkflows.sagaProgress(order);
        return presentOrder(order, progress);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/orders',
      operationId: 'listOrders',
      summary: "The signed-in customer's orders, newest first",
      description:
        "The signed-in customer's orders, newest first, a page at a time (page and limit).",
      tag: 'orders',
      access: 'customer',
      query: listOrdersQuery,
      success: { status: 200, description: 'A page of orders', schema: orderPageSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN'],
      async handle({ query, principal }) {
        const { orders: page, total } = await orders.listForUser(principal.userId, query);
        return pageBody(page.map(presentListed), total, query);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/admin/orders',
      operationId: 'listAllOrders',
      summary: "Every customer's orders for ops, by state and by whether a compensation keeps failing (from PostgreSQL, so current)",
      description:
        "Admin only. Every customer's orders, filtered by state and by NeedsAttention (a compensation keeps failing), read from PostgreSQL.",
      tag: 'admin',
      access: 'admin',
      query: adminOrdersQuery,
      success: { status: 200, description: 'A page of orders, newest first', schema: adminOrderPageSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN'],
      async handle({ query }) {
        const { orders: page, total } = await orders.listAll({ status: query.state, needsAttention: query.needsAttention, page: query.page, limit: query.limit });
        return pageBody(page.map(presentAdminOrder), total, query);
      },
    }),
  ];
};
