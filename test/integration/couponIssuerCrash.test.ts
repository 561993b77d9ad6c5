import { temporal } from '@temporalio/proto';
import { couponIssuerWorkflowId } from '../../src/contracts/workflowIds';
import { createCoupon, mintCustomers, signInAdmin } from '../support/factories';
import { request } from '../support/http';
import { eventually } from '../support/orders';
import { killWorker, stackWithWorkerProcesses } from '../support/workerProcess';

const { EventType } = temporal.api.enums.v1;

describe('a worker killed in the middle of a coupon rush', () => {
  const harness = stackWithWorkerProcesses({ resultTimeoutMs: 110_000 });

  /** Sessions of the test database waiting for a row lock inside a claim batch. */
  const batchesWaitingForTheCoupon = async () => {
    const { rows } = await harness.stack.db.raw(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%from \"coupons\"%for update%'",
    );
    return rows[0].n as number;
  };

  it('has every claim settled once by the next worker, with exact counts', async () => {
    const { stack } = harness;
    const first = await harness.launch();
    const coupon = await createCoupon(stack, await signInAdmin(stack), { totalQuantity: 100 });
    const customers = await mintCustomers(stack, 300);

    // Hold the coupon's row so the issuer's batch is inside its transaction, its claims
    // taken but unanswered, when the worker dies.
    const blocker = await stack.db.transaction();
    await blocker('coupons').where({ id: coupon.id }).forUpdate().first();
    const rush = Promise.all(customers.map((c) => request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: c.token })));
    await eventually(async () => ((await batchesWaitingForTheCoupon()) > 0 ? true : undefined), 60_000, 'a claim batch waiting for the coupon row');
    killWorker(first);
    await blocker.rollback();
    await harness.launch();

    const responses = await rush;

    expect(responses.filter((r) => r.status === 201)).toHaveLength(100);
    expect(responses.filter((r) => r.status === 409 && r.body.error.code === 'SOLD_OUT')).toHaveLength(200);
    const rows = await stack.db('user_coupons').where({ coupon_id: coupon.id });
    expect(rows).toHaveLength(100);
    expect((await stack.db('coupons').where({ id: coupon.id }).first()).issued_quantity).toBe(100);
    // Every winner was told the row the database holds for them; no loser holds one.
    const rowOf = new Map(rows.map((r) => [r.user_id, r.id]));
    customers.forEach((customer, i) => {
      if (responses[i].status === 201) expect(responses[i].body.userCouponId).toBe(rowOf.get(customer.userId));
      else expect(rowOf.has(customer.userId)).toBe(false);
    });
    // The batch the dead worker held was taken over after its workflow task timed out.
    const history = await stack.client.workflow.getHandle(couponIssuerWorkflowId(coupon.id)).fetchHistory();
    expect(history.events!.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)).toBe(true);
  });
});
