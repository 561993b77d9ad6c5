import type { Knex } from 'knex';
import type { IssueCouponInput, IssuedCoupon } from '../contracts/coupons';
import { createUserCouponRepository } from '../db/repositories/userCoupons';
import { couponNotFound, describeRefusal, issueRefusal } from '../domain/coupon';
import { CodedError, refusalError } from '../domain/errors';
import type { Logger } from '../logging/logger';
import type { CouponIssuer } from './couponIssuer';
import { createCouponReads } from './couponReads';

/**
 * A customer's claim on a coupon, as the API sees it: answer what is already certain
 * from a plain read, otherwise send the claim to the coupon's issuer and wait for its answer.
 */
export function createCouponClaims(deps: { db: Knex; issuer: CouponIssuer }) {
  const coupons = createCouponReads(deps.db);
  const userCoupons = createUserCouponRepository(deps.db);

  return {
    /** Throws a refusal as a CodedError, OutcomePendingError when the answer takes longer than the wait. */
    async claim(input: IssueCouponInput, log: Logger): Promise<IssuedCoupon> {
      // Fast path: refuse from a (recent) read of the coupon only what is final: no
      // coupon, a period over or not begun, a sell-out (issued_quantity never falls). A
      // stale row can only delay such a refusal, never cause a wrong one; after a sell-out
      // the rest of the rush costs one indexed read per request and no Temporal at all.
      // Only then is the customer's holding read, to say ALREADY_ISSUED rather than
      // SOLD_OUT to a customer who holds one. Any claim that may succeed goes to the issuer.
      const coupon = await coupons.find(input.couponId);
      if (!coupon) {
        throw refusalError(couponNotFound(input.couponId));
      }
      const now = new Date();
      if (issueRefusal(coupon, { now, alreadyHeld: false })) {
        const held = await userCoupons.find(deps.db, input.userId, coupon.id);
        const refusal = issueRefusal(coupon, { now, alreadyHeld: held !== undefined })!;
        const { message, details } = describeRefusal(refusal, coupon, held?.id);
        throw new CodedError(refusal, message, details);
      }

      const { workflowId, claimId, outcome } = await deps.issuer.claim(input);
      log.debug({ workflowId, claimId, couponId: input.couponId, outcome: outcome.kind }, 'coupon claim settled');
      if (outcome.kind === 'refused') throw refusalError(outcome.refusal);
      return outcome.coupon;
    },
  };
}
