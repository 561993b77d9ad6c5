import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ClaimOutcome, CouponClaim, IssuerProgress } from './coupons';

/**
 * A claim on a coupon, sent with update-with-start to the coupon's issuer workflow
 * (src/workflows/couponIssuer.ts). The Update id is the claim id: a request the SDK
 * retries is answered once.
 */
export const claimUpdate = defineUpdate<ClaimOutcome, [CouponClaim]>('claim');

/**
 * The type of the validator's rejection while an issuer run is handing over to the next
 * one: the claim did not run, and the client sends it again (it lands on the new run).
 */
export const ISSUER_HANDING_OVER = 'ISSUER_HANDING_OVER';

/** What an issuer run is doing, for ops (Web UI "Queries" tab, `temporal workflow query`). */
export const issuerProgressQuery = defineQuery<IssuerProgress>('issuerProgress');
