import { randomUUID } from 'node:crypto';
import { createCoupon, signInAdmin, signUpCustomer, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { productWithStock, stockOf } from '../support/catalog';
import { couponIsUsed, getOrder, ledgerOf, orderRow, payOrder, placeOrder } from '../support/orders';
import { useTestStack } from '../support/stack';

/** Place and pay over HTTP: real API, Temporal, PostgreSQL and the gateway simulator process. */
describe('checkout', () => {
  const stack = useTestStack();
  let admin: TestUser;

  beforeAll(async () => {
    admin = await signInAdmin(stack);
  });

  async function claimCoupon(user: TestUser, overrides: Parameters<typeof createCoupon>[2] = {}): Promise<string> {
    const coupon = await createCoupon(stack, admin, overrides);
    const claimed = await request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: user.token });
    expect(claimed.status).toBe(201);
    return claimed.body.userCouponId;
  }

  it('places an order, pays it, and ends COMPLETED with the stock sold and one charge', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [5]);
    const userCouponId = await claimCoupon(customer, { discountType: 'PERCENTAGE', discountValue: 10, minOrderAmount: 1000 });

    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 2 }], userCouponId });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'PENDING_PAYMENT', totalAmount: 2000, discountAmount: 200, finalAmount: 1800 });
    expect(Date.parse(placed.body.reservationExpiresAt)).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 5, available: 3, reserved: 2, sold: 0 });
    expect(await couponIsUsed(stack.db, userCouponId)).toBe(true);

    const paid = await payOrder(stack, customer, placed.body.orderId, 'tok_visa');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ orderId: placed.body.orderId, status: 'COMPLETED', amount: 1800 });

    expect(await stockOf(stack.db, optionId)).toEqual({ total: 5, available: 3, reserved: 0, sold: 2 });
    expect(await ledgerOf(stack.db, placed.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1800 });
    const row = await orderRow(stack.db, placed.body.orderId);
    expect(row.status).toBe('COMPLETED');
    expect(row.payment_key).toBe(paid.body.paymentKey);

    const shown = await getOrder(stack, customer, placed.body.orderId);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      status: 'COMPLETED',
      finalAmount: 1800,
      userCouponId,
      payment: { paymentKey: paid.body.paymentKey, amount: 1800 },
      items: [{ productOptionId: optionId, quantity: 2, unitPrice: 1000, lineAmount: 2000 }],
    });
    expect(shown.body.saga.progress).toMatchObject({ state: 'COMPLETED', currentStep: null, completedSteps: ['charge', 'confirmStock', 'completeOrder'] });
    // An ended order's saga is read from its row, not by querying (and so replaying) the closed workflow.
    expect(row.saga_outcome).toMatchObject(shown.body.saga.progress);
    await stack.db('orders')
      .where({ id: placed.body.orderId })
      .update({ saga_outcome: stack.db.raw(`jsonb_set(saga_outcome, '{failureReason}', '"written in the row"')`) });
    expect((await getOrder(stack, customer, placed.body.orderId)).body.saga.progress.failureReason).toBe('written in the row');
  });

  it('keeps a declined order waiting for payment, then takes a good card', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [3]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    expect(placed.status).toBe(201);

    const declined = await payOrder(stack, customer, placed.body.orderId, 'tok_decline');
    expect(declined.status).toBe(402);
    expect(declined.body.error.code).toBe('PAYMENT_DECLINED');
    expect((await orderRow(stack.db, placed.body.orderId)).status).toBe('PENDING_PAYMENT');
    expect(await stockOf(stack.db, optionId)).toMatchObject({ reserved: 1, sold: 0 });

    const paid = await payOrder(stack, customer, placed.body.orderId, 'tok_visa');
    expect(paid.status).toBe(200);
    expect(await ledgerOf(stack.db, placed.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });

    // Paying again, with any key, is refused: at most one successful charge per order.
    const again = await payOrder(stack, customer, placed.body.orderId, 'tok_visa');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ORDER_NOT_PAYABLE');
    expect(await ledgerOf(stack.db, placed.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });
  });

  it('answers a repeated placement and a repeated payment from their first outcome', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [4]);
    const body = { items: [{ productOptionId: optionId, quantity: 1 }] };
    const key = `order-${randomUUID()}`;

    const first = await placeOrder(stack, customer, body, key);
    const second = await placeOrder(stack, customer, body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);

    const reused = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 2 }] }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const payKey = `pay-${randomUUID()}`;
    const paid = await payOrder(stack, customer, first.body.orderId, 'tok_visa', payKey);
    const repaid = await payOrder(stack, customer, first.body.orderId, 'tok_visa', payKey);
    expect(paid.status).toBe(200);
    expect(repaid.status).toBe(200);
    expect(repaid.body).toEqual(paid.body);
    expect(repaid.headers.get('idempotent-replayed')).toBe('true');

    expect(await stack.db('orders').where({ user_id: customer.userId }).count<{ count: string }[]>('* as count')).toEqual([{ count: '1' }]);
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 4, available: 3, reserved: 0, sold: 1 });
    expect(await ledgerOf(stack.db, first.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });
  });

  it('takes the same lines listed in another order as the same request under its key', async () => {
    const customer = await signUpCustomer(stack);
    const [a, b] = await productWithStock(stack.db, [4, 4]);
    const key = `order-${randomUUID()}`;
    const first = await placeOrder(stack, customer, { items: [{ productOptionId: a, quantity: 1 }, { productOptionId: b, quantity: 2 }] }, key);
    const swapped = await placeOrder(stack, customer, { items: [{ productOptionId: b, quantity: 2 }, { productOptionId: a, quantity: 1 }] }, key);
    expect(first.status).toBe(201);
    expect({ status: swapped.status, body: swapped.body, replayed: swapped.headers.get('idempotent-replayed') }).toEqual({ status: 201, body: first.body, replayed: 'true' });
    expect(await stack.db('orders').where({ user_id: customer.userId }).count<{ count: string }[]>('* as count')).toEqual([{ count: '1' }]);
  });
});
