import { cancellation, isRefusal, orderTotal, orderTransition, paymentRefusal, priceOrder, unitPrice, type HeldCoupon, type OrderStatus } from '../../src/domain/order';
import { orderIdFor } from '../../src/orchestration/orderIds';
import { isUuid } from '../../src/contracts/uuid';

const now = new Date('2026-11-25T12:00:00Z');
const context = { userId: 'u1', orderId: 'o1', now, userCouponId: 'c1' };
const coupon = (overrides: Partial<HeldCoupon> = {}): HeldCoupon & { id: string } => ({
  id: 'c1',
  userId: 'u1',
  usedAt: null,
  usedOrderId: null,
  expiresAt: new Date('2026-12-01T00:00:00Z'),
  discountType: 'FIXED',
  discountValue: 1000,
  minOrderAmount: 0,
  ...overrides,
});

describe('order pricing', () => {
  it('prices lines at product price plus option surcharge', () => {
    expect(unitPrice(30000, 2000)).toBe(32000);
    expect(orderTotal([{ unitPrice: 32000, quantity: 2 }, { unitPrice: 500, quantity: 3 }])).toBe(65500);
  });

  it('without a coupon the total is what is paid', () => {
    expect(priceOrder(5000, null, { ...context, userCouponId: null })).toEqual({ totalAmount: 5000, discountAmount: 0, finalAmount: 5000 });
  });

  it('FIXED takes min(value, total); PERCENTAGE takes floor(total * value / 100)', () => {
    expect(priceOrder(5000, coupon(), context)).toEqual({ totalAmount: 5000, discountAmount: 1000, finalAmount: 4000 });
    expect(priceOrder(999, coupon({ discountType: 'PERCENTAGE', discountValue: 15 }), context)).toEqual({
      totalAmount: 999,
      discountAmount: 149,
      finalAmount: 850,
    });
  });

  it('refuses a total that does not fit an amount column', () => {
    expect(priceOrder(2_147_483_648, null, { ...context, userCouponId: null })).toMatchObject({ code: 'ORDER_TOO_LARGE' });
    expect(isRefusal(priceOrder(2_147_483_647, null, { ...context, userCouponId: null }))).toBe(false);
  });

  it('refuses a discount that would leave nothing to pay', () => {
    expect(priceOrder(1000, coupon({ discountValue: 1000 }), context)).toMatchObject({ code: 'DISCOUNT_EXCEEDS_TOTAL' });
    expect(priceOrder(1000, coupon({ discountType: 'PERCENTAGE', discountValue: 100 }), context)).toMatchObject({ code: 'DISCOUNT_EXCEEDS_TOTAL' });
  });

  it('refuses a total under the minimum, naming both amounts', () => {
    expect(priceOrder(4999, coupon({ minOrderAmount: 5000 }), context)).toEqual({
      code: 'COUPON_MIN_ORDER_NOT_MET',
      message: expect.any(String),
      details: { userCouponId: 'c1', minOrderAmount: 5000, totalAmount: 4999 },
    });
    expect(isRefusal(priceOrder(5000, coupon({ minOrderAmount: 5000 }), context))).toBe(false);
  });

  it.each([
    ['missing', undefined, 'NOT_FOUND'],
    ["someone else's", coupon({ userId: 'u2' }), 'NOT_FOUND'],
    ['used by another order', coupon({ usedAt: now, usedOrderId: 'o2' }), 'USED'],
    ['expired', coupon({ expiresAt: now }), 'EXPIRED'],
  ])('refuses a coupon that is %s', (_label, held, reason) => {
    expect(priceOrder(5000, held, context)).toMatchObject({ code: 'COUPON_NOT_USABLE', details: { reason } });
  });

  it('accepts the coupon this very order already used (a retried placement)', () => {
    expect(isRefusal(priceOrder(5000, coupon({ usedAt: now, usedOrderId: 'o1', expiresAt: now }), context))).toBe(false);
  });
});

describe('orderTransition', () => {
  const finals: OrderStatus[] = ['COMPLETED', 'CANCELLED', 'EXPIRED', 'FAILED'];

  it('an order waiting for payment may end any way, once', () => {
    for (const to of finals) expect(orderTransition('PENDING_PAYMENT', to)).toBe('apply');
    expect(orderTransition('PENDING_PAYMENT', 'PENDING_PAYMENT')).toBe('already-done');
  });

  it('an ended order repeats its own end and refuses every other', () => {
    for (const from of finals) {
      for (const to of [...finals, 'PENDING_PAYMENT' as const]) {
        expect(orderTransition(from, to)).toBe(from === to ? 'already-done' : 'refuse');
      }
    }
  });
});

describe('orderIdFor', () => {
  it('derives one stable UUID per order workflow', () => {
    const id = orderIdFor('order:7f1b1a52-7a0e-4c8e-9d52-5c1e0c1d2e3f:key-1');
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('8');
    expect(orderIdFor('order:7f1b1a52-7a0e-4c8e-9d52-5c1e0c1d2e3f:key-1')).toBe(id);
    expect(orderIdFor('order:7f1b1a52-7a0e-4c8e-9d52-5c1e0c1d2e3f:key-2')).not.toBe(id);
  });
});

describe('when an order may be paid or cancelled', () => {
  const standing = { orderId: 'o1', state: 'PENDING_PAYMENT' as const, paying: false, cancelling: false, reservationExpiresAt: '2026-12-01T12:00:00.000Z' };
  const before = Date.parse('2026-12-01T11:59:59.999Z');

  it('lets a placed order waiting for payment be paid while its reservation holds', () => {
    expect(paymentRefusal(standing, before)).toBeNull();
  });

  it('refuses, in order: a payment running, another state, a cancellation under way, an ended reservation', () => {
    expect(paymentRefusal({ ...standing, paying: true, state: 'COMPLETED' }, before)).toEqual({
      code: 'PAYMENT_IN_PROGRESS',
      message: 'a payment of this order is in progress',
      details: { orderId: 'o1' },
    });
    expect(paymentRefusal({ ...standing, state: 'EXPIRED', cancelling: true }, before)).toEqual({
      code: 'ORDER_NOT_PAYABLE',
      message: 'the order is EXPIRED',
      details: { orderId: 'o1', status: 'EXPIRED' },
    });
    expect(paymentRefusal({ ...standing, cancelling: true }, Date.parse('2027-01-01T00:00:00Z'))?.message).toBe('the order is being cancelled');
    expect(paymentRefusal(standing, Date.parse(standing.reservationExpiresAt))).toEqual({
      code: 'ORDER_NOT_PAYABLE',
      message: 'the reservation has expired',
      details: { orderId: 'o1', status: 'EXPIRED' },
    });
  });

  it('cancels an order waiting for payment unless a payment runs; a cancelled one answers again', () => {
    expect(cancellation(standing)).toBe('cancel');
    expect(cancellation({ ...standing, state: 'CANCELLED' })).toBe('already-cancelled');
    expect(cancellation({ ...standing, paying: true })).toEqual({
      code: 'ORDER_NOT_CANCELLABLE',
      message: 'a payment is in progress',
      details: { orderId: 'o1', status: 'PENDING_PAYMENT' },
    });
    for (const state of ['PLACING', 'REFUSED', 'COMPLETED', 'EXPIRED', 'FAILED'] as const) {
      expect(cancellation({ ...standing, state })).toEqual({
        code: 'ORDER_NOT_CANCELLABLE',
        message: `the order is ${state}`,
        details: { orderId: 'o1', status: state },
      });
    }
  });
});
