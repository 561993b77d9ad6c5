import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions, type ScheduleUpdateOptions } from '@temporalio/client';
import type { PruneInput, ReconciliationInput, SweepInput } from '../contracts/maintenance';
import type { DeliveryInput } from '../contracts/orderDelivery';
import { IDEMPOTENCY_PRUNE_SCHEDULE_ID, ORDER_DELIVERY_SCHEDULE_ID, RECONCILIATION_SCHEDULE_ID, SALES_ROLLUP_SCHEDULE_ID, SWEEPER_SCHEDULE_ID } from '../contracts/workflowIds';
import type { deliverCompletedOrders } from '../workflows/deliverCompletedOrders';
import type { pruneIdempotencyKeys } from '../workflows/pruneIdempotencyKeys';
import type { reconcilePayments } from '../workflows/reconcilePayments';
import type { rollUpProductSales } from '../workflows/rollUpProductSales';
import type { sweepOrphanedHolds } from '../workflows/sweepOrphanedHolds';

export interface MaintenanceSchedules {
  taskQueue: string;
  reconciliation: ReconciliationInput & { intervalMs: number };
  sweeper: SweepInput & { intervalMs: number };
  idempotency: PruneInput & { intervalMs: number };
  salesRollup: { intervalMs: number };
  delivery: DeliveryInput & { intervalMs: number };
  /** Other ids than the platform's own (tests keep theirs apart). */
  ids?: { reconciliation: string; sweeper: string; idempotency: string; salesRollup: string; delivery: string };
}

/**
 * One run at a time (a run still going when the next is due skips it), and a run
 * missed while Temporal was down is made up only if it is less than one interval late.
 */
const policiesFor = (intervalMs: number) => ({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: Math.max(intervalMs, 60_000) });

function schedulesOf(options: MaintenanceSchedules): ScheduleOptions[] {
  const ids = options.ids ?? {
    reconciliation: RECONCILIATION_SCHEDULE_ID,
    sweeper: SWEEPER_SCHEDULE_ID,
    idempotency: IDEMPOTENCY_PRUNE_SCHEDULE_ID,
    salesRollup: SALES_ROLLUP_SCHEDULE_ID,
    delivery: ORDER_DELIVERY_SCHEDULE_ID,
  };
  const { intervalMs: reconcileEvery, ...reconciliation } = options.reconciliation;
  const { intervalMs: sweepEvery, ...sweep } = options.sweeper;
  const { intervalMs: pruneEvery, ...prune } = options.idempotency;
  const { intervalMs: deliverEvery, ...delivery } = options.delivery;
  return [
    {
      scheduleId: ids.reconciliation,
      spec: { intervals: [{ every: reconcileEvery }] },
      action: { type: 'startWorkflow', workflowType: 'reconcilePayments' satisfies (typeof reconcilePayments)['name'], workflowId: ids.reconciliation, taskQueue: options.taskQueue, args: [reconciliation] },
      policies: policiesFor(reconcileEvery),
      memo: { purpose: 'refunds live charges of orders that ended unpaid; flags completed orders without their charge' },
    },
    {
      scheduleId: ids.sweeper,
      spec: { intervals: [{ every: sweepEvery }] },
      action: { type: 'startWorkflow', workflowType: 'sweepOrphanedHolds' satisfies (typeof sweepOrphanedHolds)['name'], workflowId: ids.sweeper, taskQueue: options.taskQueue, args: [sweep] },
      policies: policiesFor(sweepEvery),
      memo: { purpose: 'gives back the stock and coupons of orders whose workflows are gone' },
    },
    {
      scheduleId: ids.idempotency,
      spec: { intervals: [{ every: pruneEvery }] },
      action: { type: 'startWorkflow', workflowType: 'pruneIdempotencyKeys' satisfies (typeof pruneIdempotencyKeys)['name'], workflowId: ids.idempotency, taskQueue: options.taskQueue, args: [prune] },
      policies: policiesFor(pruneEvery),
      memo: { purpose: 'forgets the answers stored under Idempotency-Keys past their retention' },
    },
    {
      scheduleId: ids.salesRollup,
      spec: { intervals: [{ every: options.salesRollup.intervalMs }] },
      action: { type: 'startWorkflow', workflowType: 'rollUpProductSales' satisfies (typeof rollUpProductSales)['name'], workflowId: ids.salesRollup, taskQueue: options.taskQueue, args: [] },
      // Each run recomputes everything since the last one: nothing missed needs replaying.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000 },
      memo: { purpose: 'recomputes the hourly sales per product that GET /products/popular reads' },
    },
    {
      scheduleId: ids.delivery,
      spec: { intervals: [{ every: deliverEvery }] },
      action: { type: 'startWorkflow', workflowType: 'deliverCompletedOrders' satisfies (typeof deliverCompletedOrders)['name'], workflowId: ids.delivery, taskQueue: options.taskQueue, args: [delivery] },
      // Each run sends everything due: a missed run leaves nothing behind for a catch-up.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000 },
      memo: { purpose: 'delivers completed orders to the data platform from the order_deliveries outbox' },
    },
  ];
}

/**
 * Creates the maintenance Schedules (reconciliation, sweeper, idempotency prune, sales
 * rollup, delivery to the data platform), or brings existing ones to
 * these settings (an update, never a second schedule). A paused schedule stays paused:
 * pausing is an operator's decision (docs/operations.md).
 */
export async function ensureMaintenanceSchedules(client: Client, options: MaintenanceSchedules): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  for (const schedule of schedulesOf(options)) {
    try {
      await client.schedule.create(schedule);
      created.push(schedule.scheduleId);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(schedule.scheduleId).update((current): ScheduleUpdateOptions => ({
        ...current,
        spec: schedule.spec,
        action: schedule.action as ScheduleUpdateOptions['action'],
        policies: { ...current.policies, ...schedule.policies },
      }));
      updated.push(schedule.scheduleId);
    }
  }
  return { created, updated };
}
