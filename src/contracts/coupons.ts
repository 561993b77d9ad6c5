/** What the API, the workflow and the activities say to each other about coupon issue. */
export interface IssueCouponInput {
  couponId: string;
  userId: string;
}

/** Dates travel as ISO strings: workflow payloads are JSON. */
export interface IssuedCoupon {
  userCouponId: string;
  couponId: string;
  status: 'AVAILABLE';
  expiresAt: string;
  issuedAt: string;
}
