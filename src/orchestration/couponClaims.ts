import type { Knex } from 'knex';
import type { IssueCouponInput, IssuedCoupon } from '../contracts/coupons';
import { createCouponRepository } from '../db/repositories/coupons';
import { createUserCouponRepository } from '../db/repositories/userCoupons';
import { describeRefusal, issueRefusal } from '../domain/coupon';
import { BusinessError } from '../domain/errors';
import type { Logger } from '../logging/logger';
import type { CouponIssuer } from './couponIssuer';

/**
 * A customer's claim on a coupon, as the API sees it: answer what is already certain
 * from a plain read, otherwise send the claim to the coupon's issuer and wait for its answer.
 */
export function createCouponClaims(deps: { db: Knex; issuer: CouponIssuer }) {
  const coupons = createCouponRepository(deps.db);
  const userCoupons = createUserCouponRepository(deps.db);

  return {
    /** Throws BusinessError for a refusal, OutcomePendingError when the answer takes longer than the wait. */
    async claim(input: IssueCouponInput, log: Logger): Promise<IssuedCoupon> {
      // Fast path: every refusal decided here is final (issued_quantity never falls, a
      // held coupon stays held, the period is fixed), so a stale read can only delay a
      // refusal, never cause a wrong one; after a sell-out the rush costs one indexed
      // read per request. A claim that may succeed always goes to the issuer.
      const coupon = await coupons.findById(input.couponId);
      if (!coupon) {
        throw new BusinessError('COUPON_NOT_FOUND', `coupon ${input.couponId} does not exist`, { couponId: input.couponId });
      }
      const held = await userCoupons.find(deps.db, input.userId, coupon.id);
      const refusal = issueRefusal(coupon, { now: new Date(), alreadyHeld: held !== undefined });
      if (refusal) {
        const { message, details } = describeRefusal(refusal, coupon, held?.id);
        throw new BusinessError(refusal, message, details);
      }

      const { workflowId, claimId, outcome } = await deps.issuer.claim(input);
      log.debug({ workflowId, claimId, couponId: input.couponId, outcome: outcome.kind }, 'coupon claim settled');
      if (outcome.kind === 'refused') throw new BusinessError(outcome.refusal.code, outcome.refusal.message, outcome.refusal.details);
      return outcome.coupon;
    },
  };
}
