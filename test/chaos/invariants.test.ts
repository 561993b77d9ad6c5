import { randomUUID } from 'node:crypto';
import { checkInvariants, type Violation } from '../../chaos/invariants';
import { createDb, migrateToLatest, type Knex } from '../../src/db/knex';
import { createThrowawayDatabase } from '../../src/dev/throwawayDatabase';
import { migrateGatewaySchema, TABLES } from '../../src/paymentGatewaySimulator/migrations';
import { testEnvironment } from '../support/environment';

/**
 * The chaos run's invariant checker against books with one hand-made violation of each
 * kind (and a consistent order beside them): each must be named, with its ids, and
 * nothing consistent may be.
 */
describe('the invariant checker', () => {
  let db: Knex;
  let drop: () => Promise<void>;
  const now = new Date('2026-12-01T12:00:00Z');
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const inAnHour = new Date(now.getTime() + 3_600_000);

  beforeAll(async () => {
    const database = await createThrowawayDatabase(testEnvironment().databaseUrl, 'invariants_test');
    drop = database.drop;
    db = createDb({ url: database.url, poolMax: 4 });
    await migrateToLatest(db);
    await migrateGatewaySchema(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await drop?.();
  });

  const userId = randomUUID();
  const option = async (counts: { total: number; available: number; reserved: number; sold: number }) => {
    const [product] = await db('products').insert({ name: 'p', price: 1000, category: 'c' }).returning('id');
    const [opt] = await db('product_options').insert({ product_id: product.id, type: 'size', name: 'M', position: 0 }).returning('id');
    await db('stocks').insert({ option_id: opt.id, ...counts });
    return opt.id as string;
  };
  const coupon = async (issuedQuantity: number) => {
    const [c] = await db('coupons')
      .insert({ name: 'c', discount_type: 'FIXED', discount_value: 100, total_quantity: 10, issued_quantity: issuedQuantity, valid_from: hourAgo, valid_until: inAnHour })
      .returning('id');
    return c.id as string;
  };
  const userCoupon = async (couponId: string, usedBy?: string) => {
    const [u] = await db('user_coupons')
      .insert({ user_id: userId, coupon_id: couponId, expires_at: inAnHour, issued_by_run_id: 'run', used_at: usedBy ? hourAgo : null, used_order_id: usedBy ?? null })
      .returning('id');
    return u.id as string;
  };
  const order = async (o: { status: string; optionId: string; quantity?: number; userCouponId?: string; expiresAt?: Date; id?: string }) => {
    const id = o.id ?? randomUUID();
    await db('orders').insert({
      id,
      user_id: userId,
      idempotency_key: id,
      request_hash: 'h',
      workflow_id: `order:${id}`,
      status: o.status,
      total_amount: 1000,
      discount_amount: 100,
      final_amount: 900,
      user_coupon_id: o.userCouponId ?? null,
      reservation_expires_at: o.expiresAt ?? inAnHour,
      paid_at: o.status === 'COMPLETED' ? hourAgo : null,
    });
    await db('order_items').insert({ order_id: id, option_id: o.optionId, product_id: randomUUID(), product_name: 'p', option_name: 'M', unit_price: 1000, quantity: o.quantity ?? 1, line_amount: 1000 });
    return id;
  };
  const charge = (orderId: string, amount = 900) =>
    db(TABLES.payments).insert({ payment_key: randomUUID(), order_id: orderId, amount, card_token: 'tok_visa', status: 'DONE', approved_at: hourAgo });

  it('names each violation with its ids, and passes what is consistent', async () => {
    await db('users').insert({ id: userId, email: `${userId}@example.com`, password_hash: 'x', name: 'n' });

    // Consistent: a completed order with its coupon and one charge; an expired one, coupon back.
    const goodOption = await option({ total: 10, available: 9, reserved: 0, sold: 1 });
    const goodCoupon = await coupon(2);
    const goodOrderId = randomUUID();
    const goodUserCoupon = await userCoupon(goodCoupon, goodOrderId);
    await order({ id: goodOrderId, status: 'COMPLETED', optionId: goodOption, userCouponId: goodUserCoupon });
    await charge(goodOrderId);
    const returnedUserCoupon = await db('users')
      .insert({ id: randomUUID(), email: `${randomUUID()}@example.com`, password_hash: 'x', name: 'n' })
      .returning('id')
      .then(async ([other]) => {
        const [u] = await db('user_coupons').insert({ user_id: other.id, coupon_id: goodCoupon, expires_at: inAnHour, issued_by_run_id: 'run' }).returning('id');
        return u.id as string;
      });
    await order({ status: 'EXPIRED', optionId: goodOption, userCouponId: returnedUserCoupon, expiresAt: hourAgo });

    // Money.
    const unchargedOption = await option({ total: 10, available: 9, reserved: 0, sold: 1 });
    const uncharged = await order({ status: 'COMPLETED', optionId: unchargedOption });
    const wrongAmountOption = await option({ total: 10, available: 9, reserved: 0, sold: 1 });
    const wrongAmount = await order({ status: 'COMPLETED', optionId: wrongAmountOption });
    await charge(wrongAmount, 1000);
    const failedOption = await option({ total: 10, available: 10, reserved: 0, sold: 0 });
    const chargedButFailed = await order({ status: 'FAILED', optionId: failedOption });
    await charge(chargedButFailed);
    const nobody = randomUUID();
    await charge(nobody);

    // Stock.
    const oversoldOption = await option({ total: 10, available: 8, reserved: 0, sold: 2 });
    await order({ status: 'COMPLETED', optionId: oversoldOption }).then(charge);
    const leakedOption = await option({ total: 10, available: 7, reserved: 3, sold: 0 });
    await order({ status: 'PENDING_PAYMENT', optionId: leakedOption, quantity: 1 });

    // Coupons.
    const miscounted = await coupon(5);
    const usedByNobody = await userCoupon(miscounted, randomUUID());
    const heldOption = await option({ total: 10, available: 10, reserved: 0, sold: 0 });
    const cancelledCoupon = await coupon(1);
    const cancelledId = randomUUID();
    const stillHeld = await userCoupon(cancelledCoupon, cancelledId);
    await order({ id: cancelledId, status: 'CANCELLED', optionId: heldOption, userCouponId: stillHeld });
    const pendingOption = await option({ total: 10, available: 9, reserved: 1, sold: 0 });
    const notUsedCoupon = await coupon(1);
    const notUsed = await userCoupon(notUsedCoupon);
    const pendingWithFreeCoupon = await order({ status: 'PENDING_PAYMENT', optionId: pendingOption, userCouponId: notUsed });

    // Time.
    const staleOption = await option({ total: 10, available: 9, reserved: 1, sold: 0 });
    const stale = await order({ status: 'PENDING_PAYMENT', optionId: staleOption, expiresAt: new Date(now.getTime() - 10 * 60_000) });

    const report = await checkInvariants({ db, now, pendingGraceMs: 60_000 });
    const named = (rule: string) => report.violations.filter((v) => v.rule === rule).map((v: Violation) => v.ids);

    expect(named('completed-order-charged-once')).toEqual(expect.arrayContaining([{ orderId: uncharged }, { orderId: wrongAmount }]));
    expect(named('completed-order-charged-once')).toHaveLength(2);
    expect(named('unpaid-order-not-charged')).toEqual([{ orderId: chargedButFailed }]);
    expect(named('charge-has-order')).toEqual([expect.objectContaining({ orderId: nobody })]);
    expect(named('stock-sold-matches-orders')).toEqual([{ optionId: oversoldOption }]);
    expect(named('stock-reserved-matches-orders')).toEqual([{ optionId: leakedOption }]);
    expect(named('coupon-issued-count')).toEqual([{ couponId: miscounted }]);
    expect(named('used-coupon-has-live-order')).toEqual(
      expect.arrayContaining([expect.objectContaining({ userCouponId: usedByNobody }), expect.objectContaining({ userCouponId: stillHeld })]),
    );
    expect(named('ended-order-coupon-returned')).toEqual([{ orderId: cancelledId, userCouponId: stillHeld }]);
    expect(named('live-order-holds-its-coupon')).toEqual([{ orderId: pendingWithFreeCoupon, userCouponId: notUsed }]);
    expect(named('pending-order-expires')).toEqual([{ orderId: stale }]);

    // Nothing about the consistent order, option or coupon.
    const mentioned = JSON.stringify(report.violations);
    for (const id of [goodOrderId, goodOption, goodCoupon, goodUserCoupon, returnedUserCoupon]) expect(mentioned).not.toContain(id);
    expect(report.checked.liveCharges).toBe(5);
  });
});
