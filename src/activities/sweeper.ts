import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { OrphanedHold } from '../contracts/maintenance';
import { createOrderRepository } from '../db/repositories/orders';
import { createStockRepository } from '../db/repositories/stocks';

type ExecutionStatus = 'RUNNING' | 'NOT_FOUND' | string;

/**
 * Finds holds whose workflows are gone while the order has not ended: an order workflow
 * terminated, timed out or reset away, with no payment saga running for it either; or a
 * placement stopped between reserving the stock and writing the order. Candidates are
 * only what should have ended by now (an order past its reservation's end, a
 * reservation without an order), `graceMs` later still, so a healthy order is never
 * even looked up; each candidate's workflows are then asked whether they still run.
 */
export const createSweeperActivities = (deps: { db: Knex; client: Client }) => {
  const orders = createOrderRepository(deps.db);
  const stocks = createStockRepository(deps.db);

  async function statusOf(workflowId: string): Promise<ExecutionStatus> {
    try {
      return (await deps.client.workflow.getHandle(workflowId).describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
      throw error;
    }
  }

  /** Any workflow of the order still running (found by its OrderId search attribute)? */
  async function anyRunningFor(orderId: string): Promise<boolean> {
    for await (const _ of deps.client.workflow.list({ query: `OrderId = "${orderId}" AND ExecutionStatus = "Running"`, pageSize: 1 })) return true;
    return false;
  }

  async function orphanedOrders(expiredBefore: Date, limit: number): Promise<OrphanedHold[]> {
    const found: OrphanedHold[] = [];
    for (const order of await orders.pendingExpiredBefore(expiredBefore, limit)) {
      heartbeat();
      const workflow = await statusOf(order.workflowId);
      if (workflow === 'RUNNING') continue;
      const saga = order.sagaWorkflowId ? await statusOf(order.sagaWorkflowId) : null;
      if (saga === 'RUNNING') continue;
      found.push({
        orderId: order.id,
        // A payment that ran may have charged and confirmed: everything is undone.
        order: { userCouponId: order.userCouponId, reach: order.sagaWorkflowId ? 'confirming' : 'placed' },
        reason: `its workflow ${order.workflowId} is ${workflow}${saga ? ` and its payment saga ${order.sagaWorkflowId} ${saga}` : ''}`,
      });
    }
    return found;
  }

  async function orphanedReservations(heldBefore: Date, limit: number): Promise<OrphanedHold[]> {
    const found: OrphanedHold[] = [];
    for (const orderId of await stocks.reservedWithoutOrderBefore(heldBefore, limit)) {
      heartbeat();
      if (await anyRunningFor(orderId)) continue;
      found.push({ orderId, order: null, reason: 'its placement stopped after reserving the stock and before writing the order' });
    }
    return found;
  }

  return {
    async findOrphanedHolds(input: { graceMs: number; limit: number }): Promise<OrphanedHold[]> {
      const before = new Date(Date.now() - input.graceMs);
      return [...(await orphanedOrders(before, input.limit)), ...(await orphanedReservations(before, input.limit))];
    },
  };
};

export type SweeperActivities = ReturnType<typeof createSweeperActivities>;
