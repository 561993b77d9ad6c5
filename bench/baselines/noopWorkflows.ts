import { randomUUID } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation, WorkflowIdConflictPolicy } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { burst } from '../lib/burst';
import { openModel } from '../lib/openModel';
import { summarise } from '../lib/stats';
import { noopPayUpdate, noopPlacementUpdate } from './noopMessages';

/**
 * Temporal's own limits on this machine: no-op workflows with the same activity count and
 * kind as the real workflow, on the same server, with one worker like the platform's,
 * started through the client.
 */
export interface NoopShape {
  activities: number;
  kind: 'local' | 'remote';
}

async function withNoopWorker<T>(temporalAddress: string, measure: (start: () => Promise<number>, client: Client, taskQueue: string) => Promise<T>, shape?: NoopShape): Promise<T> {
  const taskQueue = `bench-noop-${randomUUID()}`;
  const workerConnection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await Worker.create({
    connection: workerConnection,
    taskQueue,
    workflowsPath: require.resolve('./noop.workflows'),
    activities: { noop: async () => undefined },
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection });
  const start = async () => {
    if (!shape) throw new Error('no activity shape given');
    const started = performance.now();
    await client.workflow.execute('noopWorkflow', { taskQueue, workflowId: `bench-noop-${randomUUID()}`, args: [shape.activities, shape.kind] });
    return performance.now() - started;
  };
  try {
    return await measure(start, client, taskQueue);
  } finally {
    worker.shutdown();
    await running;
    await workerConnection.close();
    await connection.close();
  }
}

/** `count` no-op workflows started at once: workflows per second. */
export async function noopWorkflowBaseline(temporalAddress: string, options: NoopShape & { count: number }) {
  return withNoopWorker(
    temporalAddress,
    async (start) => {
      const { results, seconds, cpuSeconds } = await burst(`no-op workflows (${options.activities} ${options.kind})`, Array.from({ length: options.count }, () => start));
      return { ...options, seconds: Math.round(seconds * 10) / 10, workflowsPerSecond: Math.round((options.count / seconds) * 10) / 10, cpuSeconds, latenciesMs: results };
    },
    options,
  );
}

/** No-op workflows arriving at a fixed rate (open model): their latency percentiles. */
export async function noopWorkflowRateBaseline(temporalAddress: string, options: NoopShape & { ratePerSecond: number; seconds: number; maxBacklogSeconds: number }) {
  return withNoopWorker(
    temporalAddress,
    async (start) => {
      const run = await openModel(
        { label: `no-op workflows at ${options.ratePerSecond}/s`, ratePerSecond: options.ratePerSecond, seconds: options.seconds, maxBacklogSeconds: options.maxBacklogSeconds },
        async (_index, dueAt) => {
          await start();
          return performance.now() - dueAt;
        },
      );
      return { ...options, sent: run.sent, saturated: run.saturated, latencyMs: summarise(run.results) };
    },
    options,
  );
}

/**
 * The checkout rush on no-op workflows of the order's shape (noopOrderWorkflow): `orders`
 * placements at once through update-with-start, the first `placed` of them accepted and the
 * rest refused, then a pay update to every accepted one at once. Orders per second for each
 * burst, and where the CPU went.
 */
export async function noopOrderBaseline(temporalAddress: string, options: { orders: number; placed: number }) {
  return withNoopWorker(temporalAddress, async (_start, client, taskQueue) => {
    const ids = Array.from({ length: options.orders }, () => `bench-noop-order-${randomUUID()}`);
    const place = await burst(
      'no-op orders: place',
      ids.map((workflowId, i) => () =>
        client.workflow.executeUpdateWithStart(noopPlacementUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation('noopOrderWorkflow', {
            workflowId,
            taskQueue,
            // Unpaid ones close on their own a minute later, as an expired reservation would.
            args: [{ refuse: i >= options.placed, reservationMs: 60_000 }],
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
            memo: { state: 'PLACING' },
          }),
        }),
      ),
    );
    const pay = await burst(
      'no-op orders: pay',
      ids.slice(0, options.placed).map((workflowId) => () => client.workflow.getHandle(workflowId).executeUpdate(noopPayUpdate)),
    );
    const perSecond = (count: number, seconds: number) => Math.round((count / seconds) * 10) / 10;
    return {
      ...options,
      place: { seconds: Math.round(place.seconds * 10) / 10, ordersPerSecond: perSecond(options.orders, place.seconds), cpuSeconds: place.cpuSeconds },
      pay: { seconds: Math.round(pay.seconds * 10) / 10, ordersPerSecond: perSecond(options.placed, pay.seconds), cpuSeconds: pay.cpuSeconds },
    };
  });
}
