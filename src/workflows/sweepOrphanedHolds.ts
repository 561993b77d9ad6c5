import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { SweeperActivities } from '../activities/sweeper';
import type { OrphanedHold, SweepInput, SweepReport } from '../contracts/maintenance';
import { releaseOrphanWorkflowId } from '../contracts/workflowIds';
import { OrderIdAttribute } from '../temporal/searchAttributes';
import { scanOptions } from './activityOptions';
import { runCompensations } from './compensation';
import { markOrderFailedCompensation, undoCompensations } from './orderUndo';

const { findOrphanedHolds } = wf.proxyActivities<SweeperActivities>(scanOptions);

/**
 * Finds holds that no workflow will ever end (src/activities/sweeper.ts; run by its
 * Schedule, src/temporal/schedules.ts) and starts one `releaseOrphanedHold` per order,
 * which outlives this run. Its id is the order's: a hold found by two sweeps, at the same
 * time or one after the other, is released by one workflow.
 */
export async function sweepOrphanedHolds(input: SweepInput): Promise<SweepReport> {
  const orphans = await findOrphanedHolds({ graceMs: input.graceMs, limit: input.limit });
  const released: string[] = [];
  const alreadyReleasing: string[] = [];
  for (const orphan of orphans) {
    try {
      await wf.startChild(releaseOrphanedHold, {
        workflowId: releaseOrphanWorkflowId(orphan.orderId),
        args: [orphan],
        parentClosePolicy: wf.ParentClosePolicy.ABANDON,
        // A release that finished is never run again by a later sweep; one that was
        // terminated or failed may be.
        workflowIdReusePolicy: wf.WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: [{ key: OrderIdAttribute, value: orphan.orderId }],
      });
      released.push(orphan.orderId);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      alreadyReleasing.push(orphan.orderId);
    }
  }
  return { found: orphans.length, released, alreadyReleasing };
}

/**
 * Gives an orphaned order's holds back with the order's own undo list (./orderUndo), each
 * step until it succeeds, then marks the order FAILED with the reason: its key then
 * answers with that end. The workflow's history is the audit trail of what was released
 * and why.
 */
export async function releaseOrphanedHold(orphan: OrphanedHold): Promise<void> {
  const { orderId } = orphan;
  const reason = `released by the sweeper: ${orphan.reason}`;
  wf.log.warn('releasing an orphaned hold', { audit: true, orderId, reason });
  const undo = orphan.order
    ? [...undoCompensations(orderId, orphan.order.userCouponId, orphan.order.reach), markOrderFailedCompensation(orderId, reason)]
    : undoCompensations(orderId, null, 'placed');
  await runCompensations(undo, { orderId });
  wf.log.warn('orphaned hold released', { audit: true, orderId, reason });
}
