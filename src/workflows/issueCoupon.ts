import { proxyLocalActivities } from '@temporalio/workflow';
import type { CouponActivities } from '../activities/coupons';
import type { IssueCouponInput, IssuedCoupon } from '../contracts/coupons';
import { singleClaimOptions } from './activityOptions';
import { unwrapBusinessFailure } from './refusals';

const { claimCoupon } = proxyLocalActivities<CouponActivities>(singleClaimOptions);

/**
 * Issues a coupon to a user (retired: see src/workflows/index.ts). The claim runs as a
 * local activity: one short database transaction in the worker that holds the
 * workflow task, with no activity task sent through the server and back.
 */
export async function issueCoupon(input: IssueCouponInput): Promise<IssuedCoupon> {
  try {
    return await claimCoupon(input);
  } catch (error) {
    throw unwrapBusinessFailure(error);
  }
}
