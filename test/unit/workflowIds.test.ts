import { couponIssueWorkflowId } from '../../src/contracts/workflowIds';

describe('couponIssueWorkflowId', () => {
  const coupon = '6f1c1d5e-9a0b-4c5d-8e7f-0a1b2c3d4e5f';
  const user = '0b9e8c7d-6a5f-4e3d-9c2b-1a0f9e8d7c6b';

  it('is the same for the same claim, whatever the case of the ids', () => {
    expect(couponIssueWorkflowId(coupon, user)).toBe(`coupon-issue:${coupon}:${user}`);
    expect(couponIssueWorkflowId(coupon.toUpperCase(), user)).toBe(couponIssueWorkflowId(coupon, user));
  });

  it('differs between users and between coupons', () => {
    expect(couponIssueWorkflowId(coupon, user)).not.toBe(couponIssueWorkflowId(user, coupon));
  });

  it('refuses anything but UUIDs, so no caller-chosen text reaches an id', () => {
    expect(() => couponIssueWorkflowId('../../x', user)).toThrow(/UUID/);
    expect(() => couponIssueWorkflowId(coupon, `${user}:extra`)).toThrow(/UUID/);
  });
});
