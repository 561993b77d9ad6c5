import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import { completeOrderWorkflowId, couponIssuerWorkflowId, orderWorkflowId, releaseOrphanWorkflowId } from '../../src/contracts/workflowIds';
import { createCouponIssuer } from '../../src/orchestration/couponIssuer';
import { productWithStock } from '../support/catalog';
import { createCoupon, signInAdmin, signUpCustomer } from '../support/factories';
import { cancelOrder, eventually, orderRow, payOrder, placeOrder } from '../support/orders';
import { testEnvironment } from '../support/environment';
import { gatewayOutage, LONGER_THAN_A_CHARGE_CALL_MS } from '../support/gatewayOutage';
import { freePort } from '../../src/platform/ports';
import { defaultDelivery } from '../support/schedules';
import { startTestStack, testGateway, useTestStack } from '../support/stack';

/**
 * Records the histories that test/replay/*.test.ts replays. Not part of `npm test`:
 * run `npm run histories:record` after a deliberate, versioned workflow change, and
 * commit the new files beside the old ones (old histories must keep replaying).
 */
const dir = path.join(__dirname, 'histories');

describe('record workflow histories', () => {
  // A gateway answering 500 fails its payment after a second rather than 5 minutes.
  const stack = useTestStack({ gatewayOutageBudgetMs: 1_000 });

  const save = async (name: string, workflowId: string, runId?: string) => {
    // The CLI writes the canonical proto-JSON history, the format replay reads.
    const env = testEnvironment();
    const { stdout } = await promisify(execFile)(env.temporalCliPath, [
      'workflow', 'show', '--workflow-id', workflowId, ...(runId ? ['--run-id', runId] : []), '--address', env.temporalAddress, '--namespace', env.namespace,
      '--output', 'json',
    ]);
    await fs.writeFile(path.join(dir, `${name}.json`), JSON.stringify(JSON.parse(stdout), null, 2) + '\n');
  };

  it('records couponIssuer: a rush that sells out and closes idle; a run that continues as new, and the next run', async () => {
    // Histories of the retired per-claim issueCoupon workflow stay as they were recorded.
    const admin = await signInAdmin(stack);
    const coupon = await createCoupon(stack, admin, { totalQuantity: 3 });
    const customers = await Promise.all(Array.from({ length: 5 }, () => signUpCustomer(stack)));
    // Sent straight to an issuer of tiny runs: the API's read would refuse some claims
    // before the issuer, and these histories must show the issuer's own answers.
    const issuer = createCouponIssuer(stack.client, stack.taskQueue, { resultTimeoutMs: 60_000, run: { idleTimeoutMs: 2_000 } });
    const claim = (couponId: string, userId: string) => issuer.claim({ couponId, userId }).then(({ outcome }) => (outcome.kind === 'issued' ? 'ISSUED' : outcome.refusal.code));
    const answers = await Promise.all([...customers, customers[0]].map((c) => claim(coupon.id, c.userId)));
    expect(answers.filter((a) => a === 'ISSUED')).toHaveLength(3);
    expect(answers.filter((a) => a === 'SOLD_OUT' || a === 'ALREADY_ISSUED')).toHaveLength(3);
    const idle = stack.client.workflow.getHandle(couponIssuerWorkflowId(coupon.id));
    await idle.result();
    await save('couponIssuer-rush-then-idle', couponIssuerWorkflowId(coupon.id));

    const handing = createCouponIssuer(stack.client, stack.taskQueue, { resultTimeoutMs: 60_000, run: { claimsPerRun: 3, idleTimeoutMs: 2_000 } });
    const second = await createCoupon(stack, admin, { totalQuantity: 10 });
    const firstRunId = (await handing.claim({ couponId: second.id, userId: customers[0].userId }).then(() => stack.client.workflow.getHandle(couponIssuerWorkflowId(second.id)).describe())).runId;
    for (const c of customers.slice(1)) await handing.claim({ couponId: second.id, userId: c.userId });
    const chained = stack.client.workflow.getHandle(couponIssuerWorkflowId(second.id));
    await chained.result();
    await save('couponIssuer-continued-as-new', couponIssuerWorkflowId(second.id), firstRunId);
    await save('couponIssuer-after-continue-as-new', couponIssuerWorkflowId(second.id));
  });

  it('records placeOrder and completeOrder: paid after a decline, refused, cancelled, expired, compensated', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [2]);
    const line = { items: [{ productOptionId: optionId, quantity: 1 }] };
    const workflowOf = (key: string) => orderWorkflowId(customer.userId, key);

    const paid = await placeOrder(stack, customer, line, 'record-paid');
    expect((await payOrder(stack, customer, paid.body.orderId, 'tok_decline')).status).toBe(402);
    expect((await payOrder(stack, customer, paid.body.orderId, 'tok_visa')).status).toBe(200);
    await stack.client.workflow.getHandle(workflowOf('record-paid')).result();
    await save('placeOrder-paid-after-decline', workflowOf('record-paid'));
    await save('completeOrder-declined', completeOrderWorkflowId(paid.body.orderId, 1));
    await save('completeOrder-paid', completeOrderWorkflowId(paid.body.orderId, 2));

    const cancelled = await placeOrder(stack, customer, line, 'record-cancelled');
    expect((await cancelOrder(stack, customer, cancelled.body.orderId)).status).toBe(200);
    await stack.client.workflow.getHandle(workflowOf('record-cancelled')).result();
    await save('placeOrder-cancelled', workflowOf('record-cancelled'));

    expect((await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 5 }] }, 'record-refused')).status).toBe(409);
    await save('placeOrder-out-of-stock', workflowOf('record-refused'));

    const shortLived = await startTestStack({ reservationTtlMs: 1_000 });
    try {
      // Each stack signs its own tokens: a customer of its own.
      const late = await signUpCustomer(shortLived);
      const expiring = await placeOrder(shortLived, late, line, 'record-expired');
      await eventually(async () => ((await orderRow(stack.db, expiring.body.orderId)).status === 'EXPIRED' ? true : undefined));
      await shortLived.client.workflow.getHandle(orderWorkflowId(late.userId, 'record-expired')).result();
      await save('placeOrder-expired', orderWorkflowId(late.userId, 'record-expired'));
    } finally {
      await shortLived.stop();
    }

    // The charge step fails (the gateway answers 500 until the attempts run out).
    const gatewayDown = await placeOrder(stack, customer, line, 'record-charge-failed');
    expect((await payOrder(stack, customer, gatewayDown.body.orderId, 'tok_error')).status).toBe(409);
    await save('completeOrder-charge-failed', completeOrderWorkflowId(gatewayDown.body.orderId, 1));

    const completing = await startTestStack({
      activityOverrides: {
        markOrderPaid: async () => {
          throw ApplicationFailure.create({ type: 'INJECTED_FAILURE', message: 'complete failed (recording)', nonRetryable: true });
        },
      },
    });
    try {
      const buyer = await signUpCustomer(completing);
      const sold = await placeOrder(completing, buyer, line, 'record-complete-failed');
      expect((await payOrder(completing, buyer, sold.body.orderId, 'tok_visa')).status).toBe(409);
      await save('completeOrder-complete-failed', completeOrderWorkflowId(sold.body.orderId, 1));
    } finally {
      await completing.stop();
    }

    const failing = await startTestStack({
      activityOverrides: {
        confirmStock: async () => {
          throw ApplicationFailure.create({ type: 'INJECTED_FAILURE', message: 'confirm failed (recording)', nonRetryable: true });
        },
      },
    });
    try {
      const unlucky = await signUpCustomer(failing);
      const failed = await placeOrder(failing, unlucky, line, 'record-failed');
      // The refund fails 4 times first: the history shows a compensation's retry rounds.
      expect((await payOrder(failing, unlucky, failed.body.orderId, 'tok_refund_error_4')).status).toBe(409);
      await failing.client.workflow.getHandle(orderWorkflowId(unlucky.userId, 'record-failed')).result();
      await save('placeOrder-payment-failed', orderWorkflowId(unlucky.userId, 'record-failed'));
      await save('completeOrder-compensated-after-retries', completeOrderWorkflowId(failed.body.orderId, 1));
    } finally {
      await failing.stop();
    }
  });

  it('records a payment that waited out a gateway outage (the charge-waits-out-gateway-outages patch)', async () => {
    const outage = await gatewayOutage();
    const waiting = await startTestStack({ paymentGatewayUrl: outage.url, resultTimeoutMs: 90_000 });
    try {
      const buyer = await signUpCustomer(waiting);
      const [optionId] = await productWithStock(waiting.db, [1]);
      const placed = await placeOrder(waiting, buyer, { items: [{ productOptionId: optionId, quantity: 1 }] }, 'record-outage');
      const paying = payOrder(waiting, buyer, placed.body.orderId, 'tok_visa');
      await new Promise((r) => setTimeout(r, LONGER_THAN_A_CHARGE_CALL_MS));
      await outage.end();
      expect((await paying).status).toBe(200);
      await save('completeOrder-waited-out-gateway-outage', completeOrderWorkflowId(placed.body.orderId, 1));
    } finally {
      await waiting.stop();
      await outage.stop();
    }
  });
  it('records the maintenance workflows: a sweep that releases an orphan, its release, a reconciliation that refunds and flags', async () => {
    const shortLived = await startTestStack({ reservationTtlMs: 1_000 });
    try {
      const buyer = await signUpCustomer(shortLived);
      const [optionId] = await productWithStock(shortLived.db, [2]);
      const line = { items: [{ productOptionId: optionId, quantity: 1 }] };
      const orphan = await placeOrder(shortLived, buyer, line, 'record-orphan');
      await shortLived.client.workflow.getHandle(orderWorkflowId(buyer.userId, 'record-orphan')).terminate('recording an orphan');
      const completed = await placeOrder(shortLived, buyer, line, 'record-robbed');
      const paid = await payOrder(shortLived, buyer, completed.body.orderId, 'tok_visa');
      expect(paid.status).toBe(200);
      const gateway = testGateway();
      await gateway.cancel({ idempotencyKey: `record-${randomUUID()}`, paymentKey: paid.body.paymentKey, reason: 'refunded by hand (recording)' });
      await gateway.charge({ idempotencyKey: `record-${randomUUID()}`, orderId: `legacy-order-${randomUUID()}`, amount: 1_000, cardToken: 'tok_visa' });
      await new Promise((r) => setTimeout(r, Date.parse(orphan.body.reservationExpiresAt) + 500 - Date.now()));

      await shortLived.client.workflow.execute('sweepOrphanedHolds', { taskQueue: shortLived.taskQueue, workflowId: 'record-sweep', args: [{ graceMs: 200, limit: 100 }] });
      await shortLived.client.workflow.getHandle(releaseOrphanWorkflowId(orphan.body.orderId)).result();
      await save('sweepOrphanedHolds-released', 'record-sweep');
      await save('releaseOrphanedHold-released', releaseOrphanWorkflowId(orphan.body.orderId));

      await shortLived.client.workflow.execute('reconcilePayments', { taskQueue: shortLived.taskQueue, workflowId: 'record-reconcile', args: [{ lookbackMs: 60_000 }] });
      await save('reconcilePayments-refunded-and-flagged', 'record-reconcile');
    } finally {
      await shortLived.stop();
    }
  });

  it('records the idempotency prune: a run that deleted records past the retention', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] }, 'record-pruned-key');
    await stack.db('idempotency_records').where({ user_id: customer.userId }).update({ created_at: new Date(Date.now() - 40 * 86_400_000) });
    await stack.client.workflow.execute('pruneIdempotencyKeys', { taskQueue: stack.taskQueue, workflowId: 'record-prune', args: [{ retentionMs: 30 * 86_400_000 }] });
    await save('pruneIdempotencyKeys-pruned', 'record-prune');
  });

  it('records the sales rollup: a run that rolled up a completed order', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    expect((await payOrder(stack, customer, placed.body.orderId, 'tok_visa')).status).toBe(200);
    await stack.client.workflow.execute('rollUpProductSales', { taskQueue: stack.taskQueue, workflowId: 'record-sales-rollup', args: [] });
    await save('rollUpProductSales-rolled-up', 'record-sales-rollup');
  });

  it('records the delivery to the data platform: a run that delivered, one that found deliveries stuck, and a replay of one order', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [2]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    expect((await payOrder(stack, customer, placed.body.orderId, 'tok_visa')).status).toBe(200);
    const drain = defaultDelivery();
    await stack.client.workflow.execute('deliverCompletedOrders', { taskQueue: stack.taskQueue, workflowId: 'record-delivery', args: [drain] });
    await save('deliverCompletedOrders-delivered', 'record-delivery');
    await stack.client.workflow.execute('redeliverOrder', { taskQueue: stack.taskQueue, workflowId: 'record-redelivery', args: [placed.body.orderId] });
    await save('redeliverOrder-sent-again', 'record-redelivery');

    // A data platform nobody answers at: the delivery fails and, with no patience at all, is stuck at once.
    const unreachable = await startTestStack({ dataPlatformUrl: `http://127.0.0.1:${await freePort()}` });
    try {
      const buyer = await signUpCustomer(unreachable);
      const next = await placeOrder(unreachable, buyer, { items: [{ productOptionId: optionId, quantity: 1 }] });
      expect((await payOrder(unreachable, buyer, next.body.orderId, 'tok_visa')).status).toBe(200);
      const report = await unreachable.client.workflow.execute('deliverCompletedOrders', { taskQueue: unreachable.taskQueue, workflowId: 'record-delivery-stuck', args: [{ ...drain, attentionAfterMs: 0 }] });
      expect(report.stuck).toBeGreaterThan(0);
      await save('deliverCompletedOrders-stuck', 'record-delivery-stuck');
    } finally {
      await unreachable.stop();
    }
  });
});
