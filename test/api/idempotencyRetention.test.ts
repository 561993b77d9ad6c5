import { randomUUID } from 'node:crypto';
import type { pruneIdempotencyKeys } from '../../src/workflows/pruneIdempotencyKeys';
import { productWithStock } from '../support/catalog';
import { mintCustomers } from '../support/factories';
import { placeOrder } from '../support/orders';
import { useTestStack } from '../support/stack';

const DAY = 86_400_000;

/**
 * The answers stored under Idempotency-Keys are kept for the retention (30 days by
 * default) and then pruned by a scheduled workflow: a pruned key is answered afresh (no
 * conflict check, no replay header), and since an order's id comes from its key, placing
 * under it again still finds the order it made, never a second one.
 */
describe('idempotency key retention', () => {
  const stack = useTestStack();

  it('prunes only records past the retention, and a pruned key is treated as new without a second order', async () => {
    const [optionId] = await productWithStock(stack.db, [10]);
    const [customer] = await mintCustomers(stack, 1);
    const [oldKey, recentKey] = [randomUUID(), randomUUID()];
    const old = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] }, oldKey);
    const recent = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] }, recentKey);
    expect([old.status, recent.status]).toEqual([201, 201]);
    await stack.db('idempotency_records').where({ user_id: customer.userId, key: oldKey }).update({ created_at: new Date(Date.now() - 31 * DAY) });

    // Before the prune, another request under the old key is a reuse of it.
    expect((await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 2 }] }, oldKey)).status).toBe(422);

    const report = await stack.client.workflow.execute<typeof pruneIdempotencyKeys>('pruneIdempotencyKeys', {
      taskQueue: stack.taskQueue,
      workflowId: `prune-test-${randomUUID()}`,
      args: [{ retentionMs: 30 * DAY }],
    });
    expect(report.deleted).toBeGreaterThanOrEqual(1);
    const kept = await stack.db('idempotency_records').where({ user_id: customer.userId }).pluck('key');
    expect(kept).toEqual([recentKey]);

    const again = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 2 }] }, oldKey);
    expect({ status: again.status, orderId: again.body.orderId, replayed: again.headers.get('idempotent-replayed') }).toEqual({ status: 201, orderId: old.body.orderId, replayed: null });
    expect(await stack.db('orders').where({ user_id: customer.userId }).count<{ count: string }[]>('* as count')).toEqual([{ count: '2' }]);
    // The recent key still replays its stored answer.
    const replayed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] }, recentKey);
    expect({ orderId: replayed.body.orderId, replayed: replayed.headers.get('idempotent-replayed') }).toEqual({ orderId: recent.body.orderId, replayed: 'true' });
  });
});
