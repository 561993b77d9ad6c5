import type { Refusal } from './errors';

/**
 * Coupon rules as plain functions over plain data, so they are unit-tested without a
 * database and restated nowhere else. Amounts are integers in the smallest currency unit.
 */
export type DiscountType = 'FIXED' | 'PERCENTAGE';

export interface CouponTerms {
  discountType: DiscountType;
  discountValue: number;
  minOrderAmount: number;
  totalQuantity: number;
  validFrom: Date;
  validUntil: Date;
}

export interface CouponSupply {
  totalQuantity: number;
  issuedQuantity: number;
  validFrom: Date;
  validUntil: Date;
}

export interface TermsProblem {
  field: keyof CouponTerms;
  message: string;
}

/** Cross-field rules a single field's schema cannot express. */
export function couponTermsProblems(terms: CouponTerms): TermsProblem[] {
  const problems: TermsProblem[] = [];
  if (terms.discountType === 'PERCENTAGE' && (terms.discountValue < 1 || terms.discountValue > 100)) {
    problems.push({ field: 'discountValue', message: 'a PERCENTAGE discount is between 1 and 100' });
  }
  if (terms.validUntil.getTime() <= terms.validFrom.getTime()) {
    problems.push({ field: 'validUntil', message: 'validUntil must be after validFrom' });
  }
  return problems;
}

/** The issue window is half-open: from validFrom (inclusive) until validUntil (exclusive). */
export const isInIssuePeriod = (coupon: Pick<CouponSupply, 'validFrom' | 'validUntil'>, now: Date): boolean =>
  coupon.validFrom.getTime() <= now.getTime() && now.getTime() < coupon.validUntil.getTime();

export const remainingQuantity = (coupon: Pick<CouponSupply, 'totalQuantity' | 'issuedQuantity'>): number =>
  Math.max(0, coupon.totalQuantity - coupon.issuedQuantity);

export type IssueRefusal = 'NOT_IN_ISSUE_PERIOD' | 'ALREADY_ISSUED' | 'SOLD_OUT';

/**
 * Why this user may not receive this coupon now, or null when they may. The order
 * matters to the caller: outside the period nothing else is worth saying; a user who
 * already holds the coupon learns that rather than "sold out".
 */
export function issueRefusal(coupon: CouponSupply, context: { now: Date; alreadyHeld: boolean }): IssueRefusal | null {
  if (!isInIssuePeriod(coupon, context.now)) return 'NOT_IN_ISSUE_PERIOD';
  if (context.alreadyHeld) return 'ALREADY_ISSUED';
  if (remainingQuantity(coupon) <= 0) return 'SOLD_OUT';
  return null;
}

/** The amount a coupon takes off an order total; never more than the total itself. */
export function discountFor(
  coupon: Pick<CouponTerms, 'discountType' | 'discountValue' | 'minOrderAmount'>,
  orderTotal: number,
): number {
  if (orderTotal < coupon.minOrderAmount) return 0;
  const raw =
    coupon.discountType === 'FIXED' ? coupon.discountValue : Math.floor((orderTotal * coupon.discountValue) / 100);
  return Math.min(raw, orderTotal);
}

export type UserCouponStatus = 'AVAILABLE' | 'USED' | 'EXPIRED';

/** EXPIRED is derived from the clock, not stored, so no job has to flip rows at midnight. */
export function userCouponStatus(
  userCoupon: { usedAt: Date | null; expiresAt: Date },
  now: Date,
): UserCouponStatus {
  if (userCoupon.usedAt !== null) return 'USED';
  return now.getTime() >= userCoupon.expiresAt.getTime() ? 'EXPIRED' : 'AVAILABLE';
}

/** The refusal for a coupon id nobody created: the same from the API's read, the issuer and the retired per-claim activity. */
export const couponNotFound = (couponId: string): Refusal => ({
  code: 'COUPON_NOT_FOUND',
  message: `coupon ${couponId} does not exist`,
  details: { couponId },
});

/** The words and details a refusal carries, the same from the API's fast path and the activity. */
export function describeRefusal(
  refusal: IssueRefusal,
  coupon: Pick<CouponSupply, 'validFrom' | 'validUntil'>,
  heldUserCouponId?: string,
): { message: string; details: Record<string, string> | null } {
  switch (refusal) {
    case 'NOT_IN_ISSUE_PERIOD':
      return {
        message: 'the coupon is outside its issue period',
        details: { validFrom: coupon.validFrom.toISOString(), validUntil: coupon.validUntil.toISOString() },
      };
    case 'ALREADY_ISSUED':
      return { message: 'you already hold this coupon', details: heldUserCouponId ? { userCouponId: heldUserCouponId } : null };
    case 'SOLD_OUT':
      return { message: 'every coupon has been issued', details: null };
  }
}

/** One customer's request for a coupon; claimId tells this request apart from any other. */
export interface ClaimRequest {
  claimId: string;
  userId: string;
}

/** A coupon a user already holds, and the claim that got it (null if issued before claims had ids). */
export interface HeldCoupon {
  userCouponId: string;
  claimId: string | null;
}

export type ClaimDecision =
  | { kind: 'issue' }
  /** This very claim was settled before (a retried batch): its coupon is the answer again. */
  | { kind: 'issued-before'; userCouponId: string }
  /** heldUserCouponId: the coupon held before this batch; one taken earlier in the batch is found by the caller. */
  | { kind: 'refuse'; refusal: IssueRefusal; heldUserCouponId?: string };

/**
 * Decides a batch of claims on one coupon in arrival order, as if each ran alone: the
 * supply each claim sees already counts the coupons the claims before it take, and a
 * user's second claim in the same batch finds the coupon its first one takes. A claim
 * that was already settled (a batch re-run after a crash or a retry) is answered with its
 * own coupon, and re-running a claim in two batches never issues twice.
 */
export function decideClaims(
  coupon: CouponSupply,
  claims: ClaimRequest[],
  held: ReadonlyMap<string, HeldCoupon>,
  now: Date,
): ClaimDecision[] {
  let issuedQuantity = coupon.issuedQuantity;
  const takenInBatch = new Set<string>(); // users this batch issues to
  return claims.map((claim): ClaimDecision => {
    const already = held.get(claim.userId);
    if (already && already.claimId === claim.claimId) return { kind: 'issued-before', userCouponId: already.userCouponId };
    const alreadyHeld = already !== undefined || takenInBatch.has(claim.userId);
    const refusal = issueRefusal({ ...coupon, issuedQuantity }, { now, alreadyHeld });
    if (refusal) {
      return { kind: 'refuse', refusal, heldUserCouponId: already?.userCouponId };
    }
    issuedQuantity += 1;
    takenInBatch.add(claim.userId);
    return { kind: 'issue' };
  });
}
