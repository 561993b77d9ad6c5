import type { Refusal } from '../domain/errors';

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

/** One claim sent to a coupon's issuer workflow; claimId is also the Update's id. */
export interface CouponClaim {
  claimId: string;
  userId: string;
}

/** A claim's answer: the coupon issued to it, or the business refusal (SOLD_OUT, ...). */
export type ClaimOutcome =
  | { kind: 'issued'; coupon: IssuedCoupon }
  | { kind: 'refused'; refusal: Refusal };

export interface CouponIssuerInput {
  couponId: string;
  /** Claims one run settles before it continues as new (default in the workflow); tests set it small. */
  claimsPerRun?: number;
  /** How long the issuer waits for a claim before it closes (default in the workflow). */
  idleTimeoutMs?: number;
}

/** A batch of claims on one coupon, settled in one transaction. */
export interface SettleClaimsInput {
  couponId: string;
  claims: CouponClaim[];
}

/** An issuer run at a glance: claims waiting for the next batch, claims this run took, and whether it is handing over. */
export interface IssuerProgress {
  couponId: string;
  waitingClaims: number;
  claimsTakenThisRun: number;
  handingOver: boolean;
}
