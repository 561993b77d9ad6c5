import {
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
} from '@temporalio/client';
import { cancelUpdate, payUpdate, payUpdateId, PLACEMENT_UPDATE_ID, placementUpdate, sagaProgressQuery } from '../contracts/orderMessages';
import type { CancelOutcome, PaymentOutcome, PlaceOrderInput, PlacementOutcome, SagaProgress } from '../contracts/orders';
import { orderWorkflowId } from '../contracts/workflowIds';
import type { Order } from '../db/repositories/orders';
import { isFinal } from '../domain/order';
import { CustomerIdAttribute, NeedsAttentionAttribute, OrderIdAttribute, OrderStateAttribute } from '../temporal/searchAttributes';
import type { placeOrder } from '../workflows/placeOrder';
import { awaitOutcome } from './awaitOutcome';

/**
 * The API's side of the order workflows: start (or join) an order's workflow and wait
 * for the placement; send payments and cancellations to it; read a saga's progress.
 */
export function createOrderWorkflows(client: Client, taskQueue: string, options: { resultTimeoutMs: number }) {
  return {
    /**
     * Update-with-start: starts the order's workflow, or joins the one running under the
     * same (customer, key), and waits for its `placement` update. The fixed update id
     * makes Temporal answer concurrent duplicates from one update, so they count once
     * against the workflow's in-flight update limit and all get the same outcome.
     */
    place(input: PlaceOrderInput): Promise<PlacementOutcome> {
      const workflowId = orderWorkflowId(input.userId, input.idempotencyKey);
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof placeOrder>('placeOrder', {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        // A closed run is never started again: its result is the placement's outcome
        // (below). Only after the namespace's retention has dropped it could a new run
        // start, and that run finds the order by its derived id instead of placing it twice.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: OrderIdAttribute, value: input.orderId },
          { key: CustomerIdAttribute, value: input.userId },
          { key: OrderStateAttribute, value: 'PLACING' },
          { key: NeedsAttentionAttribute, value: false },
        ],
        memo: { orderId: input.orderId, customerId: input.userId, idempotencyKey: input.idempotencyKey },
      });
      return awaitOutcome(
        client,
        workflowId,
        async () => {
          try {
            return await client.workflow.executeUpdateWithStart(placementUpdate, { updateId: PLACEMENT_UPDATE_ID, startWorkflowOperation });
          } catch (error) {
            // The order's run has closed (a refusal closes it at once; an order closes when
            // paid, cancelled or expired): its result is the placement it answered with.
            const handle = client.workflow.getHandle<typeof placeOrder>(workflowId);
            const closed = await handle.describe().then((d) => d.status.name !== 'RUNNING', () => false);
            if (closed) return handle.result();
            throw error;
          }
        },
        options.resultTimeoutMs,
      );
    },

    /** One payment attempt; the same key is the same update, answered once. */
    pay(workflowId: string, idempotencyKey: string, cardToken: string): Promise<PaymentOutcome> {
      const handle = client.workflow.getHandle(workflowId);
      return awaitOutcome(
        client,
        workflowId,
        () => handle.executeUpdate(payUpdate, { args: [{ cardToken, requestKey: idempotencyKey }], updateId: payUpdateId(idempotencyKey) }),
        options.resultTimeoutMs,
      );
    },

    cancel(workflowId: string): Promise<CancelOutcome> {
      const handle = client.workflow.getHandle(workflowId);
      return awaitOutcome(client, workflowId, () => handle.executeUpdate(cancelUpdate), options.resultTimeoutMs);
    },

    /**
     * The order's payment saga's progress, never by replaying it: once the saga has ended,
     * from the order row; while it runs, by a query (a query on a closed workflow would
     * make a worker replay its whole history, at any reader's request). Null when there is
     * no saga, when it ended without recording an outcome (declined, terminated, or before
     * outcomes were recorded), or when it cannot be read quickly.
     */
    async sagaProgress(order: Pick<Order, 'status' | 'sagaWorkflowId' | 'sagaOutcome'>): Promise<SagaProgress | null> {
      const { sagaWorkflowId } = order;
      if (!sagaWorkflowId) return null;
      if (order.sagaOutcome) return order.sagaOutcome;
      if (isFinal(order.status)) return null;
      const handle = client.workflow.getHandle(sagaWorkflowId);
      try {
        return await awaitOutcome(
          client,
          sagaWorkflowId,
          async () => ((await handle.describe()).status.name === 'RUNNING' ? handle.query(sagaProgressQuery) : null),
          2_000,
        );
      } catch {
        return null;
      }
    },
  };
}

export type OrderWorkflows = ReturnType<typeof createOrderWorkflows>;
