import { productWithStock, stockOf } from '../support/catalog';
import { signUpCustomer } from '../support/factories';
import { gatewayOutage, LONGER_THAN_A_CHARGE_CALL_MS } from '../support/gatewayOutage';
import { ledgerOf, orderRow, payOrder, placeOrder } from '../support/orders';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * A gateway outage delays payments and fails none: a gateway simulator of this test's own
 * answers every request 503 for longer than a charge call's five attempts, then comes back
 * on the same port; the payments, in flight together throughout, all complete, each with
 * exactly one charge. (Before, each saga compensated once its five attempts ran out.)
 */
describe('payments across a gateway outage', () => {
  let stack: TestStack;
  let outage: Awaited<ReturnType<typeof gatewayOutage>>;
  const ORDERS = 8;

  beforeAll(async () => {
    outage = await gatewayOutage();
    stack = await startTestStack({ paymentGatewayUrl: outage.url, resultTimeoutMs: 90_000 });
  });
  afterAll(async () => {
    await stack?.stop();
    await outage?.stop();
  });

  it('wait the outage out with their keys and complete, each charged once', async () => {
    const [optionId] = await productWithStock(stack.db, [ORDERS + 2]);
    const orders = await Promise.all(
      Array.from({ length: ORDERS }, async () => {
        const customer = await signUpCustomer(stack);
        const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
        expect(placed.status).toBe(201);
        return { customer, orderId: placed.body.orderId as string };
      }),
    );

    const paying = Promise.all(orders.map(({ customer, orderId }) => payOrder(stack, customer, orderId, 'tok_visa')));
    await new Promise((r) => setTimeout(r, LONGER_THAN_A_CHARGE_CALL_MS));
    for (const { orderId } of orders) expect((await orderRow(stack.db, orderId)).status).toBe('PENDING_PAYMENT');
    await outage.end();

    const paid = await paying;
    expect(paid.map((p) => p.status)).toEqual(Array(ORDERS).fill(200));
    for (const [i, { orderId }] of orders.entries()) {
      expect(paid[i].body).toMatchObject({ orderId, status: 'COMPLETED' });
      expect(await ledgerOf(stack.db, orderId)).toEqual({ charges: 1, refunds: 0, net: paid[i].body.amount });
    }
    expect(await stockOf(stack.db, optionId)).toMatchObject({ total: ORDERS + 2, sold: ORDERS, reserved: 0, available: 2 });
  });
});
