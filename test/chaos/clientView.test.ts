import { randomUUID } from 'node:crypto';
import { createHttp } from '../../bench/lib/http';
import { checkClientView } from '../../chaos/clientView';
import { settle, type Exchange } from '../../chaos/shopper';
import { productWithStock } from '../support/catalog';
import { createCoupon, mintCustomers, signInAdmin } from '../support/factories';
import { useTestStack } from '../support/stack';

/**
 * The chaos run's check of what clients were told, against the real API and its
 * database: real exchanges that hold are not named; each hand-made lie about an answer
 * (an amount, a payment, a cancellation, a coupon that are not what the books hold, a
 * key that now answers otherwise, a request never answered) is named with its rule and
 * nothing else.
 */
describe('the clients\' view checker', () => {
  const stack = useTestStack();

  it('names each answer that does not hold or is not repeated, and nothing that holds', async () => {
    const http = createHttp(stack.baseUrl, 16, 30_000);
    try {
      const admin = await signInAdmin(stack);
      const coupon = await createCoupon(stack, admin, { discountValue: 100 });
      const [optionId] = await productWithStock(stack.db, [10]);
      const [customer] = await mintCustomers(stack, 1);
      const exchange = (kind: Exchange['kind'], path: string, body?: unknown, key?: string): Promise<Exchange> =>
        settle(http, { kind, token: customer.token, method: 'POST', path, body, key, attempts: 0, gaveUp: false }, 30_000);
      const line = { items: [{ productOptionId: optionId, quantity: 1 }] };

      // Real exchanges, as a shopper makes them.
      const claimed = await exchange('claim', `/api/v1/coupons/${coupon.id}/issue`);
      const placed = await exchange('place', '/api/v1/orders', { ...line, userCouponId: claimed.answer!.body.userCouponId }, randomUUID());
      const paid = await exchange('pay', `/api/v1/orders/${placed.answer!.body.orderId}/payment`, { cardToken: 'tok_visa' }, randomUUID());
      const other = await exchange('place', '/api/v1/orders', line, randomUUID());
      const cancelled = await exchange('cancel', `/api/v1/orders/${other.answer!.body.orderId}/cancel`);
      const outOfStock = await exchange('place', '/api/v1/orders', { items: [{ productOptionId: optionId, quantity: 50 }] }, randomUUID());
      expect([claimed, placed, paid, other, cancelled, outOfStock].map((e) => e.answer?.status)).toEqual([201, 201, 200, 201, 200, 409]);
      const real = [claimed, placed, paid, other, cancelled, outOfStock];
      expect(await checkClientView({ db: stack.db, http, giveUpMs: 30_000, concurrency: 4 }, real)).toEqual({ violations: [], asked: 4 });

      // The same exchanges, each told something the books do not hold.
      const told = (e: Exchange, answer: Exchange['answer']): Exchange => ({ ...e, answer });
      const lies = [
        told(placed, { status: 201, body: { ...placed.answer!.body, finalAmount: 1 } }),
        told(paid, { status: 200, body: { ...paid.answer!.body, paymentKey: 'pay_never_made' } }),
        told(cancelled, { status: 200, body: { orderId: placed.answer!.body.orderId } }),
        told(claimed, { status: 201, body: { userCouponId: randomUUID() } }),
        told(outOfStock, { status: 409, body: { error: { code: 'SOLD_OUT' } } }),
        { ...other, answer: undefined, gaveUp: true, lastFailure: 'ECONNREFUSED' },
      ];
      const { violations } = await checkClientView({ db: stack.db, http, giveUpMs: 30_000, concurrency: 4 }, lies);
      const named = violations.map((v) => `${v.rule} ${v.ids.path}`).sort();
      expect(named).toEqual(
        [
          `answer-holds ${placed.path}`,
          `answer-holds ${paid.path}`,
          `key-answers-the-same ${paid.path}`,
          `answer-holds ${cancelled.path}`,
          `answer-holds ${claimed.path}`,
          `key-answers-the-same ${outOfStock.path}`,
          `request-answered ${other.path}`,
        ].sort(),
      );
    } finally {
      await http.close();
    }
  });
});
