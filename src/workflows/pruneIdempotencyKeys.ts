import * as wf from '@temporalio/workflow';
import type { RetentionActivities } from '../activities/retention';
import type { PruneInput, PruneReport } from '../contracts/maintenance';
import { scanOptions } from './activityOptions';

const { pruneIdempotencyRecords } = wf.proxyActivities<RetentionActivities>(scanOptions);

/**
 * Forgets the answers stored under Idempotency-Keys older than the retention (run by its
 * Schedule, src/temporal/schedules.ts). A key past it is answered afresh: a placement
 * still finds the order its key made, a payment is answered from its order.
 */
export async function pruneIdempotencyKeys(input: PruneInput): Promise<PruneReport> {
  const olderThan = new Date(Date.now() - input.retentionMs).toISOString();
  const { deleted } = await pruneIdempotencyRecords({ olderThan });
  return { olderThan, deleted };
}
