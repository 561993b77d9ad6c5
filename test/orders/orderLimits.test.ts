import { randomUUID } from 'node:crypto';
import { productWithStock, stockOf } from '../support/catalog';
import { mintCustomers } from '../support/factories';
import { request } from '../support/http';
import { cancelOrder, placeOrder } from '../support/orders';
import { useTestStack } from '../support/stack';

/**
 * One account cannot hold a sale's stock: a line, an order and a customer's unpaid
 * orders have limits, enforced by the worker's activities (the line and order sizes
 * when the order is priced, the holdings under the customer's row lock when it is
 * written), so concurrent placements with fresh keys cannot pass them either. A refused
 * placement holds nothing afterwards.
 */
describe('what one customer may hold', () => {
  const stack = useTestStack({ orderLimits: { maxUnitsPerLine: 3, maxLines: 2, maxPendingOrders: 2, maxReservedUnits: 5 } });
  const refusal = (answer: { status: number; body: any }) => ({ status: answer.status, code: answer.body.error?.code, limit: answer.body.error?.details?.limit });

  it('refuses an order line or an order over its size, including a line the cart makes too big, and holds nothing for it', async () => {
    const [a, b, c] = await productWithStock(stack.db, [20, 20, 20]);
    const [customer] = await mintCustomers(stack, 1);
    expect(refusal(await placeOrder(stack, customer, { items: [{ productOptionId: a, quantity: 4 }] }))).toEqual({ status: 422, code: 'ORDER_LIMIT_EXCEEDED', limit: 'maxUnitsPerLine' });
    const threeLines = [a, b, c].map((productOptionId) => ({ productOptionId, quantity: 1 }));
    expect(refusal(await placeOrder(stack, customer, { items: threeLines }))).toEqual({ status: 422, code: 'ORDER_LIMIT_EXCEEDED', limit: 'maxLines' });
    expect((await request(stack.baseUrl, 'POST', '/api/v1/cart/items', { token: customer.token, body: { productOptionId: a, quantity: 2 } })).status).toBe(201);
    expect(refusal(await placeOrder(stack, customer, { items: [{ productOptionId: a, quantity: 2 }], fromCart: true }))).toEqual({ status: 422, code: 'ORDER_LIMIT_EXCEEDED', limit: 'maxUnitsPerLine' });
    for (const option of [a, b, c]) expect(await stockOf(stack.db, option)).toEqual({ total: 20, available: 20, reserved: 0, sold: 0 });
    expect(await stack.db('orders').where({ user_id: customer.userId }).count<{ count: string }[]>('* as count')).toEqual([{ count: '0' }]);
  });

  it('lets ten concurrent placements of one customer with fresh keys through exactly up to its unpaid-order limit', async () => {
    const [option] = await productWithStock(stack.db, [50]);
    const [greedy, other] = await mintCustomers(stack, 2);
    const answers = await Promise.all(Array.from({ length: 10 }, () => placeOrder(stack, greedy, { items: [{ productOptionId: option, quantity: 1 }] }, randomUUID())));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(2);
    expect(answers.filter((a) => a.status !== 201).map(refusal)).toEqual(Array(8).fill({ status: 409, code: 'CUSTOMER_HOLD_LIMIT', limit: 'maxPendingOrders' }));
    expect(await stockOf(stack.db, option)).toEqual({ total: 50, available: 48, reserved: 2, sold: 0 });
    // Another customer is not held back by it.
    expect((await placeOrder(stack, other, { items: [{ productOptionId: option, quantity: 3 }] })).status).toBe(201);
  });

  it('counts the units its unpaid orders hold, and makes room when one is cancelled', async () => {
    const [option] = await productWithStock(stack.db, [50]);
    const [customer] = await mintCustomers(stack, 1);
    const first = await placeOrder(stack, customer, { items: [{ productOptionId: option, quantity: 3 }] });
    expect(first.status).toBe(201);
    expect(refusal(await placeOrder(stack, customer, { items: [{ productOptionId: option, quantity: 3 }] }))).toEqual({ status: 409, code: 'CUSTOMER_HOLD_LIMIT', limit: 'maxReservedUnits' });
    expect((await cancelOrder(stack, customer, first.body.orderId)).status).toBe(200);
    expect((await placeOrder(stack, customer, { items: [{ productOptionId: option, quantity: 3 }] })).status).toBe(201);
    expect(await stockOf(stack.db, option)).toEqual({ total: 50, available: 47, reserved: 3, sold: 0 });
  });
});
