import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createOrderActivities } from '../../src/activities/orders';
import type { SweepReport } from '../../src/contracts/maintenance';
import { IDEMPOTENCY_PRUNE_SCHEDULE_ID, ORDER_DELIVERY_SCHEDULE_ID, SALES_ROLLUP_SCHEDULE_ID, orderWorkflowId, RECONCILIATION_SCHEDULE_ID, releaseOrphanWorkflowId, SWEEPER_SCHEDULE_ID } from '../../src/contracts/workflowIds';
import { orderIdFor } from '../../src/orchestration/orderIds';
import { ensureMaintenanceSchedules } from '../../src/temporal/schedules';
import type { sweepOrphanedHolds } from '../../src/workflows/sweepOrphanedHolds';
import { reservationCount, productWithStock, stockOf } from '../support/catalog';
import { createCoupon, mintCustomers, signInAdmin, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { eventually, getOrder, ledgerOf, orderRow, payOrder, placeOrder, SCHEDULE_RUN_WITHIN_MS } from '../support/orders';
import { MAINTENANCE_COMMANDS, runbookCommand } from '../support/runbook';
import { defaultDelivery } from '../support/schedules';
import { testGateway, useTestStack } from '../support/stack';

const RESERVATION_TTL_MS = 2_000;
const GRACE_MS = 500;

/**
 * A placement that stops for good leaves holds no workflow will give back: its stock
 * reserved, its coupon used, its order waiting for a payment that cannot come. Each
 * orphan here is made the way production makes one: the order's workflow is terminated
 * by hand after answering, or while it is inside a step (before or after the order row
 * is written, held there by a gate around the real `recordOrder`). Sweeps then run as
 * their Schedule runs them, three at once, and must release each orphan exactly once
 * and leave every live order alone.
 */
describe('the sweeper of orphaned holds', () => {
  // Placements whose key starts with `stall-before-` or `stall-after-` wait at this gate
  // inside recordOrder (before or after the real one) until it opens or they are cancelled.
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const stalled = new Set<string>();
  const held = () => Promise.race([gate, Context.current().cancelled.catch(() => undefined)]);
  let realRecordOrder: ReturnType<typeof createOrderActivities>['recordOrder'] | undefined;

  const stack = useTestStack({
    reservationTtlMs: RESERVATION_TTL_MS,
    resultTimeoutMs: 4_000,
    activityOverrides: {
      async recordOrder(input: Parameters<ReturnType<typeof createOrderActivities>['recordOrder']>[0]) {
        realRecordOrder ??= createOrderActivities({ db: stack.db }).recordOrder;
        const stall = /^stall-(before|after)-/.exec(input.idempotencyKey)?.[1];
        if (stall === 'before') {
          stalled.add(input.idempotencyKey);
          await held();
          throw ApplicationFailure.nonRetryable('the test stopped this placement before its order was written');
        }
        const recorded = await realRecordOrder(input);
        if (stall === 'after') {
          stalled.add(input.idempotencyKey);
          await held();
        }
        return recorded;
      },
    },
  });
  afterAll(() => openGate());

  let admin: TestUser;
  beforeAll(async () => {
    admin = await signInAdmin(stack);
  });

  async function withCoupon(customers: TestUser[]): Promise<string[]> {
    const coupon = await createCoupon(stack, admin, { discountValue: 100, totalQuantity: customers.length });
    return Promise.all(
      customers.map(async (customer) => {
        const claimed = await request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: customer.token });
        expect(claimed.status).toBe(201);
        return claimed.body.userCouponId as string;
      }),
    );
  }

  const terminate = (customer: TestUser, key: string) =>
    stack.client.workflow.getHandle(orderWorkflowId(customer.userId, key)).terminate('the test stops this placement for good');

  const sweep = (id: string) =>
    stack.client.workflow.execute<typeof sweepOrphanedHolds>('sweepOrphanedHolds', {
      taskQueue: stack.taskQueue,
      workflowId: `sweep-test-${id}-${randomUUID()}`,
      args: [{ graceMs: GRACE_MS, limit: 500 }],
    });

  const sweepsFound = (reports: SweepReport[], mine: Set<string>) => reports.flatMap((r) => [...r.released, ...r.alreadyReleasing]).filter((id) => mine.has(id));

  /** Until every reservation placed so far has ended, plus the sweeper's grace. */
  const pastGrace = (expiries: string[]) =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.max(...expiries.map(Date.parse)) + GRACE_MS + 200 - Date.now())));

  it('releases every orphaned hold exactly once across concurrent sweeps, and each key then answers its end', async () => {
    const [optionId] = await productWithStock(stack.db, [30]);
    const customers = await mintCustomers(stack, 12);
    const coupons = await withCoupon(customers);
    const order = (i: number, key: string) =>
      placeOrder(stack, customers[i], { items: [{ productOptionId: optionId, quantity: 2 }], userCouponId: coupons[i] }, key);
    const keys = customers.map((_, i) => (i < 4 ? `gone-${randomUUID()}` : i < 7 ? `stall-before-${randomUUID()}` : i < 10 ? `stall-after-${randomUUID()}` : `live-${randomUUID()}`));
    const group = (from: number, to: number) => customers.slice(from, to).map((customer, j) => ({ customer, key: keys[from + j], coupon: coupons[from + j] }));
    const gone = group(0, 4);
    const stallBefore = group(4, 7);
    const stallAfter = group(7, 10);
    const live = group(10, 12);

    // Answered, then terminated: an order row waiting for payment that nothing will end.
    const answered = await Promise.all([...gone, ...live].map(({ key }) => order(keys.indexOf(key), key)));
    expect(answered.map((a) => a.status)).toEqual([...gone, ...live].map(() => 201));
    await Promise.all(gone.map(({ customer, key }) => terminate(customer, key)));

    // Stopped inside recordOrder, before or after the row is written.
    const stoppedRequests = [...stallBefore, ...stallAfter].map(({ key }) => order(keys.indexOf(key), key));
    for (const { key } of [...stallBefore, ...stallAfter]) await eventually(async () => stalled.has(key) || undefined, 30_000, `placement ${key} to stall`);
    await Promise.all([...stallBefore, ...stallAfter].map(({ customer, key }) => terminate(customer, key)));
    await Promise.all(stoppedRequests);

    const retried = async ({ customer, key }: { customer: TestUser; key: string }) => order(customers.indexOf(customer), key);
    for (const before of stallBefore) {
      const again = await retried(before);
      expect({ status: again.status, code: again.body.error?.code }).toEqual({ status: 409, code: 'ORDER_NOT_PLACED' });
    }
    // The row is written but the order has not ended: not an answer yet, so not stored.
    for (const after of stallAfter) {
      const again = await retried(after);
      expect({ status: again.status, code: again.body.error.code, orderId: again.body.error.details.orderId }).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        orderId: orderIdOf(after.customer, after.key),
      });
    }

    const mineOrphaned = [...gone, ...stallBefore, ...stallAfter].map(({ customer, key }) => orderIdOf(customer, key));
    const orphanRows = await stack.db('orders').whereIn('id', mineOrphaned).select('id', 'reservation_expires_at');
    expect(orphanRows).toHaveLength(gone.length + stallAfter.length);
    await pastGrace([...orphanRows.map((r) => r.reservation_expires_at.toISOString()), ...answered.map((a) => a.body.reservationExpiresAt)]);
    // The live orders expire on their own timers; the sweeper never sees them.
    for (const { customer, key } of live) await eventually(async () => ((await orderRow(stack.db, orderIdOf(customer, key))).status === 'EXPIRED' ? true : undefined), 30_000, 'expiry');

    const reports = await Promise.all([1, 2, 3].map((i) => sweep(`concurrent-${i}`)));
    const mine = new Set(mineOrphaned.concat(live.map(({ customer, key }) => orderIdOf(customer, key))));
    const releasedByRuns = reports.flatMap((r) => r.released).filter((id) => mine.has(id));
    expect(releasedByRuns.sort()).toEqual([...mineOrphaned].sort());
    for (const report of reports) expect(sweepsFound([report], mine).every((id) => mineOrphaned.includes(id))).toBe(true);
    await Promise.all(mineOrphaned.map((id) => stack.client.workflow.getHandle(releaseOrphanWorkflowId(id)).result()));

    // The books: every unit back, every coupon usable again, no charge anywhere.
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 30, available: 30, reserved: 0, sold: 0 });
    expect(await reservationCount(stack.db, optionId, 'RESERVED')).toBe(0);
    const usedCoupons = await stack.db('user_coupons').whereIn('id', coupons).whereNotNull('used_at').pluck('id');
    expect(usedCoupons).toEqual([]);
    for (const id of mine) expect({ id, ...(await ledgerOf(stack.db, id)) }).toEqual({ id, charges: 0, refunds: 0, net: 0 });

    for (const { customer, key } of [...gone, ...stallAfter]) {
      const row = await orderRow(stack.db, orderIdOf(customer, key));
      expect({ status: row.status, released: row.failure_reason?.startsWith('released by the sweeper: ') }).toEqual({ status: 'FAILED', released: true });
      const read = await getOrder(stack, customer, row.id);
      expect(read.body.status).toBe('FAILED');
    }
    for (const { customer, key } of live) expect((await orderRow(stack.db, orderIdOf(customer, key))).failure_reason).toBeNull();
    // Each key answers its end: the stalled-after placement now with its FAILED order.
    for (const after of stallAfter) {
      const again = await retried(after);
      expect({ status: again.status, orderStatus: again.body.status }).toEqual({ status: 201, orderStatus: 'FAILED' });
    }
    for (const before of stallBefore) expect((await retried(before)).body.error.code).toBe('ORDER_NOT_PLACED');

    // A later sweep finds nothing of these left to release, and releases nothing twice.
    const later = await sweep('later');
    expect(sweepsFound([later], mine)).toEqual([]);
  });

  it('leaves alone an order whose payment saga still runs after the order workflow is gone, and the saga completes it', async () => {
    const [optionId] = await productWithStock(stack.db, [3]);
    const [customer] = await mintCustomers(stack, 1);
    const key = `paying-${randomUUID()}`;
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] }, key);
    expect(placed.status).toBe(201);
    const orderId: string = placed.body.orderId;
    // The charge outlasts the reservation and the grace: the saga is what holds the order now.
    const paying = payOrder(stack, customer, orderId, 'tok_slow_6000');
    const sagaId = await eventually(async () => (await orderRow(stack.db, orderId)).saga_workflow_id ?? undefined, 30_000, 'the saga to start');
    await terminate(customer, key);
    await pastGrace([placed.body.reservationExpiresAt]);
    expect((await orderRow(stack.db, orderId)).status).toBe('PENDING_PAYMENT');

    const report = await sweep('saga-running');
    expect(sweepsFound([report], new Set([orderId]))).toEqual([]);

    await stack.client.workflow.getHandle(sagaId).result();
    await paying;
    const row = await orderRow(stack.db, orderId);
    expect(row.status).toBe('COMPLETED');
    expect(await ledgerOf(stack.db, orderId)).toEqual({ charges: 1, refunds: 0, net: row.final_amount });
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 3, available: 2, reserved: 0, sold: 1 });
  });

  describe('its Schedule, as ops run it (the runbook, docs/operations.md)', () => {
    // Several triggered runs, each allowed SCHEDULE_RUN_WITHIN_MS on a loaded machine.
    jest.setTimeout(300_000);
    const ran = new Set<string>();
    const temporal = (template: string, values: Record<string, string> = {}) => {
      expect(MAINTENANCE_COMMANDS).toContain(template);
      ran.add(template);
      return runbookCommand(template, values);
    };
    const settings = (intervalMs: number) => ({
      taskQueue: stack.taskQueue,
      reconciliation: { intervalMs, lookbackMs: 120_000 },
      sweeper: { intervalMs, graceMs: GRACE_MS, limit: 500 },
      idempotency: { intervalMs, retentionMs: 30 * 86_400_000 },
      salesRollup: { intervalMs },
      delivery: { ...defaultDelivery(), intervalMs },
    });
    const ids = [RECONCILIATION_SCHEDULE_ID, SWEEPER_SCHEDULE_ID, IDEMPOTENCY_PRUNE_SCHEDULE_ID, SALES_ROLLUP_SCHEDULE_ID, ORDER_DELIVERY_SCHEDULE_ID];
    // Other files' `npm start worker` processes put the platform's schedules on their own
    // task queues; a run left on a queue whose worker is gone never closes, and under the
    // SKIP overlap policy it would swallow every trigger. Ops start from the real schedules.
    beforeAll(async () => {
      for (const id of ids) await removeSchedule(id);
    });
    afterAll(async () => {
      for (const id of ids) await removeSchedule(id);
    });
    async function removeSchedule(id: string): Promise<void> {
      const handle = stack.client.schedule.getHandle(id);
      const described = await handle.describe().catch(() => undefined);
      if (!described) return;
      for (const { workflow } of described.info.runningActions) {
        await stack.client.workflow.getHandle(workflow.workflowId, workflow.firstExecutionRunId).terminate('left by an earlier test process').catch(() => undefined);
      }
      await handle.delete();
    }

    /** The run a trigger started, once it has closed. */
    async function triggeredRun(scheduleId: string, before: number): Promise<string> {
      const action = await eventually(async () => {
        const { info } = await stack.client.schedule.getHandle(scheduleId).describe();
        return info.recentActions.find((a) => a.takenAt.getTime() >= before - 1_000)?.action;
      }, SCHEDULE_RUN_WITHIN_MS, `a run of ${scheduleId}`);
      const { workflowId, firstExecutionRunId } = action.workflow;
      await stack.client.workflow.getHandle(workflowId, firstExecutionRunId).result();
      return workflowId;
    }

    it('keeps one schedule per id across start-ups, leaves a paused one paused, and runs each when triggered', async () => {
      await ensureMaintenanceSchedules(stack.client, settings(3_600_000));
      // A second start-up with other settings updates the schedules, never adds any.
      expect(await ensureMaintenanceSchedules(stack.client, settings(7_200_000))).toEqual({ created: [], updated: ids });
      const listed = await temporal('temporal schedule list');
      for (const id of ids) expect(listed.split(/\s+/).filter((word) => word === id)).toHaveLength(1);
      const described = await temporal('temporal schedule describe --schedule-id <scheduleId>', { scheduleId: SWEEPER_SCHEDULE_ID });
      expect(described).toContain('sweepOrphanedHolds');
      const sweeper = await stack.client.schedule.getHandle(SWEEPER_SCHEDULE_ID).describe();
      expect(sweeper.spec.intervals?.map((i) => i.every)).toEqual([7_200_000]);

      // Paused by ops, it stays paused through the next start-up.
      await temporal('temporal schedule toggle --schedule-id <scheduleId> --pause --reason "<why>"', { scheduleId: RECONCILIATION_SCHEDULE_ID, why: 'gateway maintenance' });
      await ensureMaintenanceSchedules(stack.client, settings(7_200_000));
      expect((await stack.client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).describe()).state.paused).toBe(true);
      await temporal('temporal schedule toggle --schedule-id <scheduleId> --unpause --reason "<why>"', { scheduleId: RECONCILIATION_SCHEDULE_ID, why: 'gateway back' });
      expect((await stack.client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).describe()).state.paused).toBe(false);

      // An orphan, and a completed order whose charge was refunded behind the platform's back.
      const [optionId] = await productWithStock(stack.db, [4]);
      const [orphaned, robbed] = await mintCustomers(stack, 2);
      const orphanKey = `gone-${randomUUID()}`;
      const orphan = await placeOrder(stack, orphaned, { items: [{ productOptionId: optionId, quantity: 1 }] }, orphanKey);
      await terminate(orphaned, orphanKey);
      const completed = await placeOrder(stack, robbed, { items: [{ productOptionId: optionId, quantity: 1 }] });
      const paid = await payOrder(stack, robbed, completed.body.orderId, 'tok_visa');
      expect(paid.status).toBe(200);
      await testGateway().cancel({ idempotencyKey: `manual-${randomUUID()}`, paymentKey: paid.body.paymentKey, reason: 'refunded by hand' });
      await pastGrace([orphan.body.reservationExpiresAt]);

      const sweepTriggered = Date.now();
      await temporal('temporal schedule trigger --schedule-id <scheduleId>', { scheduleId: SWEEPER_SCHEDULE_ID });
      await triggeredRun(SWEEPER_SCHEDULE_ID, sweepTriggered);
      await stack.client.workflow.getHandle(releaseOrphanWorkflowId(orphan.body.orderId)).result();
      expect((await orderRow(stack.db, orphan.body.orderId)).status).toBe('FAILED');
      const releases = await eventually(async () => {
        const out = await temporal(`temporal workflow list --query 'WorkflowType = "releaseOrphanedHold"'`);
        return out.includes(releaseOrphanWorkflowId(orphan.body.orderId)) ? out : undefined;
      }, 30_000, 'the release in visibility');
      expect(releases).toContain('releaseOrphanedHold');

      const reconcileTriggered = Date.now();
      await temporal('temporal schedule trigger --schedule-id <scheduleId>', { scheduleId: RECONCILIATION_SCHEDULE_ID });
      const reconciliation = await triggeredRun(RECONCILIATION_SCHEDULE_ID, reconcileTriggered);
      expect((await orderRow(stack.db, completed.body.orderId)).needs_attention).toBe(true);
      await eventually(async () => {
        const out = await temporal(`temporal workflow list --query 'WorkflowType = "reconcilePayments" AND NeedsAttention = true'`);
        return out.includes(reconciliation) ? out : undefined;
      }, 30_000, 'the flagged reconciliation in visibility');

      expect([...ran].sort()).toEqual([...MAINTENANCE_COMMANDS].sort());
    });
  });

  function orderIdOf(customer: TestUser, key: string): string {
    return orderIdFor(orderWorkflowId(customer.userId, key));
  }
});
