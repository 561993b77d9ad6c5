import { randomUUID } from 'node:crypto';
import { signUpCustomer, signUpCustomers } from '../support/factories';
import { productWithStock, stockOf } from '../support/catalog';
import { ledgerOf, orderRow, payOrder, placeOrder } from '../support/orders';
import { startTestStack, useTestStack } from '../support/stack';

/** Real concurrent requests against real PostgreSQL, Temporal and the gateway; exact counts. */
describe('checkout under concurrent requests', () => {
  const stack = useTestStack();


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
    // Those that came after the answer was stored were replays and say so; those that came
    // while it ran joined the same workflow and are not.
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true').length).toBeLessThan(20);
    const later = await placeOrder(stack, customer, body, key);
    expect({ orderId: later.body.orderId, replayed: later.headers.get('idempotent-replayed') }).toEqual({ orderId: responses[0].body.orderId, replayed: 'true' });
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

  it('30 concurrent payments of one order with different keys charge it once', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    const keys = Array.from({ length: 30 }, () => `pay-${randomUUID()}`);

    const payments = await Promise.all(keys.map((key) => payOrder(stack, customer, placed.body.orderId, 'tok_visa', key)));

    // Every request is either told the order is paid by the one charge, or told nothing
    // happened: at once while the payment runs, refused once the order is paid (409), or,
    // when more requests hit the one order than Temporal takes in flight at once, asked
    // to repeat (409/503).
    const others = payments.filter((p) => p.status !== 200);
    expect(others.filter((p) => !['PAYMENT_IN_PROGRESS', 'ORDER_NOT_PAYABLE', 'SERVICE_UNAVAILABLE'].includes(p.body?.error?.code)).map((p) => p.body)).toEqual([]);

    // Repeating every key, one after the other, converges: the order ends paid once; a key
    // told "paid" is told so again; every other key finds the order paid.
    const repeats = [];
    for (const key of keys) repeats.push(await payOrder(stack, customer, placed.body.orderId, 'tok_visa', key));
    const paid = [...payments, ...repeats].filter((p) => p.status === 200);
    expect(paid.length).toBeGreaterThanOrEqual(1);
    expect(new Set(paid.map((p) => p.body.paymentKey)).size).toBe(1);
    repeats.forEach((repeat, i) => {
      if (payments[i].status === 200) expect(repeat.body).toEqual(payments[i].body);
      else if (repeat.status !== 200) expect(`${repeat.status} ${repeat.body.error?.code}`).toBe('409 ORDER_NOT_PAYABLE');
    });
    expect(await ledgerOf(stack.db, placed.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 1, available: 0, reserved: 0, sold: 1 });
    const [{ count }] = await stack.db('payment_gateway.payments').where({ order_id: placed.body.orderId }).count<{ count: string }[]>('* as count');
    expect(Number(count)).toBe(1);
  });

  it('a repeated payment whose first answer was never stored still gets that payment', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    const key = `pay-${randomUUID()}`;
    const paid = await payOrder(stack, customer, placed.body.orderId, 'tok_visa', key);
    expect(paid.status).toBe(200);
    // As if the API had died between the saga's answer and storing it.
    await stack.db('idempotency_records').where({ user_id: customer.userId, key }).update({ response_status: null, response_body: null });

    const repeated = await payOrder(stack, customer, placed.body.orderId, 'tok_visa', key);

    expect(repeated.status).toBe(200);
    expect(repeated.body).toEqual(paid.body);
    expect(await ledgerOf(stack.db, placed.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });
  });

  it('a refused placement repeated after its answer was lost is refused again, even once stock is back', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const key = `order-${randomUUID()}`;
    const body = { items: [{ productOptionId: optionId, quantity: 2 }] };
    const refused = await placeOrder(stack, customer, body, key);
    expect(refused.status).toBe(409);
    await stack.db('stocks').where({ option_id: optionId }).update({ total: 5, available: 5, version: stack.db.raw('version + 1') });
    await stack.db('idempotency_records').where({ user_id: customer.userId, key }).update({ response_status: null, response_body: null });

    const repeated = await placeOrder(stack, customer, body, key);

    // The closed run's result is the answer: no second run places an order behind a 409.
    expect(repeated.status).toBe(409);
    expect(repeated.body).toEqual(refused.body);
    expect(await countOrders({ user_id: customer.userId })).toBe(0);
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 5, available: 5, reserved: 0, sold: 0 });
  });

  it('a charge the gateway commits only after the first attempts gave up is waited for, not compensated', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });

    // 25 s: longer than the client timeout (10 s) plus all 5 attempts of one charge call.
    const paid = await payOrder(stack, customer, placed.body.orderId, 'tok_slow_25000');

    expect(paid.status).toBe(200);
    expect(await ledgerOf(stack.db, placed.body.orderId)).toEqual({ charges: 1, refunds: 0, net: 1000 });
    expect((await orderRow(stack.db, placed.body.orderId)).status).toBe('COMPLETED');
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

  it('with STOCK_LOCKING=for-update, 30 buyers race for the last 5 units: exactly 5 orders', async () => {
    const locked = await startTestStack({ stockLocking: 'for-update' });
    try {
      const buyers = await Promise.all(Array.from({ length: 30 }, () => signUpCustomer(locked)));
      const [optionId] = await productWithStock(locked.db, [5]);

      const responses = await Promise.all(buyers.map((buyer) => placeOrder(locked, buyer, { items: [{ productOptionId: optionId, quantity: 1 }] })));

      expect(responses.filter((r) => r.status === 201)).toHaveLength(5);
      expect(responses.filter((r) => r.status === 409 && r.body.error.code === 'OUT_OF_STOCK')).toHaveLength(25);
      expect(await stockOf(locked.db, optionId)).toEqual({ total: 5, available: 0, reserved: 5, sold: 0 });
    } finally {
      await locked.stop();
    }
  });
});
