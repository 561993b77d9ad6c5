import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { redeliveryWorkflowId } from '../contracts/workflowIds';
import type { redeliverOrder } from '../workflows/deliverCompletedOrders';

/** The API's side of replaying one order's delivery to the data platform (docs/data-platform.md). */
export function createDeliveryReplays(client: Client, taskQueue: string) {
  return {
    /**
     * Starts the order's `redeliverOrder` workflow, or joins the one already running for
     * it: a replay asked twice while the data platform is away is one replay. A closed
     * replay may run again (the data platform keeps one record per key either way).
     */
    async replay(orderId: string): Promise<{ workflowId: string; runId: string }> {
      const workflowId = redeliveryWorkflowId(orderId);
      const handle = await client.workflow.start<typeof redeliverOrder>('redeliverOrder', {
        workflowId,
        taskQueue,
        args: [orderId],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    },
  };
}

export type DeliveryReplays = ReturnType<typeof createDeliveryReplays>;
