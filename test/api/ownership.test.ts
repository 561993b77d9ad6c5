import { randomUUID } from 'node:crypto';
import { productWithStock, stockOf } from '../support/catalog';
import { createCoupon, mintCustomers, signInAdmin } from '../support/factories';
import { request } from '../support/http';
import { orderRow, placeOrder } from '../support/orders';
import { useTestStack } from '../support/stack';

/**
 * Every resource with an id belongs to its customer: another customer who names it gets
 * 404 (or, for a coupon used in an order, the same answer as for a coupon that does not
 * exist), never sees it in a list, and changes nothing of it.
 */
describe('ownership', () => {
  const stack = useTestStack();

  it('answers another customer 404 for orders, payments, cancellations and cart lines, hides them in lists, and changes nothing', async () => {
    const admin = await signInAdmin(stack);
    const [owner, intruder] = await mintCustomers(stack, 2);
    const [optionId, other] = await productWithStock(stack.db, [10, 10]);
    const coupon = await createCoupon(stack, admin, { totalQuantity: 5 });
    const claimed = await request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: owner.token });
    const line = await request(stack.baseUrl, 'POST', '/api/v1/cart/items', { token: owner.token, body: { productOptionId: other, quantity: 2 } });
    const order = await placeOrder(stack, owner, { items: [{ productOptionId: optionId, quantity: 1 }] });
    expect([claimed.status, line.status, order.status]).toEqual([201, 201, 201]);
    const orderId: string = order.body.orderId;
    const as = (method: string, path: string, body?: unknown) =>
      request(stack.baseUrl, method, path, { token: intruder.token, body, headers: { 'idempotency-key': randomUUID() } });

    const attempts = [
      ['GET', `/api/v1/orders/${orderId}`, undefined, 'ORDER_NOT_FOUND'],
      ['POST', `/api/v1/orders/${orderId}/payment`, { cardToken: 'tok_visa' }, 'ORDER_NOT_FOUND'],
      ['POST', `/api/v1/orders/${orderId}/cancel`, undefined, 'ORDER_NOT_FOUND'],
      ['PATCH', `/api/v1/cart/items/${line.body.id}`, { quantity: 5 }, 'CART_ITEM_NOT_FOUND'],
      ['DELETE', `/api/v1/cart/items/${line.body.id}`, undefined, 'CART_ITEM_NOT_FOUND'],
    ] as const;
    for (const [method, path, body, code] of attempts) {
      const answer = await as(method, path, body);
      expect({ path, method, status: answer.status, code: answer.body.error?.code }).toEqual({ path, method, status: 404, code });
    }
    const withTheirCoupon = await as('POST', '/api/v1/orders', { items: [{ productOptionId: optionId, quantity: 1 }], userCouponId: claimed.body.userCouponId });
    expect({ status: withTheirCoupon.status, reason: withTheirCoupon.body.error.details.reason }).toEqual({ status: 422, reason: 'NOT_FOUND' });

    expect((await as('GET', '/api/v1/orders')).body.items.map((o: { orderId: string }) => o.orderId)).not.toContain(orderId);
    expect((await as('GET', '/api/v1/users/me/coupons')).body.items).toEqual([]);
    expect((await as('GET', '/api/v1/cart')).body.items).toEqual([]);

    // The owner's things are as they were.
    expect((await orderRow(stack.db, orderId)).status).toBe('PENDING_PAYMENT');
    expect(await stockOf(stack.db, optionId)).toMatchObject({ available: 9, reserved: 1 });
    const cart = await request(stack.baseUrl, 'GET', '/api/v1/cart', { token: owner.token });
    expect(cart.body.items.map((i: { quantity: number }) => i.quantity)).toEqual([2]);
    expect((await stack.db('user_coupons').where({ id: claimed.body.userCouponId }).first()).used_at).toBeNull();
  });
});
