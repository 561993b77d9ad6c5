import { randomUUID } from 'node:crypto';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCouponActivities } from '../../src/activities/coupons';
import type { ClaimOutcome, SettleClaimsInput } from '../../src/contracts/coupons';
import { createDb, type Knex } from '../../src/db/knex';
import { createCouponRepository } from '../../src/db/repositories/coupons';
import { createUserRepository } from '../../src/db/repositories/users';
import { testEnvironment } from '../support/environment';

/** The batch settlement against real PostgreSQL, run again as a crash or a retry would. */
describe('settleCouponClaims activity', () => {
  let db: Knex;
  beforeAll(() => {
    db = createDb({ url: testEnvironment().databaseUrl, poolMax: 10 });
  });
  afterAll(() => db.destroy());

  const newCoupon = (totalQuantity: number, period?: { validFrom: Date; validUntil: Date }) =>
    createCouponRepository(db).insert({
      name: 'batch test',
      discountType: 'FIXED',
      discountValue: 100,
      minOrderAmount: 0,
      totalQuantity,
      validFrom: period?.validFrom ?? new Date(Date.now() - 60_000),
      validUntil: period?.validUntil ?? new Date(Date.now() + 3600_000),
    });
  const newUsers = (count: number) =>
    Promise.all(
      Array.from({ length: count }, () =>
        createUserRepository(db).insert({ email: `${randomUUID()}@test.example`, name: 'U', passwordHash: 'x', role: 'customer' }),
      ),
    );
  const env = () => new MockActivityEnvironment({ workflowExecution: { workflowId: 'coupon:x', runId: randomUUID() } }, { logger: new DefaultLogger('ERROR') });
  const counts = async (couponId: string) => ({
    rows: Number((await db('user_coupons').where({ coupon_id: couponId }).count<{ c: string }[]>('* as c'))[0].c),
    issued: (await db('coupons').where({ id: couponId }).first()).issued_quantity,
  });
  const settle = (input: SettleClaimsInput) => env().run(createCouponActivities({ db }).settleCouponClaims, input) as Promise<ClaimOutcome[]>;
  const codes = (outcomes: ClaimOutcome[]) => outcomes.map((o) => (o.kind === 'issued' ? 'ISSUED' : o.refusal.code));

  it('issues in arrival order until the coupon runs out, in one transaction', async () => {
    const coupon = await newCoupon(3);
    const users = await newUsers(5);
    const claims = users.map((u) => ({ claimId: randomUUID(), userId: u.id }));

    const outcomes = await settle({ couponId: coupon.id, claims });

    expect(codes(outcomes)).toEqual(['ISSUED', 'ISSUED', 'ISSUED', 'SOLD_OUT', 'SOLD_OUT']);
    expect(await counts(coupon.id)).toEqual({ rows: 3, issued: 3 });
    const rows = await db('user_coupons').where({ coupon_id: coupon.id }).orderBy('user_id');
    for (const [i, outcome] of outcomes.slice(0, 3).entries()) {
      const row = rows.find((r) => r.user_id === claims[i].userId);
      expect(outcome).toEqual({ kind: 'issued', coupon: expect.objectContaining({ userCouponId: row.id, couponId: coupon.id }) });
      expect(row.claim_id).toBe(claims[i].claimId);
    }
  });

  it('answers a batch run again (after a crash or a timed-out attempt that committed) exactly as the first time', async () => {
    const coupon = await newCoupon(2);
    const users = await newUsers(3);
    const claims = users.map((u) => ({ claimId: randomUUID(), userId: u.id }));

    const first = await settle({ couponId: coupon.id, claims });
    const again = await settle({ couponId: coupon.id, claims });

    expect(again).toEqual(first);
    expect(codes(first)).toEqual(['ISSUED', 'ISSUED', 'SOLD_OUT']);
    expect(await counts(coupon.id)).toEqual({ rows: 2, issued: 2 });
  });

  it('gives one coupon to a user with several claims, and tells the others which one they hold', async () => {
    const coupon = await newCoupon(5);
    const [user, other] = await newUsers(2);
    const claims = [user, user, other, user].map((u) => ({ claimId: randomUUID(), userId: u.id }));

    const outcomes = await settle({ couponId: coupon.id, claims });

    expect(codes(outcomes)).toEqual(['ISSUED', 'ALREADY_ISSUED', 'ISSUED', 'ALREADY_ISSUED']);
    const held = outcomes[0].kind === 'issued' ? outcomes[0].coupon.userCouponId : undefined;
    expect(outcomes[1]).toMatchObject({ refusal: { details: { userCouponId: held } } });
    expect(outcomes[3]).toMatchObject({ refusal: { details: { userCouponId: held } } });
    // A later batch: that user's new claim is refused, the claim that won is still answered with its coupon.
    const later = await settle({ couponId: coupon.id, claims: [{ claimId: randomUUID(), userId: user.id }, claims[0]] });
    expect(codes(later)).toEqual(['ALREADY_ISSUED', 'ISSUED']);
    expect(await counts(coupon.id)).toEqual({ rows: 2, issued: 2 });
  });

  it('decides the same claim twice in a batch once', async () => {
    const coupon = await newCoupon(5);
    const [user] = await newUsers(1);
    const claim = { claimId: randomUUID(), userId: user.id };

    const outcomes = await settle({ couponId: coupon.id, claims: [claim, claim] });

    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(codes(outcomes)).toEqual(['ISSUED', 'ISSUED']);
    expect(await counts(coupon.id)).toEqual({ rows: 1, issued: 1 });
  });

  it('refuses every claim outside the issue period, and every claim on an unknown coupon', async () => {
    const early = await newCoupon(5, { validFrom: new Date(Date.now() + 3600_000), validUntil: new Date(Date.now() + 7200_000) });
    const users = await newUsers(2);
    const claims = users.map((u) => ({ claimId: randomUUID(), userId: u.id }));

    expect(codes(await settle({ couponId: early.id, claims }))).toEqual(['NOT_IN_ISSUE_PERIOD', 'NOT_IN_ISSUE_PERIOD']);
    expect(codes(await settle({ couponId: randomUUID(), claims }))).toEqual(['COUPON_NOT_FOUND', 'COUPON_NOT_FOUND']);
    expect(await counts(early.id)).toEqual({ rows: 0, issued: 0 });
  });

  it('never issues more than the quantity when batches settle concurrently', async () => {
    const coupon = await newCoupon(25);
    const users = await newUsers(100);
    const batches = Array.from({ length: 10 }, (_, b) => users.slice(b * 10, b * 10 + 10).map((u) => ({ claimId: randomUUID(), userId: u.id })));

    const results = (await Promise.all(batches.map((claims) => settle({ couponId: coupon.id, claims })))).flat();

    expect(codes(results).filter((c) => c === 'ISSUED')).toHaveLength(25);
    expect(codes(results).filter((c) => c === 'SOLD_OUT')).toHaveLength(75);
    expect(await counts(coupon.id)).toEqual({ rows: 25, issued: 25 });
  });
});
