import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { IssueCouponInput, IssuedCoupon } from '../contracts/coupons';
import { couponIssueWorkflowId } from '../contracts/workflowIds';
import { CouponIdAttribute, UserIdAttribute } from '../temporal/searchAttributes';
import { awaitOutcome } from './awaitOutcome';
import type { issueCoupon } from '../workflows/issueCoupon';

/**
 * Starts (or joins) the issue workflow for one (coupon, user) and waits for its outcome.
 *
 * - Conflict policy USE_EXISTING: a concurrent duplicate request attaches to the run
 *   already in flight and receives the same result, so a double-click issues once.
 * - Reuse policy ALLOW_DUPLICATE: once a run has closed, a new request may start a new
 *   run. That run cannot issue twice (the row lock and the unique constraint see the
 *   earlier coupon and answer ALREADY_ISSUED), and a claim refused earlier (not yet in
 *   its period) can succeed later.
 */
export function createCouponIssueStarter(client: Client, taskQueue: string, options: { resultTimeoutMs: number }) {
  return {
    /** `result` rejects with OutcomePendingError if the outcome takes longer than the timeout. */
    async issue(input: IssueCouponInput): Promise<{ workflowId: string; result: Promise<IssuedCoupon> }> {
      const workflowId = couponIssueWorkflowId(input.couponId, input.userId);
      const handle = await client.workflow.start<typeof issueCoupon>('issueCoupon', {
        taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [
          { key: CouponIdAttribute, value: input.couponId },
          { key: UserIdAttribute, value: input.userId },
        ],
      });
      return { workflowId, result: awaitOutcome(client, workflowId, () => handle.result(), options.resultTimeoutMs) };
    },
  };
}

export type CouponIssueStarter = ReturnType<typeof createCouponIssueStarter>;
