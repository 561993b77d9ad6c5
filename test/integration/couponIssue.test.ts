import { WorkflowNotFoundError } from '@temporalio/client';
import { couponIssueWorkflowId } from '../../src/contracts/workflowIds';
import { createCouponIssueStarter } from '../../src/orchestration/couponIssue';
import { businessFailureOf } from '../../src/orchestration/workflowFailure';
import { createCoupon, signInAdmin, signUpCustomer, signUpCustomers, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { startTestStack, startTestWorker, type TestStack } from '../support/stack';

/**
 * Coupon claims over real HTTP -> Temporal workflow -> activity under SELECT ... FOR
 * UPDATE -> PostgreSQL, with the rush happening all at once.
 */
describe('claiming a first-come-first-served coupon', () => {
  let stack: TestStack;
  let admin: TestUser;

  beforeAll(async () => {
    stack = await startTestStack();
    admin = await signInAdmin(stack);
  });
  afterAll(() => stack?.stop());

  const claim = (couponId: string, user: TestUser) =>
    request(stack.baseUrl, 'POST', `/api/v1/coupons/${couponId}/issue`, { token: user.token });

  const rowsFor = async (couponId: string) => {
    const [{ count }] = await stack.db('user_coupons').where({ coupon_id: couponId }).count<{ count: string }[]>('* as count');
    const coupon = await stack.db('coupons').where({ id: couponId }).first();
    return { rows: Number(count), issued: coupon.issued_quantity as number };
  };

  it('gives exactly 10 of 10 coupons to 100 customers claiming at once', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 10 });
    const customers = await signUpCustomers(stack, 100);

    const responses = await Promise.all(customers.map((customer) => claim(coupon.id, customer)));

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(90);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.error.code === 'SOLD_OUT')).toBe(true);
    expect(await rowsFor(coupon.id)).toEqual({ rows: 10, issued: 10 });

    const winners = responses.filter((r) => r.status === 201).map((r) => r.body);
    expect(new Set(winners.map((w) => w.userCouponId)).size).toBe(10);
    for (const won of winners) {
      expect(won).toMatchObject({ couponId: coupon.id, status: 'AVAILABLE' });
    }
    const after = await request(stack.baseUrl, 'GET', `/api/v1/coupons/${coupon.id}`);
    expect(after.body).toMatchObject({ issuedQuantity: 10, remainingQuantity: 0 });
  });

  it('issues one coupon when one customer sends 10 claims at once', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 5 });
    const customer = await signUpCustomer(stack);

    const responses = await Promise.all(Array.from({ length: 10 }, () => claim(coupon.id, customer)));

    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const issued = responses.filter((r) => r.status === 201);
    expect(issued.length).toBeGreaterThanOrEqual(1);
    // Every success names the same coupon; every refusal says the customer already holds it.
    expect(new Set(issued.map((r) => r.body.userCouponId)).size).toBe(1);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(refused.body.error.code).toBe('ALREADY_ISSUED');
      expect(refused.body.error.details.userCouponId).toBe(issued[0].body.userCouponId);
    }
    expect(await rowsFor(coupon.id)).toEqual({ rows: 1, issued: 1 });

    const again = await claim(coupon.id, customer);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_ISSUED');
    expect(await rowsFor(coupon.id)).toEqual({ rows: 1, issued: 1 });
  });

  it('refuses late claims after a sell-out without starting a workflow', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 1 });
    const [first, late] = [await signUpCustomer(stack), await signUpCustomer(stack)];
    expect((await claim(coupon.id, first)).status).toBe(201);

    const response = await claim(coupon.id, late);

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('SOLD_OUT');
    const lateWorkflow = stack.client.workflow.getHandle(couponIssueWorkflowId(coupon.id, late.userId));
    await expect(lateWorkflow.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await rowsFor(coupon.id)).toEqual({ rows: 1, issued: 1 });
  });

  it('refuses an expired coupon with 422 and writes nothing', async () => {
    const coupon = await createCoupon(stack, admin, {
      validFrom: new Date(Date.now() - 48 * 3600_000),
      validUntil: new Date(Date.now() - 3600_000),
    });
    const customer = await signUpCustomer(stack);

    const response = await claim(coupon.id, customer);

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('NOT_IN_ISSUE_PERIOD');
    expect(await rowsFor(coupon.id)).toEqual({ rows: 0, issued: 0 });
  });

  it('refuses a coupon whose period has not begun with 422, then issues it once the period opens', async () => {
    const customer = await signUpCustomer(stack);
    const opensAt = new Date(Date.now() + 4000);
    const coupon = await createCoupon(stack, admin, { validFrom: opensAt, validUntil: new Date(Date.now() + 3600_000) });
    const workflowId = couponIssueWorkflowId(coupon.id, customer.userId);

    // Over HTTP the fast path refuses without a workflow...
    const early = await claim(coupon.id, customer);
    expect(Date.now()).toBeLessThan(opensAt.getTime()); // the claim really was early
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('NOT_IN_ISSUE_PERIOD');
    // ...and the workflow itself refuses too, closing its run as failed.
    const starter = createCouponIssueStarter(stack.client, stack.taskQueue, { resultTimeoutMs: 30_000 });
    const refused = await (await starter.issue({ couponId: coupon.id, userId: customer.userId })).result.catch((e) => e);
    expect(businessFailureOf(refused)?.code).toBe('NOT_IN_ISSUE_PERIOD');
    const firstRun = await stack.client.workflow.getHandle(workflowId).describe();
    expect(firstRun.status.name).toBe('FAILED');
    expect(await rowsFor(coupon.id)).toEqual({ rows: 0, issued: 0 });

    // Once the period opens, the same workflow id runs again (reuse policy ALLOW_DUPLICATE).
    await new Promise((resolve) => setTimeout(resolve, opensAt.getTime() - Date.now() + 100));
    const onTime = await claim(coupon.id, customer);
    expect(onTime.status).toBe(201);
    const secondRun = await stack.client.workflow.getHandle(workflowId).describe();
    expect(secondRun.status.name).toBe('COMPLETED');
    expect(secondRun.runId).not.toBe(firstRun.runId);
    expect(await rowsFor(coupon.id)).toEqual({ rows: 1, issued: 1 });
  });

  it('accepts a claim while no worker runs, and finishes it once one does', async () => {
    const waiting = await startTestStack({ withWorker: false, resultTimeoutMs: 1000 });
    try {
      const coupon = await createCoupon(waiting, await signInAdmin(waiting), { totalQuantity: 3 });
      const customer = await signUpCustomer(waiting);
      const claimHere = () => request(waiting.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: customer.token });

      const pending = await claimHere();
      expect(pending.status).toBe(503);
      expect(pending.headers.get('retry-after')).toBe('1');
      expect(pending.body.error.details.workflowId).toBe(couponIssueWorkflowId(coupon.id, customer.userId));
      const running = await waiting.client.workflow.getHandle(pending.body.error.details.workflowId).describe();
      expect(running.status.name).toBe('RUNNING');
      expect(await rowsFor(coupon.id)).toEqual({ rows: 0, issued: 0 });

      const stopWorker = await startTestWorker(waiting.db, waiting.taskQueue);
      try {
        const retried = await claimHere();
        expect(retried.status).toBe(201);
        expect(await rowsFor(coupon.id)).toEqual({ rows: 1, issued: 1 });
      } finally {
        await stopWorker();
      }
    } finally {
      await waiting.stop();
    }
  });

  it('answers 404 COUPON_NOT_FOUND for an unknown coupon', async () => {
    const customer = await signUpCustomer(stack);
    const response = await claim('6f1c1d5e-9a0b-4c5d-8e7f-0a1b2c3d4e5f', customer);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('COUPON_NOT_FOUND');
  });

  it('lists the customer\'s coupons by status', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 1 });
    const customer = await signUpCustomer(stack);
    expect((await claim(coupon.id, customer)).status).toBe(201);

    const available = await request(stack.baseUrl, 'GET', '/api/v1/users/me/coupons?status=AVAILABLE', { token: customer.token });
    expect(available.status).toBe(200);
    expect(available.body.items).toHaveLength(1);
    expect(available.body.items[0]).toMatchObject({ couponId: coupon.id, status: 'AVAILABLE' });

    const expired = await request(stack.baseUrl, 'GET', '/api/v1/users/me/coupons?status=EXPIRED', { token: customer.token });
    expect(expired.body.items).toHaveLength(0);

    const bad = await request(stack.baseUrl, 'GET', '/api/v1/users/me/coupons?status=LOST', { token: customer.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});
