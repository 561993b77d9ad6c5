import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

export interface TasksPerOrder {
  /** How many orders the averages are over (a sample of the run's completed orders). */
  orders: number;
  /** Workflows per order (the order's and its payment saga's). */
  workflows: number;
  /** Workflow tasks the workers completed, summed over those workflows. */
  workflowTasks: number;
  /** Activity tasks the workers started (each a dispatch through the server, unless eager). */
  activityTasks: number;
  /** Local activities (run inside a workflow task, no server round trip of their own). */
  localActivities: number;
  /** History events written, a proxy for the server's persistence work. */
  historyEvents: number;
}

/**
 * What one order costs Temporal from place to COMPLETED, read from the histories of a
 * sample of orders (every workflow tagged with the order's OrderId): the workflow
 * tasks, activity tasks and local activities, averaged per order.
 */
export async function tasksPerOrder(temporalAddress: string, namespace: string, orderIds: string[], sample = 20): Promise<TasksPerOrder> {
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const client = new Client({ connection, namespace });
    const picked = orderIds.slice(0, sample);
    const totals = { workflows: 0, workflowTasks: 0, activityTasks: 0, localActivities: 0, historyEvents: 0 };
    for (const orderId of picked) {
      for await (const execution of client.workflow.list({ query: `OrderId = "${orderId}"` })) {
        const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
        const events = history.events ?? [];
        const count = (type: number) => events.filter((e) => e.eventType === type).length;
        totals.workflows += 1;
        totals.workflowTasks += count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
        totals.activityTasks += count(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
        totals.localActivities += events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
        totals.historyEvents += events.length;
      }
    }
    const per = (n: number) => Math.round((n / Math.max(picked.length, 1)) * 10) / 10;
    return {
      orders: picked.length,
      workflows: per(totals.workflows),
      workflowTasks: per(totals.workflowTasks),
      activityTasks: per(totals.activityTasks),
      localActivities: per(totals.localActivities),
      historyEvents: per(totals.historyEvents),
    };
  } finally {
    await connection.close();
  }
}
