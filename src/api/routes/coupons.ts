import { couponNotFound } from '../../domain/coupon';
import { createCouponRepository } from '../../db/repositories/coupons';
import { createCouponClaims } from '../../orchestration/couponClaims';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { idParams } from '../schemas';
import { couponSchema, createCouponBody, issuedCouponSchema, presentCoupon } from './coupons.schemas';

export const couponRoutes = (deps: AppDeps) => {
  const coupons = createCouponRepository(deps.db);
  const claims = createCouponClaims({ db: deps.db, issuer: deps.couponIssuer });
  const notFound = (id: string) => {
    const refusal = couponNotFound(id);
    return new ApiError(refusal.code, refusal.message, refusal.details);
  };

  return [
    defineRoute({
      method: 'post',
      path: '/admin/coupons',
      operationId: 'createCoupon',
      summary: 'Create a first-come-first-served coupon',
      description:
        'Admin only. Creates a coupon with a fixed or percentage discount, a quantity issued first come first served, and a validity window.',
      tag: 'admin',
      access: 'admin',
      body: createCouponBody,
      success: { status: 201, description: 'The new coupon', schema: couponSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN'],
      handle: async ({ body }) => presentCoupon(await coupons.insert(body)),
    }),
    defineRoute({
      method: 'get',
      path: '/coupons/:id',
      operationId: 'getCoupon',
      summary: 'A coupon and how many remain',
      description:
        "A coupon's terms and how many are left to claim.",
      tag: 'coupons',
      access: 'public',
      params: idParams,
      success: { status: 200, description: 'The coupon', schema: couponSchema },
      errors: ['VALIDATION_FAILED', 'COUPON_NOT_FOUND'],
      async handle({ params }) {
        const coupon = await coupons.findById(params.id);
        if (!coupon) throw notFound(params.id);
        return presentCoupon(coupon);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/coupons/:id/issue',
      operationId: 'issueCoupon',
      summary: 'Claim one coupon for the signed-in customer (one per customer, first come first served)',
      description:
        'Claims one coupon for the signed-in customer. Exact under a rush: never more issued than the quantity, never two to one customer. Answers SOLD_OUT once none are left.',
      tag: 'coupons',
      access: 'customer',
      params: idParams,
      success: { status: 201, description: 'The coupon now held by the customer', schema: issuedCouponSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'COUPON_NOT_FOUND', 'SOLD_OUT', 'ALREADY_ISSUED', 'NOT_IN_ISSUE_PERIOD', 'SERVICE_UNAVAILABLE'],
      handle: ({ params, principal, req }) => claims.claim({ couponId: params.id, userId: principal.userId }, req.log),
    }),
  ];
};
