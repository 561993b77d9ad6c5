import { startPaymentGatewayProcess, type PaymentGatewayProcess } from '../../src/platform/paymentGatewayProcess';
import { productWithStock, stockOf } from '../support/catalog';
import { testEnvironment } from '../support/environment';
import { signUpCustomer } from '../support/factories';
import { ledgerOf, orderRow, payOrder, placeOrder } from '../support/orders';
import { freePort } from '../support/ports';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * A gateway outage delays a payment and fails nothing: a gateway simulator of this test's
 * own answers every request 503 (failure rate 1) for longer than a charge call's five
 * attempts, then comes back on the same port; the payment, in flight throughout, completes
 * with exactly one charge. (Before, the saga compensated once the five attempts ran out.)
 */
describe('a payment across a gateway outage', () => {
  let stack: TestStack;
  let gateway: PaymentGatewayProcess | undefined;
  let port: number;
  const startGateway = (failureRate: number) => startPaymentGatewayProcess({ databaseUrl: testEnvironment().databaseUrl, port, failureRate, logLevel: 'error' });

  beforeAll(async () => {
    port = await freePort();
    gateway = await startGateway(1);
    stack = await startTestStack({ paymentGatewayUrl: gateway.url, resultTimeoutMs: 90_000 });
  });
  afterAll(async () => {
    await stack?.stop();
    await gateway?.stop();
  });

  it('waits the outage out with the same key and completes, charged once', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [3]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    expect(placed.status).toBe(201);
    const orderId: string = placed.body.orderId;

    const paying = payOrder(stack, customer, orderId, 'tok_visa');
    // Past the charge call's 5 attempts (about 15 s of backoff), where the order used to fail.
    await new Promise((r) => setTimeout(r, 20_000));
    expect((await orderRow(stack.db, orderId)).status).toBe('PENDING_PAYMENT');
    await gateway!.stop();
    gateway = await startGateway(0);

    const paid = await paying;
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ orderId, status: 'COMPLETED' });
    expect(await ledgerOf(stack.db, orderId)).toEqual({ charges: 1, refunds: 0, net: paid.body.amount });
    expect(await stockOf(stack.db, optionId)).toMatchObject({ total: 3, sold: 1, reserved: 0 });
  });
});
