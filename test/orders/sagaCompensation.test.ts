import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { completeOrderWorkflowId } from '../../src/contracts/workflowIds';
import { sagaProgressQuery } from '../../src/contracts/orderMessages';
import { NeedsAttentionAttribute } from '../../src/temporal/searchAttributes';
import { createCoupon, signInAdmin, signUpCustomer, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { productWithStock, stockOf } from '../support/catalog';
import { couponIsUsed, eventually, getOrder, ledgerOf, orderRow, payOrder, placeOrder } from '../support/orders';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * A saga step fails -> exactly the compensations registered before it run, in reverse:
 * the money goes back, the stock goes back, the coupon goes back, the order is FAILED,
 * and the saga workflow itself ends Failed so ops see it. The gateway, PostgreSQL and
 * Temporal are real; where a failure cannot be provoked through data (confirm,
 * complete), the worker's activity of that step is replaced by one that fails.
 */
const injectedFailure = (step: string) => async () => {
  throw ApplicationFailure.create({ type: 'INJECTED_FAILURE', message: `${step} failed (injected by the test)`, nonRetryable: true });
};

describe('CompleteOrder saga compensation', () => {
  const stacks: TestStack[] = [];
  afterAll(() => Promise.all(stacks.map((s) => s.stop())));

  async function stackWith(overrides: Parameters<typeof startTestStack>[0] = {}) {
    const stack = await startTestStack(overrides);
    stacks.push(stack);
    return { stack, admin: await signInAdmin(stack) };
  }

  /** A customer with a 500-off coupon and a placed order for 2 units of a 5-unit option. */
  async function placedOrder(stack: TestStack, admin: TestUser) {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [5]);
    const coupon = await createCoupon(stack, admin, { discountType: 'FIXED', discountValue: 500 });
    const claimed = await request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: customer.token });
    const userCouponId: string = claimed.body.userCouponId;
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 2 }], userCouponId });
    expect(placed.status).toBe(201);
    return { customer, optionId, userCouponId, orderId: placed.body.orderId as string };
  }

  async function expectCompensated(stack: TestStack, order: Awaited<ReturnType<typeof placedOrder>>, failedStep: string) {
    expect(await stockOf(stack.db, order.optionId)).toEqual({ total: 5, available: 5, reserved: 0, sold: 0 });
    expect(await couponIsUsed(stack.db, order.userCouponId)).toBe(false);
    const row = await orderRow(stack.db, order.orderId);
    expect(row.status).toBe('FAILED');
    expect(row.failure_reason).toContain(`${failedStep} failed`);
    expect(row.paid_at).toBeNull();
    // The saga is Failed in Temporal (what ops filter on), after compensating.
    const saga = stack.client.workflow.getHandle(completeOrderWorkflowId(order.orderId, 1));
    await expect(saga.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await saga.describe()).status.name).toBe('FAILED');
    return saga;
  }

  it('charge fails (the gateway answers 500 for longer than a payment waits it out): stock and coupon go back, nothing is charged', async () => {
    const { stack, admin } = await stackWith({ gatewayOutageBudgetMs: 1_000 });
    const order = await placedOrder(stack, admin);

    const paid = await payOrder(stack, order.customer, order.orderId, 'tok_error');

    expect(paid.status).toBe(409);
    expect(paid.body.error.code).toBe('ORDER_FAILED');
    const saga = await expectCompensated(stack, order, 'charge');
    expect(await ledgerOf(stack.db, order.orderId)).toEqual({ charges: 0, refunds: 0, net: 0 });
    const progress = await saga.query(sagaProgressQuery);
    expect(progress).toMatchObject({ state: 'COMPENSATED', failedStep: 'charge', completedSteps: [] });
    expect(progress.compensations.map((c) => c.name)).toEqual(['refundPayment', 'releaseStock', 'restoreCoupon']);
    expect(progress.compensations.every((c) => c.state === 'DONE')).toBe(true);
  });

  it('confirm fails after the charge: refunded, stock released, coupon restored', async () => {
    const { stack, admin } = await stackWith({ activityOverrides: { confirmStock: injectedFailure('confirmStock') } });
    const order = await placedOrder(stack, admin);

    const paid = await payOrder(stack, order.customer, order.orderId, 'tok_visa');

    expect(paid.status).toBe(409);
    expect(paid.body.error.code).toBe('ORDER_FAILED');
    const saga = await expectCompensated(stack, order, 'confirmStock');
    expect(await ledgerOf(stack.db, order.orderId)).toEqual({ charges: 1, refunds: 1, net: 0 });
    const progress = await saga.query(sagaProgressQuery);
    expect(progress).toMatchObject({ failedStep: 'confirmStock', completedSteps: ['charge'] });
    expect(progress.compensations.map((c) => c.name)).toEqual(['returnStock', 'refundPayment', 'releaseStock', 'restoreCoupon']);
  });

  it('completing the order fails after the stock was sold: sold units return, refunded, coupon restored', async () => {
    const { stack, admin } = await stackWith({ activityOverrides: { markOrderPaid: injectedFailure('markOrderPaid') } });
    const order = await placedOrder(stack, admin);

    const paid = await payOrder(stack, order.customer, order.orderId, 'tok_visa');

    expect(paid.status).toBe(409);
    const saga = await expectCompensated(stack, order, 'completeOrder');
    expect(await ledgerOf(stack.db, order.orderId)).toEqual({ charges: 1, refunds: 1, net: 0 });
    expect((await stack.db('stock_orders').where({ order_id: order.orderId }).first()).state).toBe('RETURNED');
    const progress = await saga.query(sagaProgressQuery);
    expect(progress).toMatchObject({ failedStep: 'completeOrder', completedSteps: ['charge', 'confirmStock'] });

    const shown = await getOrder(stack, order.customer, order.orderId);
    expect(shown.body).toMatchObject({ status: 'FAILED', payment: null });
    expect(shown.body.saga.progress).toMatchObject({ state: 'COMPENSATED', failedStep: 'completeOrder' });
  });

  it('a refund failing 5 times still ends compensated, with NeedsAttention set meanwhile', async () => {
    const { stack, admin } = await stackWith({ activityOverrides: { confirmStock: injectedFailure('confirmStock') } });
    const order = await placedOrder(stack, admin);
    const saga = stack.client.workflow.getHandle(completeOrderWorkflowId(order.orderId, 1));

    const paying = payOrder(stack, order.customer, order.orderId, 'tok_refund_error_5');
    const flagged = await eventually(async () => {
      try {
        const { typedSearchAttributes } = await saga.describe();
        return typedSearchAttributes.get(NeedsAttentionAttribute) === true ? true : undefined;
      } catch {
        return undefined; // not started yet
      }
    }, 60_000, 'NeedsAttention = true on the saga');
    expect(flagged).toBe(true);
    // Ops see it from PostgreSQL too, at once (search attributes are eventually consistent).
    const attention = async (value: string) =>
      (await request(stack.baseUrl, 'GET', `/api/v1/admin/orders?needsAttention=${value}&limit=100`, { token: admin.token })).body.items.map(
        (o: { orderId: string }) => o.orderId,
      );
    await eventually(async () => ((await attention('true')).includes(order.orderId) ? true : undefined), 30_000, 'the admin list');

    const paid = await paying;
    expect(paid.status).toBe(409);
    await expectCompensated(stack, order, 'confirmStock');
    expect(await ledgerOf(stack.db, order.orderId)).toEqual({ charges: 1, refunds: 1, net: 0 });
    const progress = await saga.query(sagaProgressQuery);
    expect(progress.compensations.find((c) => c.name === 'refundPayment')).toMatchObject({ state: 'DONE', failedRounds: 1 });
    // Cleared once every compensation succeeded: nothing is left for ops to do.
    expect((await saga.describe()).typedSearchAttributes.get(NeedsAttentionAttribute)).toBe(false);
    expect(await attention('true')).not.toContain(order.orderId);
    expect(await attention('false')).toContain(order.orderId);
    const failed = await request(stack.baseUrl, 'GET', '/api/v1/admin/orders?state=FAILED&limit=100', { token: admin.token });
    expect(failed.body.items.find((o: { orderId: string }) => o.orderId === order.orderId)).toMatchObject({
      status: 'FAILED',
      needsAttention: false,
      sagaWorkflowId: completeOrderWorkflowId(order.orderId, 1),
    });
    expect((await request(stack.baseUrl, 'GET', '/api/v1/admin/orders?needsAttention=maybe', { token: admin.token })).status).toBe(400);
    expect((await request(stack.baseUrl, 'GET', '/api/v1/admin/orders', { token: order.customer.token })).status).toBe(403);
    const refundAttempts = await stack.db('payment_gateway.payments').where({ order_id: order.orderId }).first();
    expect(refundAttempts.refund_failures_remaining).toBe(0);
  });

  it('a saga terminated mid-way is compensated by its order workflow', async () => {
    // confirmStock stalls, so the saga can be terminated after the charge.
    const stall = async () => new Promise((resolve) => setTimeout(resolve, 15_000));
    const { stack, admin } = await stackWith({ activityOverrides: { confirmStock: stall } });
    const order = await placedOrder(stack, admin);
    const saga = stack.client.workflow.getHandle(completeOrderWorkflowId(order.orderId, 1));

    const paying = payOrder(stack, order.customer, order.orderId, 'tok_visa');
    await eventually(async () => ((await ledgerOf(stack.db, order.orderId)).charges === 1 ? true : undefined), 30_000, 'the charge');
    // confirmStock is a local activity: it shows in the saga's progress, not as a pending activity.
    await eventually(async () => ((await saga.query(sagaProgressQuery)).currentStep === 'confirmStock' ? true : undefined), 30_000, 'confirmStock to start');
    await saga.terminate('an operator terminated the saga (what the runbook says never to do)');
    const paid = await paying;

    expect(paid.status).toBe(409);
    expect(paid.body.error.code).toBe('ORDER_FAILED');
    expect(await stockOf(stack.db, order.optionId)).toEqual({ total: 5, available: 5, reserved: 0, sold: 0 });
    expect(await couponIsUsed(stack.db, order.userCouponId)).toBe(false);
    expect(await ledgerOf(stack.db, order.orderId)).toEqual({ charges: 1, refunds: 1, net: 0 });
    const row = await orderRow(stack.db, order.orderId);
    expect(row.status).toBe('FAILED');
    expect(row.failure_reason).toContain('ended abnormally');
  });
});
