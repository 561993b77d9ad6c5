import { randomUUID } from 'node:crypto';
import type { ReconciliationReport } from '../../src/contracts/maintenance';
import { NeedsAttentionAttribute } from '../../src/temporal/searchAttributes';
import type { reconcilePayments } from '../../src/workflows/reconcilePayments';
import { productWithStock, stockOf } from '../support/catalog';
import { mintCustomers } from '../support/factories';
import { cancelOrder, ledgerOf, orderRow, payOrder, placeOrder } from '../support/orders';
import { testGateway, useTestStack } from '../support/stack';

/**
 * The charge the gateway commits after the saga has given up on it (an outcome unknown
 * past its budget, a commit after the refund ran) is money no order pays for. The
 * reconciliation finds such charges in the gateway's ledger and refunds them, once,
 * however many of its runs overlap; a completed order whose charge is gone is flagged.
 * Each late commit is made the way the gateway would make it: a charge of that order,
 * committed by the real gateway after the order ended.
 */
describe('payment reconciliation', () => {
  const stack = useTestStack({ gatewayOutageBudgetMs: 1_000 });
  const gateway = testGateway();

  const lateCharge = (orderId: string) => gateway.charge({ idempotencyKey: `late-${randomUUID()}`, orderId, amount: 1_000, cardToken: 'tok_visa' });

  it('refunds each charge on an order that ended unpaid or does not exist, exactly once across overlapping runs, and flags completed orders missing their charge', async () => {
    const started = Date.now();
    const [optionId] = await productWithStock(stack.db, [40]);
    const customers = await mintCustomers(stack, 16);
    const placed = await Promise.all(customers.map((c) => placeOrder(stack, c, { items: [{ productOptionId: optionId, quantity: 1 }] })));
    expect(placed.map((p) => p.status)).toEqual(customers.map(() => 201));
    const ids = placed.map((p) => p.body.orderId as string);
    const at = (from: number, to: number) => ({ customers: customers.slice(from, to), ids: ids.slice(from, to) });
    const failed = at(0, 4);
    const cancelled = at(4, 8);
    const completed = at(8, 14);
    const pending = at(14, 16);

    const outcomes = await Promise.all([
      ...failed.customers.map((c, i) => payOrder(stack, c, failed.ids[i], 'tok_error')),
      ...cancelled.customers.map((c, i) => cancelOrder(stack, c, cancelled.ids[i])),
      ...completed.customers.map((c, i) => payOrder(stack, c, completed.ids[i], 'tok_visa')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([...failed.ids.map(() => 409), ...cancelled.ids.map(() => 200), ...completed.ids.map(() => 200)]);

    // The late commits: on ended orders, on orders the platform never had, and on orders
    // still waiting for payment (a saga in flight looks like this: left alone).
    const unknown = [randomUUID(), `legacy-order-${randomUUID()}`];
    await Promise.all([...failed.ids, ...cancelled.ids, ...unknown, ...pending.ids].map(lateCharge));
    // Two completed orders lose their charge behind the platform's back.
    const robbed = completed.ids.slice(0, 2);
    for (const orderId of robbed) {
      const { payment_key: paymentKey } = await orderRow(stack.db, orderId);
      await gateway.cancel({ idempotencyKey: `manual-${randomUUID()}`, paymentKey, reason: 'refunded by hand' });
    }

    const lookbackMs = Date.now() - started + 60_000;
    const runs = await Promise.all(
      [1, 2, 3].map((i) =>
        stack.client.workflow.execute<typeof reconcilePayments>('reconcilePayments', {
          taskQueue: stack.taskQueue,
          workflowId: `reconcile-test-${i}-${randomUUID()}`,
          args: [{ lookbackMs }],
        }),
      ),
    );

    const refundable = [...failed.ids, ...cancelled.ids, ...unknown];
    for (const orderId of refundable) expect({ orderId, ...(await ledgerOf(stack.db, orderId)) }).toEqual({ orderId, charges: 1, refunds: 1, net: 0 });
    for (const orderId of [...pending.ids, ...completed.ids.slice(2)]) expect({ orderId, ...(await ledgerOf(stack.db, orderId)) }).toEqual({ orderId, charges: 1, refunds: 0, net: 1_000 });

    const mine = new Set(ids.concat(unknown));
    const refundedByRuns = new Set(runs.flatMap((r: ReconciliationReport) => r.refunded.map((c) => c.orderId)).filter((id) => mine.has(id)));
    expect([...refundedByRuns].sort()).toEqual([...refundable].sort());
    for (const run of runs) {
      expect(run.refundFailures).toEqual([]);
      expect(run.flagged.map((f) => f.orderId).filter((id) => mine.has(id)).sort()).toEqual([...robbed].sort());
    }

    const attention = await stack.db('orders').whereIn('id', ids).andWhere({ needs_attention: true }).pluck('id');
    expect(attention.sort()).toEqual([...robbed].sort());
    const statuses = await stack.db('orders').whereIn('id', ids).pluck('status');
    expect(statuses.filter((s) => s === 'COMPLETED')).toHaveLength(completed.ids.length);
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 40, available: 40 - completed.ids.length - pending.ids.length, reserved: pending.ids.length, sold: completed.ids.length });
  });

  it('ends a run that found something for ops with NeedsAttention = true, and a clean run without it', async () => {
    const [optionId] = await productWithStock(stack.db, [2]);
    const [customer] = await mintCustomers(stack, 1);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    const paid = await payOrder(stack, customer, placed.body.orderId, 'tok_visa');
    expect(paid.status).toBe(200);

    const run = (lookbackMs: number) => {
      const workflowId = `reconcile-test-${randomUUID()}`;
      return stack.client.workflow
        .execute<typeof reconcilePayments>('reconcilePayments', { taskQueue: stack.taskQueue, workflowId, args: [{ lookbackMs }] })
        .then(async (report) => ({ report, attention: (await stack.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(NeedsAttentionAttribute) }));
    };
    const clean = await run(20_000);
    expect(clean.report.flagged.filter((f) => f.orderId === placed.body.orderId)).toEqual([]);

    await gateway.cancel({ idempotencyKey: `manual-${randomUUID()}`, paymentKey: paid.body.paymentKey, reason: 'refunded by hand' });
    const flagged = await run(20_000);
    expect(flagged.report.flagged.map((f) => f.orderId)).toContain(placed.body.orderId);
    expect(flagged.attention).toBe(true);
    if (clean.report.flagged.length === 0) expect(clean.attention).toBeUndefined();
  });
});
