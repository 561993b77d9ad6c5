import { randomUUID } from 'node:crypto';
import { signUpCustomer, signUpCustomers } from '../support/factories';
import { productWithStock, stockOf } from '../support/catalog';
import { ledgerOf, payOrder, placeOrder } from '../support/orders';
import { startTestStack, type TestStack } from '../support/stack';

/** Real concurrent requests against real PostgreSQL, Temporal and the gateway; exact counts. */
describe('checkout under concurrent requests', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  const countOrders = async (where: Record<string, unknown>) => {
    const [{ count }] = await stack.db('orders').where(where).count<{ count: string }[]>('* as count');
    return Number(count);
  };

  it('20 concurrent placements with one Idempotency-Key make one order, and all get its answer', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [10]);
    const key = `dup-${randomUUID()}`;
    const body = { items: [{ productOptionId: optionId, quantity: 3 }] };

    const responses = await Promise.all(Array.from({ length: 20 }, () => placeOrder(stack, customer, body, key)));

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(responses.map((r) => r.body.orderId)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await countOrders({ user_id: customer.userId })).toBe(1);
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 10, available: 7, reserved: 3, sold: 0 });
    const [{ count }] = await stack.db('stock_reservations').where({ option_id: optionId }).count<{ count: string }[]>('* as count');
    expect(Number(count)).toBe(1);
  });

  it('30 buyers with their own keys race for the last 5 units: exactly 5 orders, 25 OUT_OF_STOCK', async () => {
    const buyers = await signUpCustomers(stack, 30);
    const [optionId] = await productWithStock(stack.db, [5]);

    const responses = await Promise.all(buyers.map((buyer) => placeOrder(stack, buyer, { items: [{ productOptionId: optionId, quantity: 1 }] })));

    const placed = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 409);
    expect(placed).toHaveLength(5);
    expect(refused).toHaveLength(25);
    expect(refused.every((r) => r.body.error.code === 'OUT_OF_STOCK' && r.body.error.details.optionId === optionId)).toBe(true);
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 5, available: 0, reserved: 5, sold: 0 });

    // ...and all five pay at once: five charges, five units sold.
    const winners = placed.map((r) => ({ orderId: r.body.orderId as string, buyer: buyers[responses.indexOf(r)] }));
    const payments = await Promise.all(winners.map((w) => payOrder(stack, w.buyer, w.orderId, 'tok_visa')));
    expect(payments.map((p) => p.status)).toEqual(Array(5).fill(200));
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 5, available: 0, reserved: 0, sold: 5 });
    for (const w of winners) expect(await ledgerOf(stack.db, w.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });
  });

  it('10 concurrent payments of one order with different keys charge it once', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });

    const payments = await Promise.all(Array.from({ length: 10 }, () => payOrder(stack, customer, placed.body.orderId, 'tok_visa')));

    const statuses = payments.map((p) => p.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    expect(payments.filter((p) => p.status === 409).every((p) => p.body.error.code === 'ORDER_NOT_PAYABLE')).toBe(true);
    expect(await ledgerOf(stack.db, placed.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 1, available: 0, reserved: 0, sold: 1 });
  });

  it('a charge whose response the gateway drops is found by the retry with the same key: one charge', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });

    const paid = await payOrder(stack, customer, placed.body.orderId, 'tok_drop');

    expect(paid.status).toBe(200);
    expect(await ledgerOf(stack.db, placed.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });
    const [payment] = await stack.db('payment_gateway.payments').where({ order_id: placed.body.orderId });
    expect(paid.body.paymentKey).toBe(payment.payment_key);
  });
});
