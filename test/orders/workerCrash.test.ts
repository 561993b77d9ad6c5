import { completeOrderWorkflowId } from '../../src/contracts/workflowIds';
import { signUpCustomer } from '../support/factories';
import { productWithStock, stockOf } from '../support/catalog';
import { eventually, ledgerOf, orderRow, payOrder, placeOrder } from '../support/orders';
import { killWorker, stackWithWorkerProcesses } from '../support/workerProcess';

describe('a worker killed in the middle of a saga', () => {
  const harness = stackWithWorkerProcesses({ resultTimeoutMs: 110_000 });

  it('is finished by the next worker, with exactly one charge', async () => {
    const { stack } = harness;
    const first = await harness.launch();
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [3]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 2 }] });
    expect(placed.status).toBe(201);
    const orderId: string = placed.body.orderId;

    // The gateway takes 4 s to approve: the worker dies while the charge is in flight.
    const paying = payOrder(stack, customer, orderId, 'tok_slow_4000');
    const saga = stack.client.workflow.getHandle(completeOrderWorkflowId(orderId, 1));
    await eventually(
      async () => {
        try {
          const { raw } = await saga.describe();
          return raw.pendingActivities?.some((a) => a.activityType?.name === 'chargePayment') ? true : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
      'the charge activity to start',
    );
    killWorker(first);

    await harness.launch();
    const paid = await paying;

    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ orderId, status: 'COMPLETED', amount: 2000 });
    expect(await ledgerOf(stack.db, orderId)).toEqual({ charges: 1, refunds: 0, net: 2000 });
    expect((await orderRow(stack.db, orderId)).status).toBe('COMPLETED');
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 3, available: 1, reserved: 0, sold: 2 });
    // The retry reached the gateway with the same key and got the first charge back.
    const [{ count }] = await stack.db('payment_gateway.payments').where({ order_id: orderId }).count<{ count: string }[]>('* as count');
    expect(Number(count)).toBe(1);
  });
});
