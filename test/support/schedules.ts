import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import type { DeliveryInput } from '../../src/contracts/orderDelivery';

/** Schedule ids of a test's own, so its schedules never meet the platform's or another test's. */
export const testScheduleIds = () => ({
  reconciliation: `test-reconcile-${randomUUID()}`,
  sweeper: `test-sweep-${randomUUID()}`,
  idempotency: `test-prune-${randomUUID()}`,
  salesRollup: `test-sales-rollup-${randomUUID()}`,
  delivery: `test-delivery-${randomUUID()}`,
});

/** How the platform drains deliveries by default (batch, concurrency, budget, patience), without its interval. */
export function defaultDelivery(): DeliveryInput {
  const { intervalMs: _interval, ...drain } = loadConfig({}).maintenance.delivery;
  return drain;
}
