import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import type { Logger } from '../logging/logger';
import { toTemporalLogger } from '../logging/temporalLogger';

let runtimeInstalled = false;

/** Sends the SDK's logs (with workflow and activity ids) to our logger; once per process. */
export function installTemporalRuntime(logger: Logger): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: toTemporalLogger(logger.child({ component: 'temporal' })),
    // The process owns shutdown order (API, worker, Temporal, PostgreSQL); the SDK must
    // not react to Ctrl-C on its own.
    shutdownSignals: [],
  });
  runtimeInstalled = true;
}

export const workflowsPath = require.resolve('../workflows');

export interface WorkerDeps {
  address: string;
  namespace: string;
  taskQueue: string;
  db: Knex;
  /** A pre-built bundle (tests build it once per run); otherwise bundled from source. */
  workflowBundlePath?: string;
}

export async function createWorker(deps: WorkerDeps): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: deps.address });
  const workflowSource: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> = deps.workflowBundlePath
    ? { workflowBundle: { codePath: deps.workflowBundlePath } }
    : { workflowsPath };
  const worker = await Worker.create({
    connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities: createActivities({ db: deps.db }),
    ...workflowSource,
  });
  return { worker, connection };
}
