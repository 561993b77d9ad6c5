import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { DeliveryInput, DeliveryReport } from '../contracts/orderDelivery';
import type { DataPlatform } from '../dataPlatform/client';
import { createOrderDeliveryRepository, type DeliveryBackoff, type DueDelivery } from '../db/repositories/orderDeliveries';
import { BusinessErrorCode } from '../domain/errors';
import { refuse } from './refusal';

export interface OrderDeliveryDeps {
  db: Knex;
  dataPlatform: DataPlatform;
  /** How long a failing delivery waits before it is tried again. */
  deliveryBackoff: DeliveryBackoff;
}

/** A claimed row is held this much longer than the run may take, so no other drain sends it meanwhile. */
const LEASE_MARGIN_MS = 60_000;

/** Sends each delivery, at most `concurrency` at a time; the outcomes come back in order. */
async function sendAll(deps: OrderDeliveryDeps, due: DueDelivery[], concurrency: number) {
  const outcomes = new Array<Awaited<ReturnType<DataPlatform['deliverCompletedOrder']>>>(due.length);
  let next = 0;
  const lane = async () => {
    while (next < due.length) {
      const index = next++;
      outcomes[index] = await deps.dataPlatform.deliverCompletedOrder(due[index].payload);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, lane));
  return outcomes;
}

/** The outbox drain (order_deliveries, written when an order completes) and the replay of one delivery. */
export const createOrderDeliveryActivities = (deps: OrderDeliveryDeps) => {
  const deliveries = createOrderDeliveryRepository(deps.db);

  return {
    /**
     * Sends what is due, a round at a time, until nothing is due or the run's budget is
     * spent. A round in which every delivery failed means the data platform is down:
     * the rest waits for the next run instead of each row being tried against it now.
     * A round that got through means it is up: what backed off waiting for it is made
     * due, once per run.
     */
    async deliverDueOrders(input: DeliveryInput): Promise<DeliveryReport> {
      const deadline = Date.now() + input.budgetMs;
      let delivered = 0;
      let failed = 0;
      let resumed = false;
      while (Date.now() < deadline) {
        const due = await deliveries.claimDue(input.batchSize, input.budgetMs + LEASE_MARGIN_MS);
        if (!due.length) break;
        const outcomes = await sendAll(deps, due, input.concurrency);
        const sent = due.filter((_, i) => outcomes[i].delivered).map((d) => d.orderId);
        const failures = due.flatMap((d, i) => {
          const outcome = outcomes[i];
          return outcome.delivered ? [] : [{ orderId: d.orderId, error: outcome.error, refused: outcome.refused }];
        });
        await deliveries.markDelivered(sent);
        await deliveries.markFailed(failures, deps.deliveryBackoff);
        delivered += sent.length;
        failed += failures.length;
        Context.current().heartbeat({ delivered, failed });
        if (!sent.length) break;
        // It answers again: what backed off while it was away goes out in the next rounds.
        if (!resumed) {
          await deliveries.resumeBackedOff();
          resumed = true;
        }
      }
      const backlog = await deliveries.backlog(input.attentionAfterMs);
      return {
        delivered,
        failed,
        undelivered: backlog.undelivered,
        stuck: backlog.stuck,
        oldestStuck: backlog.oldestStuck && { ...backlog.oldestStuck, failingSince: backlog.oldestStuck.failingSince.toISOString() },
      };
    },

    /**
     * Sends one order's delivery again, delivered before or not (ops replaying it after
     * the data platform lost it); the same idempotency key, so the data platform still
     * holds one record. Throws while it fails, for Temporal to retry.
     */
    async redeliverOrder(orderId: string): Promise<{ orderId: string; duplicate: boolean; deliveredBefore: boolean }> {
      const delivery = await deliveries.find(orderId);
      if (!delivery) throw refuse(BusinessErrorCode.ORDER_NOT_COMPLETED, `order ${orderId} has no delivery: it never completed`, { orderId });
      const outcome = await deps.dataPlatform.deliverCompletedOrder(delivery.payload);
      if (!outcome.delivered) throw new Error(outcome.error);
      await deliveries.markDelivered([orderId]);
      return { orderId, duplicate: outcome.duplicate, deliveredBefore: delivery.deliveredAt !== null };
    },
  };
};

export type OrderDeliveryActivities = ReturnType<typeof createOrderDeliveryActivities>;
