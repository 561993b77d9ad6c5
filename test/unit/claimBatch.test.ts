import fc from 'fast-check';
import { decideClaims, issueRefusal, type ClaimRequest, type HeldCoupon } from '../../src/domain/coupon';

const period = { validFrom: new Date('2026-11-25T10:00:00Z'), validUntil: new Date('2026-11-26T10:00:00Z') };
const inPeriod = new Date('2026-11-25T12:00:00Z');

/** The rule a batch must keep: the same answers as the claims settled one at a time. */
function oneAtATime(coupon: { totalQuantity: number; issuedQuantity: number }, claims: ClaimRequest[], held: Map<string, HeldCoupon>) {
  let issued = coupon.issuedQuantity;
  const holders = new Map([...held].map(([user, h]) => [user, h.claimId]));
  return claims.map((claim) => {
    if (holders.has(claim.userId) && holders.get(claim.userId) === claim.claimId) return 'issued';
    const refusal = issueRefusal({ ...period, totalQuantity: coupon.totalQuantity, issuedQuantity: issued }, { now: inPeriod, alreadyHeld: holders.has(claim.userId) });
    if (refusal) return refusal;
    issued += 1;
    holders.set(claim.userId, claim.claimId);
    return 'issued';
  });
}

const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
const batchArbitrary = fc.record({
  totalQuantity: fc.integer({ min: 1, max: 8 }),
  issuedBefore: fc.integer({ min: 0, max: 8 }),
  claims: fc.array(fc.record({ userId: fc.constantFrom(...users), claimId: fc.uuid() }), { maxLength: 20 }),
  heldBy: fc.subarray(users),
});

describe('deciding a batch of claims', () => {
  it('answers as if each claim ran alone, in arrival order, never past the quantity or twice per user', () => {
    fc.assert(
      fc.property(batchArbitrary, ({ totalQuantity, issuedBefore, claims, heldBy }) => {
        const issuedQuantity = Math.min(issuedBefore + heldBy.length, totalQuantity);
        const held = new Map(heldBy.map((u): [string, HeldCoupon] => [u, { userCouponId: `row-${u}`, claimId: null }]));
        const decisions = decideClaims({ ...period, totalQuantity, issuedQuantity }, claims, held, inPeriod);

        const issues = decisions.filter((d) => d.kind === 'issue');
        expect(issues.length).toBeLessThanOrEqual(totalQuantity - issuedQuantity);
        const winners = claims.filter((_, i) => decisions[i].kind === 'issue').map((c) => c.userId);
        expect(new Set(winners).size).toBe(winners.length);
        for (const winner of winners) expect(held.has(winner)).toBe(false);
        expect(decisions.map((d) => (d.kind === 'refuse' ? d.refusal : 'issued'))).toEqual(oneAtATime({ totalQuantity, issuedQuantity }, claims, held));
      }),
    );
  });

  it('answers a claim settled before with its own coupon, and another claim of that user ALREADY_ISSUED', () => {
    const held = new Map<string, HeldCoupon>([['u1', { userCouponId: 'row-1', claimId: 'claim-a' }]]);
    const decisions = decideClaims({ ...period, totalQuantity: 1, issuedQuantity: 1 }, [
      { claimId: 'claim-a', userId: 'u1' },
      { claimId: 'claim-b', userId: 'u1' },
      { claimId: 'claim-c', userId: 'u2' },
    ], held, inPeriod);
    expect(decisions).toEqual([
      { kind: 'issued-before', userCouponId: 'row-1' },
      { kind: 'refuse', refusal: 'ALREADY_ISSUED', heldUserCouponId: 'row-1' },
      { kind: 'refuse', refusal: 'SOLD_OUT', heldUserCouponId: undefined },
    ]);
  });

  it('refuses every claim outside the issue period', () => {
    const early = new Date('2026-11-25T09:59:59Z');
    const decisions = decideClaims({ ...period, totalQuantity: 5, issuedQuantity: 0 }, [{ claimId: 'a', userId: 'u1' }], new Map(), early);
    expect(decisions).toEqual([{ kind: 'refuse', refusal: 'NOT_IN_ISSUE_PERIOD', heldUserCouponId: undefined }]);
  });
});
