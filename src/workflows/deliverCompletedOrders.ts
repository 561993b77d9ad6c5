import * as wf from '@temporalio/workflow';
import type { OrderDeliveryActivities } from '../activities/orderDelivery';
import type { DeliveryInput, DeliveryReport } from '../contracts/orderDelivery';
import { NeedsAttentionAttribute } from '../temporal/searchAttributes';
import { deliveryDrainOptions, redeliveryOptions } from './activityOptions';

const { deliverDueOrders } = wf.proxyActivities<OrderDeliveryActivities>(deliveryDrainOptions);
const { redeliverOrder: sendAgain } = wf.proxyActivities<OrderDeliveryActivities>(redeliveryOptions);

/**
 * Drains the outbox of completed orders to the data platform, run by its Schedule every
 * few seconds (src/temporal/schedules.ts). Each failing delivery backs off on its own
 * row, so an outage of hours costs a few requests per order; a run that finds deliveries
 * failing for longer than `attentionAfterMs` ends with `NeedsAttention = true`.
 */
export async function deliverCompletedOrders(input: DeliveryInput): Promise<DeliveryReport> {
  const report = await deliverDueOrders(input);
  if (report.stuck > 0) {
    wf.upsertSearchAttributes([{ key: NeedsAttentionAttribute, value: true }]);
    wf.log.error('CRITICAL: deliveries to the data platform keep failing', {
      severity: 'CRITICAL',
      stuck: report.stuck,
      oldestStuck: report.oldestStuck,
      action: 'Check the data platform (DATA_PLATFORM_URL) and the last error; deliveries resume by themselves once it answers (docs/operations.md).',
    });
  }
  return report;
}

/** Ops' replay of one order's delivery (docs/operations.md): sent again under the same idempotency key. */
export async function redeliverOrder(orderId: string): Promise<Awaited<ReturnType<typeof sendAgain>>> {
  return sendAgain(orderId);
}
