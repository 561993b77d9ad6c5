import {
  couponTermsProblems,
  discountFor,
  isInIssuePeriod,
  issueRefusal,
  remainingQuantity,
  userCouponStatus,
  type CouponTerms,
} from '../../src/domain/coupon';

const at = (iso: string) => new Date(iso);
const supply = (overrides: Partial<{ totalQuantity: number; issuedQuantity: number }> = {}) => ({
  totalQuantity: 10,
  issuedQuantity: 0,
  validFrom: at('2026-11-25T10:00:00Z'),
  validUntil: at('2026-11-26T10:00:00Z'),
  ...overrides,
});

describe('issue period', () => {
  it('opens at validFrom and closes at validUntil (half-open)', () => {
    const coupon = supply();
    expect(isInIssuePeriod(coupon, at('2026-11-25T09:59:59.999Z'))).toBe(false);
    expect(isInIssuePeriod(coupon, at('2026-11-25T10:00:00Z'))).toBe(true);
    expect(isInIssuePeriod(coupon, at('2026-11-26T09:59:59.999Z'))).toBe(true);
    expect(isInIssuePeriod(coupon, at('2026-11-26T10:00:00Z'))).toBe(false);
  });
});

describe('issueRefusal', () => {
  const inPeriod = at('2026-11-25T12:00:00Z');

  it('allows a claim in period, with stock, by a new holder', () => {
    expect(issueRefusal(supply(), { now: inPeriod, alreadyHeld: false })).toBeNull();
  });

  it('refuses outside the period before anything else', () => {
    const soldOut = supply({ issuedQuantity: 10 });
    expect(issueRefusal(soldOut, { now: at('2027-01-01T00:00:00Z'), alreadyHeld: true })).toBe('NOT_IN_ISSUE_PERIOD');
  });

  it('tells a holder they already have it, even when sold out', () => {
    expect(issueRefusal(supply({ issuedQuantity: 10 }), { now: inPeriod, alreadyHeld: true })).toBe('ALREADY_ISSUED');
  });

  it('refuses when every coupon is issued', () => {
    expect(issueRefusal(supply({ issuedQuantity: 10 }), { now: inPeriod, alreadyHeld: false })).toBe('SOLD_OUT');
    expect(issueRefusal(supply({ issuedQuantity: 9 }), { now: inPeriod, alreadyHeld: false })).toBeNull();
  });
});

describe('remainingQuantity', () => {
  it('is total minus issued, never negative', () => {
    expect(remainingQuantity({ totalQuantity: 10, issuedQuantity: 3 })).toBe(7);
    expect(remainingQuantity({ totalQuantity: 10, issuedQuantity: 12 })).toBe(0);
  });
});

describe('couponTermsProblems', () => {
  const terms = (overrides: Partial<CouponTerms>): CouponTerms => ({
    discountType: 'FIXED',
    discountValue: 500,
    minOrderAmount: 0,
    totalQuantity: 10,
    validFrom: at('2026-11-25T10:00:00Z'),
    validUntil: at('2026-11-26T10:00:00Z'),
    ...overrides,
  });

  it('accepts sound terms', () => {
    expect(couponTermsProblems(terms({}))).toEqual([]);
    expect(couponTermsProblems(terms({ discountType: 'PERCENTAGE', discountValue: 100 }))).toEqual([]);
  });

  it('keeps a percentage between 1 and 100', () => {
    expect(couponTermsProblems(terms({ discountType: 'PERCENTAGE', discountValue: 101 }))).toEqual([
      { field: 'discountValue', message: expect.any(String) },
    ]);
    expect(couponTermsProblems(terms({ discountType: 'PERCENTAGE', discountValue: 0 }))).toHaveLength(1);
  });

  it('needs validUntil strictly after validFrom', () => {
    const same = at('2026-11-25T10:00:00Z');
    expect(couponTermsProblems(terms({ validFrom: same, validUntil: same }))).toEqual([
      { field: 'validUntil', message: expect.any(String) },
    ]);
  });
});

describe('discountFor', () => {
  it('takes a fixed amount off, never more than the total', () => {
    expect(discountFor({ discountType: 'FIXED', discountValue: 500, minOrderAmount: 0 }, 2000)).toBe(500);
    expect(discountFor({ discountType: 'FIXED', discountValue: 500, minOrderAmount: 0 }, 300)).toBe(300);
  });

  it('rounds a percentage down to the smallest unit', () => {
    expect(discountFor({ discountType: 'PERCENTAGE', discountValue: 15, minOrderAmount: 0 }, 999)).toBe(149);
  });

  it('gives nothing below the minimum order amount', () => {
    expect(discountFor({ discountType: 'FIXED', discountValue: 500, minOrderAmount: 1000 }, 999)).toBe(0);
    expect(discountFor({ discountType: 'FIXED', discountValue: 500, minOrderAmount: 1000 }, 1000)).toBe(500);
  });
});

describe('userCouponStatus', () => {
  const expiresAt = at('2026-11-26T10:00:00Z');
  it('is USED once used, whatever the clock', () => {
    expect(userCouponStatus({ usedAt: at('2026-11-25T11:00:00Z'), expiresAt }, at('2027-01-01T00:00:00Z'))).toBe('USED');
  });
  it('is AVAILABLE before expiry and EXPIRED from it', () => {
    expect(userCouponStatus({ usedAt: null, expiresAt }, at('2026-11-26T09:59:59Z'))).toBe('AVAILABLE');
    expect(userCouponStatus({ usedAt: null, expiresAt }, expiresAt)).toBe('EXPIRED');
  });
});
