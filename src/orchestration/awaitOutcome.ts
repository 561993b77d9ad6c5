import type { Client } from '@temporalio/client';
import { workflowWaits } from '../metrics/apiMetrics';

/** The workflow is accepted and running, but its outcome is not known yet. */
export class OutcomePendingError extends Error {
  constructor(
    readonly workflowId: string,
    readonly waitedMs: number,
  ) {
    super(`workflow ${workflowId} has no outcome after ${waitedMs} ms`);
    this.name = 'OutcomePendingError';
  }
}

/**
 * Waits for a workflow's outcome for at most `timeoutMs`, then gives up and stops
 * polling (so an outage of the workers does not pile up open long-polls). The workflow
 * itself carries on; asking again with the same request attaches to it.
 */
export async function awaitOutcome<T>(
  client: Client,
  workflowId: string,
  outcome: () => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  workflowWaits.inc();
  try {
    return await client.withAbortSignal(controller.signal, outcome);
  } catch (error) {
    if (controller.signal.aborted) throw new OutcomePendingError(workflowId, timeoutMs);
    throw error;
  } finally {
    workflowWaits.dec();
    clearTimeout(timer);
  }
}
