import { completeOrderWorkflowId, couponIssuerWorkflowId, orderWorkflowId } from '../../src/contracts/workflowIds';

describe('couponIssuerWorkflowId', () => {
  const coupon = '6f1c1d5e-9a0b-4c5d-8e7f-0a1b2c3d4e5f';

  it('is one per coupon, whatever the case of the id', () => {
    expect(couponIssuerWorkflowId(coupon)).toBe(`coupon:${coupon}`);
    expect(couponIssuerWorkflowId(coupon.toUpperCase())).toBe(couponIssuerWorkflowId(coupon));
  });

  it('refuses anything but a UUID, so no caller-chosen text reaches an id', () => {
    expect(() => couponIssuerWorkflowId('../../x')).toThrow(/UUID/);
    expect(() => couponIssuerWorkflowId(`${coupon}:extra`)).toThrow(/UUID/);
  });
});

describe('order workflow ids', () => {
  const user = '0b9e8c7d-6a5f-4e3d-9c2b-1a0f9e8d7c6b';

  it('scope the Idempotency-Key to its customer', () => {
    expect(orderWorkflowId(user, 'checkout-1')).toBe(`order:${user}:checkout-1`);
    expect(orderWorkflowId(user, 'checkout-1')).not.toBe(orderWorkflowId('1b9e8c7d-6a5f-4e3d-9c2b-1a0f9e8d7c6b', 'checkout-1'));
  });

  it('refuse a key outside [A-Za-z0-9_-]{1,64}', () => {
    expect(() => orderWorkflowId(user, 'a:b')).toThrow(/Idempotency-Key/);
    expect(() => orderWorkflowId(user, 'x'.repeat(65))).toThrow(/Idempotency-Key/);
  });

  it('number each payment attempt of an order', () => {
    expect(completeOrderWorkflowId(user, 2)).toBe(`complete-order:${user}:2`);
  });
});
