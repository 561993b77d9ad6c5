import { issuerProgressQuery } from '../../src/contracts/couponMessages';
import { couponIssuerWorkflowId } from '../../src/contracts/workflowIds';
import { createCouponIssuer } from '../../src/orchestration/couponIssuer';
import { COUPON_READ_TTL_MS } from '../../src/orchestration/couponReads';
import { createCoupon, mintCustomers, signInAdmin, signUpCustomer, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { eventually } from '../support/orders';
import { startTestStack, startTestWorker, useTestStack, type TestStack } from '../support/stack';

/**
 * Coupon claims over real HTTP -> the coupon's issuer workflow (claims as Updates) ->
 * batched transactions under SELECT ... FOR UPDATE -> PostgreSQL, all at once.
 */
describe('claiming a first-come-first-served coupon', () => {
  const stack = useTestStack();
  let admin: TestUser;

  beforeAll(async () => {
    admin = await signInAdmin(stack);
  });

  const claim = (couponId: string, user: TestUser, on: TestStack = stack) =>
    request(on.baseUrl, 'POST', `/api/v1/coupons/${couponId}/issue`, { token: user.token });

  const rowsFor = async (couponId: string) => {
    const [{ count }] = await stack.db('user_coupons').where({ coupon_id: couponId }).count<{ count: string }[]>('* as count');
    const coupon = await stack.db('coupons').where({ id: couponId }).first();
    return { rows: Number(count), issued: coupon.issued_quantity as number };
  };

  it('gives exactly 37 of 37 coupons to 400 customers claiming at once, one each', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 37 });
    const customers = await mintCustomers(stack, 400);

    const responses = await Promise.all(customers.map((customer) => claim(coupon.id, customer)));

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(37);
    expect(responses.filter((r) => r.status === 409 && r.body.error.code === 'SOLD_OUT')).toHaveLength(363);
    expect(await rowsFor(coupon.id)).toEqual({ rows: 37, issued: 37 });

    // Each winner's answer is the row the database holds for that customer.
    const rows = await stack.db('user_coupons').where({ coupon_id: coupon.id });
    const rowOf = new Map(rows.map((r) => [r.user_id, r.id]));
    customers.forEach((customer, i) => {
      if (responses[i].status === 201) {
        expect(responses[i].body).toMatchObject({ couponId: coupon.id, status: 'AVAILABLE', userCouponId: rowOf.get(customer.userId) });
      } else {
        expect(rowOf.has(customer.userId)).toBe(false);
      }
    });
    const after = await request(stack.baseUrl, 'GET', `/api/v1/coupons/${coupon.id}`);
    expect(after.body).toMatchObject({ issuedQuantity: 37, remainingQuantity: 0 });
  });

  it('issues one coupon when one customer sends 10 claims at once, and tells the other 9 which one', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 5 });
    const customer = await signUpCustomer(stack);

    const responses = await Promise.all(Array.from({ length: 10 }, () => claim(coupon.id, customer)));

    const issued = responses.filter((r) => r.status === 201);
    expect(issued).toHaveLength(1);
    const refused = responses.filter((r) => r.status === 409);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect(r.body.error.code).toBe('ALREADY_ISSUED');
      expect(r.body.error.details.userCouponId).toBe(issued[0].body.userCouponId);
    }
    expect(await rowsFor(coupon.id)).toEqual({ rows: 1, issued: 1 });

    const again = await claim(coupon.id, customer);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_ISSUED');
    expect(await rowsFor(coupon.id)).toEqual({ rows: 1, issued: 1 });
  });

  it('refuses late claims after a sell-out from a read, without sending them to the issuer', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 1 });
    const [first, late] = [await signUpCustomer(stack), await signUpCustomer(stack)];
    expect((await claim(coupon.id, first)).status).toBe(201);
    const issuer = stack.client.workflow.getHandle(couponIssuerWorkflowId(coupon.id));
    const before = (await issuer.describe()).historyLength;
    // The API trusts its read of the coupon for a moment; once that has passed it knows.
    await new Promise((resolve) => setTimeout(resolve, COUPON_READ_TTL_MS + 50));

    const response = await claim(coupon.id, late);

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('SOLD_OUT');
    expect((await issuer.describe()).historyLength).toBe(before);
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

  it('refuses a coupon whose period has not begun with 422 (the issuer too), then issues it once the period opens', async () => {
    const customer = await signUpCustomer(stack);
    const opensAt = new Date(Date.now() + 4000);
    const coupon = await createCoupon(stack, admin, { validFrom: opensAt, validUntil: new Date(Date.now() + 3600_000) });

    // Over HTTP the read refuses before the issuer is asked...
    const early = await claim(coupon.id, customer);
    expect(Date.now()).toBeLessThan(opensAt.getTime()); // the claim really was early
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('NOT_IN_ISSUE_PERIOD');
    // ...and the issuer, asked directly, refuses by the same rule.
    const issuer = createCouponIssuer(stack.client, stack.taskQueue, { resultTimeoutMs: 30_000 });
    const refused = await issuer.claim({ couponId: coupon.id, userId: customer.userId });
    expect(refused.outcome).toMatchObject({ kind: 'refused', refusal: { code: 'NOT_IN_ISSUE_PERIOD' } });
    expect(await rowsFor(coupon.id)).toEqual({ rows: 0, issued: 0 });

    await new Promise((resolve) => setTimeout(resolve, opensAt.getTime() - Date.now() + 100));
    const onTime = await claim(coupon.id, customer);
    expect(onTime.status).toBe(201);
    expect(await rowsFor(coupon.id)).toEqual({ rows: 1, issued: 1 });
  });

  it('keeps a claim made while no worker runs, and settles it once one does', async () => {
    const waiting = await startTestStack({ withWorker: false, resultTimeoutMs: 1000 });
    try {
      const coupon = await createCoupon(waiting, await signInAdmin(waiting), { totalQuantity: 3 });
      const customer = await signUpCustomer(waiting);

      const pending = await claim(coupon.id, customer, waiting);
      expect(pending.status).toBe(503);
      expect(pending.headers.get('retry-after')).toBe('1');
      expect(pending.body.error.details.workflowId).toBe(couponIssuerWorkflowId(coupon.id));
      const running = await waiting.client.workflow.getHandle(pending.body.error.details.workflowId).describe();
      expect(running.status.name).toBe('RUNNING');
      expect(await rowsFor(coupon.id)).toEqual({ rows: 0, issued: 0 });

      const stopWorker = await startTestWorker(waiting.db, waiting.taskQueue);
      try {
        // The worker settles the claim that was waiting; asking again names that coupon.
        const row = await eventually(() => waiting.db('user_coupons').where({ coupon_id: coupon.id, user_id: customer.userId }).first());
        const repeated = await claim(coupon.id, customer, waiting);
        expect(repeated.status).toBe(409);
        expect(repeated.body.error).toMatchObject({ code: 'ALREADY_ISSUED', details: { userCouponId: row.id } });
        expect(await rowsFor(coupon.id)).toEqual({ rows: 1, issued: 1 });
      } finally {
        await stopWorker();
      }
    } finally {
      await waiting.stop();
    }
  });

  it('answers 404 COUPON_NOT_FOUND for an unknown coupon, starting no issuer', async () => {
    const customer = await signUpCustomer(stack);
    const unknown = '6f1c1d5e-9a0b-4c5d-8e7f-0a1b2c3d4e5f';
    const response = await claim(unknown, customer);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('COUPON_NOT_FOUND');
    await expect(stack.client.workflow.getHandle(couponIssuerWorkflowId(unknown)).describe()).rejects.toThrow();
  });

  it("lists the customer's coupons by status", async () => {
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

describe("a coupon's issuer across runs", () => {
  // Tiny runs: an issuer hands over to a new run every 7 claims, and closes after 1.5 s idle.
  const stack = useTestStack({ couponIssuerRun: { claimsPerRun: 7, idleTimeoutMs: 1500 } });
  let admin: TestUser;

  beforeAll(async () => {
    admin = await signInAdmin(stack);
  });

  const runsOf = async (workflowId: string) => {
    const statuses: string[] = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) statuses.push(run.status.name);
    return statuses;
  };

  it('stays exact while it continues as new in the middle of a rush', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 60 });
    const customers = await mintCustomers(stack, 200);

    const responses = await Promise.all(
      customers.map((c) => request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: c.token })),
    );

    expect(responses.filter((r) => r.status === 201)).toHaveLength(60);
    expect(responses.filter((r) => r.status === 409 && r.body.error.code === 'SOLD_OUT')).toHaveLength(140);
    const rows = await stack.db('user_coupons').where({ coupon_id: coupon.id });
    expect(rows).toHaveLength(60);
    expect((await stack.db('coupons').where({ id: coupon.id }).first()).issued_quantity).toBe(60);
    const winners = new Set(customers.filter((_, i) => responses[i].status === 201).map((c) => c.userId));
    expect(new Set(rows.map((r) => r.user_id))).toEqual(winners);
    // At least 60 claims reached the issuer, 7 per run: runs handed over, and the last
    // closed once idle (a straggler more than 1.5 s behind may have started another).
    await eventually(async () => {
      const statuses = await runsOf(couponIssuerWorkflowId(coupon.id));
      const handedOver = statuses.filter((s) => s === 'CONTINUED_AS_NEW').length;
      const allClosed = statuses.every((s) => s === 'CONTINUED_AS_NEW' || s === 'COMPLETED');
      return handedOver >= Math.floor(60 / 7) && allClosed ? true : undefined;
    });
  });

  it('closes when idle, and the next claim starts it again', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 5 });
    const [early, late] = [await signUpCustomer(stack), await signUpCustomer(stack)];
    const issue = (c: TestUser) => request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: c.token });
    expect((await issue(early)).status).toBe(201);
    const issuer = stack.client.workflow.getHandle(couponIssuerWorkflowId(coupon.id));
    expect(await issuer.query(issuerProgressQuery)).toEqual({ couponId: coupon.id, waitingClaims: 0, claimsTakenThisRun: 1, handingOver: false });
    const first = await eventually(async () => {
      const d = await issuer.describe();
      return d.status.name === 'COMPLETED' ? d : undefined;
    });

    expect((await issue(late)).status).toBe(201);

    const second = await issuer.describe();
    expect(second.runId).not.toBe(first.runId);
    expect((await stack.db('coupons').where({ id: coupon.id }).first()).issued_quantity).toBe(2);
  });
});
