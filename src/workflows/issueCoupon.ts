import { proxyLocalActivities } from '@temporalio/workflow';
import type { CouponActivities } from '../activities/coupons';
import type { IssueCouponInput, IssuedCoupon } from '../contracts/coupons';
import { unwrapBusinessFailure } from './businessFailure';

const { claimCoupon } = proxyLocalActivities<CouponActivities>({
  // One short transaction; even queued behind a flash sale's row lock it ends well
  // within a few seconds. 10 s trips on a stuck connection or a pool exhausted for that
  // long; the timed-out attempt may still commit, which is safe: the retry of the same
  // run finds the row it wrote (issued_by_run_id) and returns it.
  startToCloseTimeout: '10 seconds',
  // Infrastructure errors (database restarting, pool exhausted) are retried with
  // backoff for up to a minute; after that the claim fails and the client may retry it.
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
});

/**
 * Issues a coupon to a user. The claim runs as a local activity: it is one short
 * database transaction, and skipping the activity task round-trip roughly doubles the
 * claims per second the dev server can carry in a rush.
 */
export async function issueCoupon(input: IssueCouponInput): Promise<IssuedCoupon> {
  try {
    return await claimCoupon(input);
  } catch (error) {
    throw unwrapBusinessFailure(error);
  }
}
