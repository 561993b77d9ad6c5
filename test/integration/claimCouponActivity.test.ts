import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCouponActivities } from '../../src/activities/coupons';
import { databaseRefusals } from '../../src/activities/databaseRefusals';
import { createDb, type Knex } from '../../src/db/knex';
import { createCouponRepository } from '../../src/db/repositories/coupons';
import { createUserRepository } from '../../src/db/repositories/users';
import { testEnvironment } from '../support/environment';

/** The claim activity against real PostgreSQL, as Temporal would retry it. */
describe('claimCoupon activity', () => {
  let db: Knex;
  beforeAll(() => {
    db = createDb({ url: testEnvironment().databaseUrl, poolMax: 5 });
  });
  afterAll(() => db.destroy());

  const newCoupon = (totalQuantity = 3) =>
    createCouponRepository(db).insert({
      name: 'activity test',
      discountType: 'FIXED',
      discountValue: 100,
      minOrderAmount: 0,
      totalQuantity,
      validFrom: new Date(Date.now() - 60_000),
      validUntil: new Date(Date.now() + 3600_000),
    });
  const newUser = () =>
    createUserRepository(db).insert({ email: `${randomUUID()}@test.example`, name: 'U', passwordHash: 'x', role: 'customer' });
  // Refusals are expected here; keep the SDK's activity-failure warnings out of the output.
  const quiet = new DefaultLogger('ERROR');
  const inRun = (runId: string) =>
    new MockActivityEnvironment({ workflowExecution: { workflowId: 'wf', runId } }, { logger: quiet });
  const counts = async (couponId: string) => ({
    rows: Number((await db('user_coupons').where({ coupon_id: couponId }).count<{ c: string }[]>('* as c'))[0].c),
    issued: (await db('coupons').where({ id: couponId }).first()).issued_quantity,
  });

  it('returns the same coupon when the same run retries, and changes nothing', async () => {
    const [coupon, user] = [await newCoupon(), await newUser()];
    const { claimCoupon } = createCouponActivities({ db });
    const env = inRun(randomUUID());

    const first = await env.run(claimCoupon, { couponId: coupon.id, userId: user.id });
    const retry = await env.run(claimCoupon, { couponId: coupon.id, userId: user.id });

    expect(retry).toEqual(first);
    expect(await counts(coupon.id)).toEqual({ rows: 1, issued: 1 });
  });

  it('answers ALREADY_ISSUED (non-retryable) to a different run for the same user', async () => {
    const [coupon, user] = [await newCoupon(), await newUser()];
    const { claimCoupon } = createCouponActivities({ db });
    await inRun(randomUUID()).run(claimCoupon, { couponId: coupon.id, userId: user.id });

    const second = inRun(randomUUID()).run(claimCoupon, { couponId: coupon.id, userId: user.id });

    await expect(second).rejects.toMatchObject({ type: 'ALREADY_ISSUED', nonRetryable: true });
    await expect(second).rejects.toBeInstanceOf(ApplicationFailure);
    expect(await counts(coupon.id)).toEqual({ rows: 1, issued: 1 });
  });

  it('ends a claim PostgreSQL refuses for good (no such user: a foreign key) non-retryable, through the worker\'s interceptor, and writes nothing', async () => {
    const coupon = await newCoupon();
    const { claimCoupon } = createCouponActivities({ db });
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'wf', runId: randomUUID() } }, { logger: quiet, interceptors: [databaseRefusals] });

    const refused = env.run(claimCoupon, { couponId: coupon.id, userId: randomUUID() });

    await expect(refused).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(refused).rejects.toMatchObject({ type: 'DATABASE_REFUSED', nonRetryable: true, details: [{ sqlstate: '23503', constraint: expect.any(String) }] });
    await expect(refused).rejects.not.toHaveProperty('message', expect.stringMatching(/insert into/i));
    expect(await counts(coupon.id)).toEqual({ rows: 0, issued: 0 });
  });

  it('answers SOLD_OUT once every coupon is issued, and writes nothing', async () => {
    const coupon = await newCoupon(1);
    const { claimCoupon } = createCouponActivities({ db });
    await inRun(randomUUID()).run(claimCoupon, { couponId: coupon.id, userId: (await newUser()).id });

    const late = inRun(randomUUID()).run(claimCoupon, { couponId: coupon.id, userId: (await newUser()).id });

    await expect(late).rejects.toMatchObject({ type: 'SOLD_OUT', nonRetryable: true });
    expect(await counts(coupon.id)).toEqual({ rows: 1, issued: 1 });
  });

  it('answers NOT_IN_ISSUE_PERIOD by the clock it is given, and writes nothing', async () => {
    const coupon = await newCoupon();
    const afterPeriod = () => new Date(coupon.validUntil.getTime());
    const { claimCoupon } = createCouponActivities({ db, now: afterPeriod });

    const claim = inRun(randomUUID()).run(claimCoupon, { couponId: coupon.id, userId: (await newUser()).id });

    await expect(claim).rejects.toMatchObject({ type: 'NOT_IN_ISSUE_PERIOD', nonRetryable: true });
    expect(await counts(coupon.id)).toEqual({ rows: 0, issued: 0 });
  });

  it('answers COUPON_NOT_FOUND for an unknown coupon', async () => {
    const user = await newUser();
    const { claimCoupon } = createCouponActivities({ db });
    await expect(inRun(randomUUID()).run(claimCoupon, { couponId: randomUUID(), userId: user.id })).rejects.toMatchObject({
      type: 'COUPON_NOT_FOUND',
      nonRetryable: true,
    });
  });

  describe('database constraints back the rules up', () => {
    it('refuses to count more coupons issued than exist', async () => {
      const coupon = await newCoupon(1);
      await db('coupons').where({ id: coupon.id }).increment('issued_quantity', 1);
      await expect(db('coupons').where({ id: coupon.id }).increment('issued_quantity', 1)).rejects.toMatchObject({
        code: '23514',
        constraint: 'coupons_issued_within_total',
      });
    });

    it('refuses a second row for the same user and coupon', async () => {
      const [coupon, user] = [await newCoupon(), await newUser()];
      const row = { user_id: user.id, coupon_id: coupon.id, expires_at: new Date(), issued_by_run_id: 'r' };
      await db('user_coupons').insert(row);
      await expect(db('user_coupons').insert({ ...row, issued_by_run_id: 'other' })).rejects.toMatchObject({
        code: '23505',
        constraint: 'user_coupons_one_per_user',
      });
    });
  });
});
