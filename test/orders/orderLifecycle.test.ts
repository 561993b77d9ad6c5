import { createCoupon, signInAdmin, signUpCustomer, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { productWithStock, stockOf } from '../support/catalog';
import { cancelOrder, couponIsUsed, eventually, getOrder, ledgerOf, orderRow, payOrder, placeOrder } from '../support/orders';
import { useTestStack } from '../support/stack';

/** Expiry and cancellation before payment, with a short reservation timer. */
describe('an order that is not paid', () => {
  const stack = useTestStack({ reservationTtlMs: 3_000 });
  let admin: TestUser;

  beforeAll(async () => {
    admin = await signInAdmin(stack);
  });

  async function placedWithCoupon() {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [4]);
    const coupon = await createCoupon(stack, admin, { discountValue: 300 });
    const claimed = await request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: customer.token });
    const userCouponId: string = claimed.body.userCouponId;
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 3 }], userCouponId });
    expect(placed.status).toBe(201);
    expect(placed.body.finalAmount).toBe(2700);
    return { customer, optionId, userCouponId, orderId: placed.body.orderId as string };
  }

  it('expires when its reservation timer fires: stock released, coupon restored, payment refused', async () => {
    const order = await placedWithCoupon();
    expect(await stockOf(stack.db, order.optionId)).toMatchObject({ available: 1, reserved: 3 });

    await eventually(async () => ((await orderRow(stack.db, order.orderId)).status === 'EXPIRED' ? true : undefined), 30_000, 'EXPIRED');
    await eventually(async () => ((await stockOf(stack.db, order.optionId)).reserved === 0 ? true : undefined), 30_000, 'stock released');
    await eventually(async () => ((await couponIsUsed(stack.db, order.userCouponId)) ? undefined : true), 30_000, 'coupon restored');
    expect(await stockOf(stack.db, order.optionId)).toEqual({ total: 4, available: 4, reserved: 0, sold: 0 });

    const paid = await payOrder(stack, order.customer, order.orderId, 'tok_visa');
    expect(paid.status).toBe(409);
    expect(paid.body.error).toMatchObject({ code: 'ORDER_NOT_PAYABLE', details: { status: 'EXPIRED' } });
    expect(await ledgerOf(stack.db, order.orderId)).toEqual({ charges: 0, refunds: 0, net: 0 });
    expect((await orderRow(stack.db, order.orderId)).paid_at).toBeNull();
  });

  it('is cancelled by its customer: stock released, coupon restored; cancelling again is harmless', async () => {
    const order = await placedWithCoupon();

    const cancelled = await cancelOrder(stack, order.customer, order.orderId);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ orderId: order.orderId, status: 'CANCELLED' });
    // The answer comes once the stock and the coupon are back.
    expect(await couponIsUsed(stack.db, order.userCouponId)).toBe(false);
    expect(await stockOf(stack.db, order.optionId)).toEqual({ total: 4, available: 4, reserved: 0, sold: 0 });

    expect((await cancelOrder(stack, order.customer, order.orderId)).status).toBe(200);
    const paid = await payOrder(stack, order.customer, order.orderId, 'tok_visa');
    expect(paid.status).toBe(409);
    expect(paid.body.error.code).toBe('ORDER_NOT_PAYABLE');
    // The restored coupon works on a new order.
    const again = await placeOrder(stack, order.customer, { items: [{ productOptionId: order.optionId, quantity: 1 }], userCouponId: order.userCouponId });
    expect(again.status).toBe(201);
    expect(again.body.discountAmount).toBe(300);
  });

  it('cannot be cancelled once paid, nor seen or paid by another customer', async () => {
    const customer = await signUpCustomer(stack);
    const stranger = await signUpCustomer(stack, 'stranger');
    const [optionId] = await productWithStock(stack.db, [2]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });

    expect((await getOrder(stack, stranger, placed.body.orderId)).status).toBe(404);
    expect((await payOrder(stack, stranger, placed.body.orderId, 'tok_visa')).status).toBe(404);
    expect((await cancelOrder(stack, stranger, placed.body.orderId)).status).toBe(404);
    expect((await getOrder(stack, admin, placed.body.orderId)).status).toBe(200);

    expect((await payOrder(stack, customer, placed.body.orderId, 'tok_visa')).status).toBe(200);
    const cancelled = await cancelOrder(stack, customer, placed.body.orderId);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.error).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE', details: { status: 'COMPLETED' } });
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 2, available: 1, reserved: 0, sold: 1 });
  });

  it('a payment running when the reservation timer fires completes, and the order never expires', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [2]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });

    // The gateway answers after 5 s; the 3 s timer fires meanwhile. A cancel is refused too.
    const paying = payOrder(stack, customer, placed.body.orderId, 'tok_slow_5000');
    await eventually(async () => ((await orderRow(stack.db, placed.body.orderId)).saga_workflow_id ? true : undefined), 10_000, 'the saga');
    const cancelled = await cancelOrder(stack, customer, placed.body.orderId);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.error).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE', message: 'a payment is in progress' });
    const paid = await paying;

    expect(paid.status).toBe(200);
    const row = await orderRow(stack.db, placed.body.orderId);
    expect(row.status).toBe('COMPLETED');
    expect(Date.parse(row.paid_at)).toBeGreaterThan(Date.parse(placed.body.reservationExpiresAt));
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 2, available: 1, reserved: 0, sold: 1 });
    expect(await ledgerOf(stack.db, placed.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });
    await stack.client.workflow.getHandle(row.workflow_id).result();
    expect((await orderRow(stack.db, placed.body.orderId)).status).toBe('COMPLETED');
  });
});
