import { createCouponRepository } from '../../db/repositories/coupons';
import { createUserCouponRepository } from '../../db/repositories/userCoupons';
import { describeRefusal, issueRefusal } from '../../domain/coupon';
import { OutcomePendingError } from '../../orchestration/awaitOutcome';
import { businessFailureOf } from '../../orchestration/workflowFailure';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { idParams } from '../schemas';
import { couponSchema, createCouponBody, issuedCouponSchema, presentCoupon } from './coupons.schemas';

export const couponRoutes = (deps: AppDeps) => {
  const coupons = createCouponRepository(deps.db);
  const userCoupons = createUserCouponRepository(deps.db);
  const notFound = (id: string) => new ApiError('COUPON_NOT_FOUND', `coupon ${id} does not exist`, { couponId: id });

  return [
    defineRoute({
      method: 'post',
      path: '/admin/coupons',
      summary: 'Create a first-come-first-served coupon',
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
      summary: 'A coupon and how many remain',
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
      summary: 'Claim one coupon for the signed-in customer (one per customer, first come first served)',
      tag: 'coupons',
      access: 'customer',
      params: idParams,
      success: { status: 201, description: 'The coupon now held by the customer', schema: issuedCouponSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'COUPON_NOT_FOUND', 'SOLD_OUT', 'ALREADY_ISSUED', 'NOT_IN_ISSUE_PERIOD', 'SERVICE_UNAVAILABLE'],
      async handle({ params, principal, req, res }) {
        // Fast path: answer what is already certain without starting a workflow. Every
        // refusal here is final (issued_quantity never falls, a held coupon stays held,
        // the period is fixed), so a stale read can only delay a refusal, never cause a
        // wrong one; after a sell-out the rush is answered from one indexed read. A claim
        // that may succeed always goes through the workflow and the row lock.
        const coupon = await coupons.findById(params.id);
        if (!coupon) throw notFound(params.id);
        const held = await userCoupons.find(deps.db, principal.userId, coupon.id);
        const refusal = issueRefusal(coupon, { now: new Date(), alreadyHeld: held !== undefined });
        if (refusal) {
          const { message, details } = describeRefusal(refusal, coupon, held?.id);
          throw new ApiError(refusal, message, details);
        }
        const { workflowId, result } = await deps.couponIssue.issue({ couponId: params.id, userId: principal.userId });
        req.log.info({ workflowId, couponId: params.id }, 'coupon issue workflow started or joined');
        try {
          return await result;
        } catch (error) {
          if (error instanceof OutcomePendingError) {
            res.setHeader('Retry-After', '1');
            throw new ApiError('SERVICE_UNAVAILABLE', 'the claim is accepted and still running; repeat the same request for its outcome', {
              workflowId,
            });
          }
          const failure = businessFailureOf(error);
          if (failure) throw new ApiError(failure.code, failure.message, failure.details);
          req.log.error({ err: error, workflowId }, 'coupon issue workflow failed without a business reason');
          throw new ApiError('SERVICE_UNAVAILABLE', 'the claim could not be completed; retrying the same request is safe', {
            workflowId,
          });
        }
      },
    }),
  ];
};
