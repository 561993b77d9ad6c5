import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { ClaimOutcome, IssueCouponInput, IssuedCoupon, SettleClaimsInput } from '../contracts/coupons';
import { createCouponRepository } from '../db/repositories/coupons';
import { createUserCouponRepository, type UserCoupon } from '../db/repositories/userCoupons';
import { couponNotFound, decideClaims, describeRefusal, issueRefusal, type HeldCoupon } from '../domain/coupon';
import { refuse } from './refusal';

const toIssued = (row: UserCoupon): IssuedCoupon => ({
  userCouponId: row.id,
  couponId: row.couponId,
  status: 'AVAILABLE',
  expiresAt: row.expiresAt.toISOString(),
  issuedAt: row.issuedAt.toISOString(),
});

export const createCouponActivities = (deps: { db: Knex; now?: () => Date }) => {
  const coupons = createCouponRepository(deps.db);
  const userCoupons = createUserCouponRepository(deps.db);
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * Settles a batch of claims on one coupon in one transaction: lock the coupon row
     * (every batch and every retired per-claim issue queues here), read what the
     * batch's users already hold, decide each claim by the domain rules, insert the
     * issued coupons in one statement and count them in one update. Answers are in the
     * order of the claims. Safe to run again for the same claims (a local activity re-runs
     * after a worker crash; a timed-out attempt may have committed): a claim whose row
     * exists is answered with that row, so nothing is issued twice.
     */
    async settleCouponClaims(input: SettleClaimsInput): Promise<ClaimOutcome[]> {
      const runId = Context.current().info.workflowExecution?.runId;
      if (!runId) throw new Error('settleCouponClaims must run inside a workflow');
      // The same claim twice in one batch (an Update retried across runs) is decided once.
      const claims = [...new Map(input.claims.map((c) => [c.claimId, c])).values()];
      const outcomes = await deps.db.transaction(async (trx) => {
        const coupon = await coupons.lockForIssue(trx, input.couponId);
        if (!coupon) {
          const refusal = couponNotFound(input.couponId);
          return new Map(claims.map((c): [string, ClaimOutcome] => [c.claimId, { kind: 'refused', refusal }]));
        }
        const rows = await userCoupons.findForUsers(trx, coupon.id, [...new Set(claims.map((c) => c.userId))]);
        const held = new Map<string, HeldCoupon>([...rows].map(([userId, row]) => [userId, { userCouponId: row.id, claimId: row.claimId }]));
        const at = now();
        const decisions = decideClaims(coupon, claims, held, at);

        const winners = claims.filter((_, i) => decisions[i].kind === 'issue');
        const inserted = await userCoupons.insertMany(
          trx,
          winners.map((c) => ({ userId: c.userId, couponId: coupon.id, expiresAt: coupon.validUntil, issuedAt: at, issuedByRunId: runId, claimId: c.claimId })),
        );
        if (inserted.length > 0) await coupons.incrementIssued(trx, coupon.id, inserted.length);
        const byUser = new Map([...rows, ...inserted.map((row): [string, UserCoupon] => [row.userId, row])]);

        return new Map(
          claims.map((claim, i): [string, ClaimOutcome] => {
            const decision = decisions[i];
            if (decision.kind !== 'refuse') return [claim.claimId, { kind: 'issued', coupon: toIssued(byUser.get(claim.userId)!) }];
            const heldId = decision.heldUserCouponId ?? byUser.get(claim.userId)?.id;
            const { message, details } = describeRefusal(decision.refusal, coupon, heldId);
            return [claim.claimId, { kind: 'refused', refusal: { code: decision.refusal, message, details } }];
          }),
        );
      });
      const issued = [...outcomes.values()].filter((o) => o.kind === 'issued').length;
      Context.current().log.info('coupon claims settled', { couponId: input.couponId, claims: input.claims.length, issued });
      return input.claims.map((c) => outcomes.get(c.claimId)!);
    },

    /**
     * Issues one coupon to one user in one transaction: lock the coupon row, apply the
     * domain rules, insert the user's coupon and count it. Safe to retry: a retry of the
     * same workflow run finds the row it already wrote and returns it.
     */
    async claimCoupon(input: IssueCouponInput): Promise<IssuedCoupon> {
      const runId = Context.current().info.workflowExecution?.runId;
      if (!runId) throw new Error('claimCoupon must run inside a workflow');
      const result = await deps.db.transaction(async (trx) => {
        const coupon = await coupons.lockForIssue(trx, input.couponId);
        if (!coupon) {
          const refusal = couponNotFound(input.couponId);
          throw refuse(refusal.code, refusal.message, refusal.details);
        }

        const held = await userCoupons.find(trx, input.userId, input.couponId);
        if (held && held.issuedByRunId === runId) return toIssued(held);

        const at = now();
        const refusal = issueRefusal(coupon, { now: at, alreadyHeld: held !== undefined });
        if (refusal) {
          const { message, details } = describeRefusal(refusal, coupon, held?.id);
          throw refuse(refusal, message, details ?? undefined);
        }

        const issued = await userCoupons.insert(trx, {
          userId: input.userId,
          couponId: input.couponId,
          expiresAt: coupon.validUntil,
          issuedAt: at,
          issuedByRunId: runId,
        });
        await coupons.incrementIssued(trx, input.couponId);
        return toIssued(issued);
      });
      // Logged after the commit; the activity logger adds workflowId, runId and activity ids.
      Context.current().log.info('coupon issued', { couponId: input.couponId, userCouponId: result.userCouponId });
      return result;
    },
  };
};

export type CouponActivities = ReturnType<typeof createCouponActivities>;
