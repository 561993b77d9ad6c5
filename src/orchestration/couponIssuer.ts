import { randomUUID } from 'node:crypto';
import {
  ApplicationFailure,
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { claimUpdate, ISSUER_HANDING_OVER } from '../contracts/couponMessages';
import type { ClaimOutcome, CouponIssuerInput, IssueCouponInput } from '../contracts/coupons';
import { couponIssuerWorkflowId } from '../contracts/workflowIds';
import { CouponIdAttribute } from '../temporal/searchAttributes';
import type { couponIssuer } from '../workflows/couponIssuer';
import { awaitOutcome } from './awaitOutcome';

/** Tuning of the issuer runs this client starts (tests make runs tiny); the workflow has defaults. */
export type IssuerRunOptions = Omit<CouponIssuerInput, 'couponId'>;

/**
 * The run refused the claim before it ran (it is handing over to its next run), or
 * closed between taking the request and running it: either way nothing happened and the
 * same claim may be sent again.
 */
function notTakenUp(error: unknown): boolean {
  if (error instanceof WorkflowNotFoundError) return true;
  return error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === ISSUER_HANDING_OVER;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends claims to a coupon's issuer workflow (src/workflows/couponIssuer.ts) with
 * update-with-start: the first claim starts the issuer, every other joins it
 * (conflict policy USE_EXISTING); a closed issuer is started anew (reuse is allowed:
 * the database, not the run, holds what was issued).
 */
export function createCouponIssuer(client: Client, taskQueue: string, options: { resultTimeoutMs: number; run?: IssuerRunOptions }) {
  async function send(couponId: string, claim: { claimId: string; userId: string }): Promise<ClaimOutcome> {
    const workflowId = couponIssuerWorkflowId(couponId);
    for (let attempt = 0; ; attempt += 1) {
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof couponIssuer>('couponIssuer', {
        workflowId,
        taskQueue,
        args: [{ couponId, ...options.run }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: [{ key: CouponIdAttribute, value: couponId }],
      });
      try {
        return await client.workflow.executeUpdateWithStart(claimUpdate, { args: [claim], updateId: claim.claimId, startWorkflowOperation });
      } catch (error) {
        if (!notTakenUp(error)) throw error;
        // A hand-over lasts one batch: tens of milliseconds.
        await pause(Math.min(20 * 2 ** attempt, 500));
      }
    }
  }

  return {
    /**
     * One customer's claim, as a claim of its own (a fresh claim id). `outcome` rejects
     * with OutcomePendingError if the answer takes longer than the timeout; the claim
     * itself stays queued and is settled.
     */
    async claim(input: IssueCouponInput): Promise<{ workflowId: string; claimId: string; outcome: ClaimOutcome }> {
      const workflowId = couponIssuerWorkflowId(input.couponId);
      const claimId = randomUUID();
      const outcome = await awaitOutcome(client, workflowId, () => send(input.couponId, { claimId, userId: input.userId }), options.resultTimeoutMs);
      return { workflowId, claimId, outcome };
    },
  };
}

export type CouponIssuer = ReturnType<typeof createCouponIssuer>;
