import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { burst } from '../lib/burst';

/**
 * Temporal's own ceiling on this machine: `count` no-op workflows started at once
 * through the client, with the same activity count and kind as the real workflow, on
 * the same server, with one worker like the platform's. Returns workflows per second.
 */
export async function noopWorkflowBaseline(temporalAddress: string, options: { count: number; activities: number; kind: 'local' | 'remote' }) {
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
  try {
    const { results, seconds } = await burst(`no-op workflows (${options.activities} ${options.kind})`, Array.from({ length: options.count }, () => async () => {
      const started = performance.now();
      await client.workflow.execute('noopWorkflow', { taskQueue, workflowId: `bench-noop-${randomUUID()}`, args: [options.activities, options.kind] });
      return performance.now() - started;
    }));
    return { ...options, seconds: Math.round(seconds * 10) / 10, workflowsPerSecond: Math.round((options.count / seconds) * 10) / 10, latenciesMs: results };
  } finally {
    worker.shutdown();
    await running;
    await workerConnection.close();
    await connection.close();
  }
}
