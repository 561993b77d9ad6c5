import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { DeliveryInput, DeliveryReport } from '../contracts/orderDelivery';
import type { DataPlatform, DeliveryOutcome } from '../dataPlatform/client';
import { createOrderDeliveryRepository, type DeliveryBackoff, type DeliveryFailure, type DueDelivery } from '../db/repositories/orderDeliveries';
import { BusinessErrorCode } from '../domain/errors';
import { refuse } from './refusal';

export interface OrderDeliveryDeps {
  db: Knex;
  dataPlatform: DataPlatform;
  /** How long a failing delivery waits before its next attempt. */
  deliveryBackoff: DeliveryBackoff;
}

/** Beyond the longest a run can take, a claimed row stays held this much longer. */
const LEASE_MARGIN_MS = 60_000;

/**
 * Sends each delivery, at most `concurrency` at a time, heartbeating after each answer
 * (so a data platform that hangs until every request times out still counts as a live
 * worker); the outcomes come back in order.
 */
async function sendAll(deps: OrderDeliveryDeps, due: DueDelivery[], concurrency: number, onAnswer: () => void): Promise<DeliveryOutcome[]> {
  const outcomes = new Array<DeliveryOutcome>(due.length);
  const { cancellationSignal } = Context.current();
  let next = 0;
  const lane = async () => {
    while (next < due.length) {
      const index = next++;
      outcomes[index] = await deps.dataPlatform.deliverCompletedOrder(due[index].payload, cancellationSignal);
      onAnswer();
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
     * spent. A round in which nothing got through and nothing was refused is an outage:
     * the rest waits for the next run instead of each row being tried against it now. A
     * round that got through means the data platform is up: what backed off during an
     * outage is made due, once per run.
     */
    async deliverDueOrders(input: DeliveryInput): Promise<DeliveryReport> {
      const deadline = Date.now() + input.budgetMs;
      // Held for the whole budget plus the longest round, so no other drain sends a row this one still may.
      const leaseMs = input.budgetMs + Math.ceil(input.batchSize / input.concurrency) * deps.dataPlatform.timeoutMs + LEASE_MARGIN_MS;
      let delivered = 0;
      let failed = 0;
      let resumed = false;
      while (Date.now() < deadline) {
        const due = await deliveries.claimDue(input.batchSize, leaseMs);
        if (!due.length) break;
        const outcomes = await sendAll(deps, due, input.concurrency, () => Context.current().heartbeat({ delivered, failed }));
        const sent = due.filter((_, i) => outcomes[i].delivered).map((d) => d.orderId);
        const outage = sent.length === 0 && outcomes.every((o) => o.delivered || !o.refused);
        const failures = due.flatMap((d, i) => {
          const outcome = outcomes[i];
          if (outcome.delivered) return [];
          const failure: DeliveryFailure = outcome.refused ? 'refused' : outage ? 'outage' : 'failed';
          return [{ orderId: d.orderId, error: outcome.error, failure }];
        });
        await deliveries.markDelivered(sent);
        await deliveries.markFailed(failures, deps.deliveryBackoff);
        delivered += sent.length;
        failed += failures.length;
        if (outage) break;
        if (sent.length && !resumed) {
          await deliveries.resumeAfterOutage();
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
     * holds one record. An order completed before deliveries existed gets its delivery
     * now. Throws while the data platform is away, for Temporal to retry; a refusal (4xx)
     * ends the replay, since repeating it cannot help.
     */
    async redeliverOrder(orderId: string): Promise<{ orderId: string; duplicate: boolean; deliveredBefore: boolean }> {
      const delivery = await deliveries.ensureFor(orderId);
      if (!delivery) throw refuse(BusinessErrorCode.ORDER_NOT_COMPLETED, `order ${orderId} is not COMPLETED: only a completed order is delivered`, { orderId });
      const outcome = await deps.dataPlatform.deliverCompletedOrder(delivery.payload, Context.current().cancellationSignal);
      if (!outcome.delivered) {
        if (outcome.refused) throw ApplicationFailure.create({ type: 'DELIVERY_REFUSED', message: outcome.error, nonRetryable: true, details: [{ orderId }] });
        throw new Error(outcome.error);
      }
      await deliveries.markDelivered([orderId]);
      return { orderId, duplicate: outcome.duplicate, deliveredBefore: delivery.deliveredAt !== null };
    },
  };
};

export type OrderDeliveryActivities = ReturnType<typeof createOrderDeliveryActivities>;
