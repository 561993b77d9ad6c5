import { undoList } from '../../src/workflows/orderUndo';

describe('the order undo list', () => {
  it('gives back a placed order\'s reservation, then its coupon', () => {
    expect(undoList('placed', true)).toEqual(['releaseStock', 'restoreCoupon']);
    expect(undoList('placed', false)).toEqual(['releaseStock']);
  });

  it('refunds first once a charge was asked for, answered or not', () => {
    expect(undoList('charging', true)).toEqual(['refundPayment', 'releaseStock', 'restoreCoupon']);
    expect(undoList('charging', false)).toEqual(['refundPayment', 'releaseStock']);
  });

  it('returns confirmed stock before refunding once confirmation was asked for', () => {
    expect(undoList('confirming', true)).toEqual(['returnStock', 'refundPayment', 'releaseStock', 'restoreCoupon']);
    expect(undoList('confirming', false)).toEqual(['returnStock', 'refundPayment', 'releaseStock']);
  });
});
