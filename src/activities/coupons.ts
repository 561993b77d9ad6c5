import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { IssueCouponInput, IssuedCoupon } from '../contracts/coupons';
import { createCouponRepository } from '../db/repositories/coupons';
import { createUserCouponRepository, type UserCoupon } from '../db/repositories/userCoupons';
import { describeRefusal, issueRefusal } from '../domain/coupon';
import { BusinessErrorCode } from '../domain/errors';
import { refuse } from './refusal';

const toIssued = (row: UserCoupon): IssuedCoupon => ({
  userCouponId: row.id,
  couponId: row.couponId,
  status: 'AVAILABLE',
  expiresAt: row.expiresAt.toISOString(),
  issuedAt: row.issuedAt.toISOString(),
});

export const createCouponActivities = (deps: { db: Knex; now?: () => Date }) => {
  const coupons = createCouponRepository(deps.db);
  const userCoupons = createUserCouponRepository(deps.db);
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * Issues one coupon to one user in one transaction: lock the coupon row, apply the
     * domain rules, insert the user's coupon and count it. Safe to retry: a retry of the
     * same workflow run finds the row it already wrote and returns it.
     */
    async claimCoupon(input: IssueCouponInput): Promise<IssuedCoupon> {
      const runId = Context.current().info.workflowExecution?.runId;
      if (!runId) throw new Error('claimCoupon must run inside a workflow');
      const result = await deps.db.transaction(async (trx) => {
        const coupon = await coupons.lockForIssue(trx, input.couponId);
        if (!coupon) throw refuse(BusinessErrorCode.COUPON_NOT_FOUND, `coupon ${input.couponId} does not exist`);

        const held = await userCoupons.find(trx, input.userId, input.couponId);
        if (held && held.issuedByRunId === runId) return toIssued(held);

        const at = now();
        const refusal = issueRefusal(coupon, { now: at, alreadyHeld: held !== undefined });
        if (refusal) {
          const { message, details } = describeRefusal(refusal, coupon, held?.id);
          throw refuse(refusal, message, details ?? undefined);
        }

        const issued = await userCoupons.insert(trx, {
          userId: input.userId,
          couponId: input.couponId,
          expiresAt: coupon.validUntil,
          issuedAt: at,
          issuedByRunId: runId,
        });
        await coupons.incrementIssued(trx, input.couponId);
        return toIssued(issued);
      });
      // Logged after the commit; the activity logger adds workflowId, runId and activity ids.
      Context.current().log.info('coupon issued', { couponId: input.couponId, userCouponId: result.userCouponId });
      return result;
    },
  };
};

export type CouponActivities = ReturnType<typeof createCouponActivities>;
