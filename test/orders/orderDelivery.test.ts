import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createOrderDeliveryActivities } from '../../src/activities/orderDelivery';
import { COMPLETED_ORDER_SCHEMA_VERSION, type DeliveryInput, type DeliveryReport } from '../../src/contracts/orderDelivery';
import { createDataPlatformClient, deliveryKeyOf } from '../../src/dataPlatform/client';
import { createOrderDeliveryRepository } from '../../src/db/repositories/orderDeliveries';
import { startDataPlatformProcess } from '../../src/platform/dataPlatformProcess';
import { freePort } from '../../src/platform/ports';
import type { ServiceProcess } from '../../src/platform/serviceProcess';
import { ensureMaintenanceSchedules } from '../../src/temporal/schedules';
import { productWithStock } from '../support/catalog';
import { dataPlatformRecords } from '../support/dataPlatform';
import { testEnvironment } from '../support/environment';
import { mintCustomers, signInAdmin, signUpCustomer } from '../support/factories';
import { request } from '../support/http';
import { historicalOrder } from '../support/history';
import { eventually, orderRow, payOrder, placeOrder } from '../support/orders';
import { runbookCommand } from '../support/runbook';
import { defaultDelivery, testScheduleIds } from '../support/schedules';
import { startTestStack, type TestStack } from '../support/stack';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/** Every completed order of a test, delivered: its outbox row marked, its record at the data platform. */
async function deliveredRows(stack: TestStack, orderIds: string[]) {
  return stack.db('order_deliveries').whereIn('order_id', orderIds).select('order_id', 'attempts', 'delivered_at', 'last_error', 'payload');
}

/**
 * Delivery of completed orders to the data platform (docs/data-platform.md): written to
 * the outbox by the transaction that completes an order, drained by the delivery
 * Schedule into the data platform simulator, a process of its own.
 */
describe('delivery of completed orders to the data platform', () => {
  jest.setTimeout(300_000);
  let dataPlatform: ServiceProcess;
  let port: number;
  let stack: TestStack;
  const scheduleIds = testScheduleIds();
  // The platform's drain, but impatient: a delivery failing for 3 s raises NeedsAttention.
  const delivery: DeliveryInput = { ...defaultDelivery(), attentionAfterMs: 3_000 };
  const startDataPlatform = (faults: { dropAfterRecordRate?: number } = {}) => startDataPlatformProcess({ databaseUrl: testEnvironment().databaseUrl, port, logLevel: 'warn', ...faults });

  beforeAll(async () => {
    port = await freePort();
    dataPlatform = await startDataPlatform();
    stack = await startTestStack({
      dataPlatformUrl: dataPlatform.url,
      deliveryBackoff: { initialMs: 500, maxMs: 2_000 },
      // A gateway answering 500 fails its payment after a second, not 5 minutes.
      gatewayOutageBudgetMs: 1_000,
      // Long enough for a loaded machine to pay the burst's orders, short enough to see two expire.
      reservationTtlMs: 90_000,
    });
    // Every file shares one database: what other files' completions left undelivered is
    // theirs, not this file's to send or count.
    await stack.db('order_deliveries').whereNull('delivered_at').update({ delivered_at: stack.db.fn.now() });
  });
  afterAll(async () => {
    for (const id of Object.values(scheduleIds)) await stack?.client.schedule.getHandle(id).delete().catch(() => undefined);
    await stack?.stop();
    await dataPlatform?.stop();
  });

  const hourly = { intervalMs: 3_600_000 };
  /** The platform's schedules under this file's ids; only delivery runs often (every 2 s). */
  const ensureSchedules = () =>
    ensureMaintenanceSchedules(stack.client, {
      taskQueue: stack.taskQueue,
      reconciliation: { ...hourly, lookbackMs: 3_600_000 },
      sweeper: { ...hourly, graceMs: 3_600_000, limit: 10 },
      idempotency: { ...hourly, retentionMs: 30 * 86_400_000 },
      salesRollup: hourly,
      delivery: { ...delivery, intervalMs: 2_000 },
      ids: scheduleIds,
    });

  it('queues one delivery with the order as it completed, in the transaction that completes it, and none for an order that did not', async () => {
    const [customer, unlucky] = await mintCustomers(stack, 2);
    const [optionA, optionB] = await productWithStock(stack.db, [5, 5]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionA, quantity: 2 }, { productOptionId: optionB, quantity: 1 }] });
    expect((await payOrder(stack, customer, placed.body.orderId, 'tok_visa')).status).toBe(200);
    const failing = await placeOrder(stack, unlucky, { items: [{ productOptionId: optionA, quantity: 1 }] });
    await payOrder(stack, unlucky, failing.body.orderId, 'tok_error');
    await eventually(async () => ((await orderRow(stack.db, failing.body.orderId)).status === 'FAILED' ? true : undefined), 60_000, 'the failed order');

    const order = await orderRow(stack.db, placed.body.orderId);
    const items = await stack.db('order_items').where({ order_id: order.id });
    const [row] = await deliveredRows(stack, [order.id]);
    expect(row.payload).toEqual({
      schemaVersion: COMPLETED_ORDER_SCHEMA_VERSION,
      orderId: order.id,
      customer: { id: customer.userId },
      items: expect.arrayContaining(
        items.map((i) => ({
          productId: i.product_id,
          productOptionId: i.option_id,
          productName: i.product_name,
          optionName: i.option_name,
          unitPrice: i.unit_price,
          quantity: i.quantity,
          lineAmount: i.line_amount,
        })),
      ),
      amounts: { total: order.total_amount, discount: order.discount_amount, final: order.final_amount },
      coupon: null,
      paymentKey: order.payment_key,
      paidAt: new Date(order.paid_at).toISOString(),
    });
    expect(row.payload.items).toHaveLength(2);
    expect(await deliveredRows(stack, [failing.body.orderId])).toEqual([]);
  });

  it('sends each due delivery exactly once while three drains race over the outbox', async () => {
    const { userId } = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const { product_id: productId } = await stack.db('product_options').where({ id: optionId }).first('product_id');
    const deliveries = createOrderDeliveryRepository(stack.db);
    // Only this test's deliveries wait (the one above's completed order would be sent too).
    await stack.db('order_deliveries').whereNull('delivered_at').update({ delivered_at: stack.db.fn.now() });
    const orderIds: string[] = [];
    for (let i = 0; i < 60; i++) {
      const id = await historicalOrder(stack.db, { userId, productId, optionId, quantity: 1 + i, status: 'COMPLETED', paidAt: new Date() });
      await stack.db.transaction((trx) => deliveries.enqueue(trx, id));
      orderIds.push(id);
    }
    const activities = createOrderDeliveryActivities({
      db: stack.db,
      dataPlatform: createDataPlatformClient({ baseUrl: dataPlatform.url, timeoutMs: 5_000 }),
      deliveryBackoff: { initialMs: 500, maxMs: 2_000 },
    });
    const drain = (): Promise<DeliveryReport> => new MockActivityEnvironment({}, { logger: quiet }).run(activities.deliverDueOrders, { ...delivery, batchSize: 7, concurrency: 3 });
    const reports = await Promise.all([drain(), drain(), drain()]);

    expect(reports.reduce((sum, r) => sum + r.delivered, 0)).toBe(60);
    const rows = await deliveredRows(stack, orderIds);
    expect(rows.filter((r) => r.delivered_at !== null)).toHaveLength(60);
    const records = await dataPlatformRecords(orderIds, dataPlatform.url);
    expect(records).toHaveLength(60);
    // One request per order: no two drains sent the same row.
    expect(records.map((r) => r.receipts)).toEqual(Array(60).fill(1));
    expect(new Set(records.map((r) => r.idempotencyKey))).toEqual(new Set(orderIds.map(deliveryKeyOf)));
  });

  it('backs a failing delivery off, doubling from the first wait up to the cap, with no end to its attempts', async () => {
    const { userId } = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const { product_id: productId } = await stack.db('product_options').where({ id: optionId }).first('product_id');
    const deliveries = createOrderDeliveryRepository(stack.db);
    const orderId = await historicalOrder(stack.db, { userId, productId, optionId, quantity: 1, status: 'COMPLETED', paidAt: new Date() });
    await stack.db.transaction((trx) => deliveries.enqueue(trx, orderId));
    const backoff = { initialMs: 5_000, maxMs: 300_000 };
    /** Fails the delivery once more; returns the wait it was given, in seconds. */
    const failOnce = async () => {
      await deliveries.markFailed([{ orderId, error: 'HTTP 503', failure: 'failed' }], backoff);
      const row = await stack.db('order_deliveries').where({ order_id: orderId }).first(stack.db.raw('extract(epoch from next_attempt_at - clock_timestamp())::float8 as wait'), 'attempts');
      return { wait: row.wait as number, attempts: row.attempts as number };
    };
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) waits.push((await failOnce()).wait);
    // 5, 10, 20, 40, 80, 160, then 320 and 640, each within ±25 %, and never over the 300 s cap.
    const doubled = [5, 10, 20, 40, 80, 160, 320, 640];
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThan(Math.min(doubled[i] * 0.75, 300) - 1);
      expect(wait).toBeLessThanOrEqual(Math.min(doubled[i] * 1.25, 300));
    });
    // Hours into an outage, it is still tried every few minutes.
    await stack.db('order_deliveries').where({ order_id: orderId }).update({ attempts: 500 });
    const late = await failOnce();
    expect(late.attempts).toBe(501);
    expect(late.wait).toBeLessThanOrEqual(300);
    expect((await deliveredRows(stack, [orderId]))[0].last_error).toBe('HTTP 503');
    // A hand-made order: out of the way of the Schedule's runs in the tests below.
    await stack.db('order_deliveries').where({ order_id: orderId }).delete();
  });

  it('sends what backed off during an outage as soon as the data platform answers again, but not what failed alone or was refused', async () => {
    const { userId } = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const { product_id: productId } = await stack.db('product_options').where({ id: optionId }).first('product_id');
    const deliveries = createOrderDeliveryRepository(stack.db);
    const order = async () => {
      const id = await historicalOrder(stack.db, { userId, productId, optionId, quantity: 1, status: 'COMPLETED', paidAt: new Date() });
      await stack.db.transaction((trx) => deliveries.enqueue(trx, id));
      return id;
    };
    const [fresh, waitedOut, failedAlone, refused] = [await order(), await order(), await order(), await order()];
    // Failed in an outage, failed while others went through, and refused: each an hour from its next attempt.
    await deliveries.markFailed(
      [
        { orderId: waitedOut, error: 'data platform unreachable: ECONNREFUSED', failure: 'outage' },
        { orderId: failedAlone, error: 'data platform answered 500', failure: 'failed' },
        { orderId: refused, error: 'data platform answered 422', failure: 'refused' },
      ],
      { initialMs: 3_600_000, maxMs: 3_600_000 },
    );
    const activities = createOrderDeliveryActivities({
      db: stack.db,
      dataPlatform: createDataPlatformClient({ baseUrl: dataPlatform.url, timeoutMs: 5_000 }),
      deliveryBackoff: { initialMs: 500, maxMs: 2_000 },
    });
    // One run: the fresh one goes out, which shows the data platform is back, so the one that waited goes too.
    await new MockActivityEnvironment({}, { logger: quiet }).run(activities.deliverDueOrders, delivery);
    const rows = new Map((await deliveredRows(stack, [fresh, waitedOut, failedAlone, refused])).map((r) => [r.order_id, r]));
    expect(rows.get(fresh)!.delivered_at).not.toBeNull();
    expect(rows.get(waitedOut)!.delivered_at).not.toBeNull();
    expect(rows.get(failedAlone)).toMatchObject({ delivered_at: null, attempts: 1, last_error: 'data platform answered 500' });
    expect(rows.get(refused)).toMatchObject({ delivered_at: null, attempts: 1, last_error: 'data platform answered 422' });
    expect((await dataPlatformRecords([fresh, waitedOut, failedAlone, refused], dataPlatform.url)).map((r) => r.orderId).sort()).toEqual([fresh, waitedOut].sort());
    // Hand-made orders: out of the way of the Schedule's runs in the tests below.
    await stack.db('order_deliveries').whereIn('order_id', [failedAlone, refused]).delete();
  });

  it('delivers every order completed while the data platform was down, once each, and none that failed or expired; payments never waited for it', async () => {
    await ensureSchedules();
    // The data platform goes away: its process stops, connections are refused.
    await dataPlatform.stop();

    const customers = await mintCustomers(stack, 14);
    const options = await productWithStock(stack.db, [20, 20]);
    const placed = await Promise.all(
      customers.map(async (customer, i) => ({
        i,
        customer,
        orderId: (await placeOrder(stack, customer, { items: [{ productOptionId: options[i % 2], quantity: 1 + (i % 3) }] })).body.orderId as string,
      })),
    );
    // Ten paid, two whose payment fails (the gateway errs until the saga gives up), two left to expire.
    const cardOf = (i: number) => (i < 10 ? 'tok_visa' : i < 12 ? 'tok_error' : undefined);
    const answers = await Promise.all(
      placed.map(async ({ i, customer, orderId }) => {
        const card = cardOf(i);
        return card ? { orderId, status: (await payOrder(stack, customer, orderId, card)).status } : undefined;
      }),
    );
    // Every payment has its answer while the data platform is still down.
    await expect(fetch(`${dataPlatform.url}/healthz`)).rejects.toThrow();
    const paid = answers.filter((a) => a?.status === 200).map((a) => a!.orderId);
    expect(paid).toHaveLength(10);
    const failedIds = placed.filter(({ i }) => cardOf(i) === 'tok_error').map((p) => p.orderId);
    const expiringIds = placed.filter(({ i }) => cardOf(i) === undefined).map((p) => p.orderId);
    for (const id of paid) expect((await orderRow(stack.db, id)).status).toBe('COMPLETED');

    // The Schedule keeps trying, each delivery backing off on its own, and soon raises NeedsAttention.
    await eventually(async () => {
      const rows = await deliveredRows(stack, paid);
      return rows.length === 10 && rows.every((r) => r.attempts >= 2 && r.delivered_at === null && /unreachable/.test(r.last_error)) ? rows : undefined;
    }, 120_000, 'two failed attempts of each delivery');
    // Ops see them through the API too, with their last error.
    const admin = await signInAdmin(stack);
    const failing = await request(stack.baseUrl, 'GET', '/api/v1/admin/deliveries?state=failing&limit=100', { token: admin.token });
    expect(failing.status).toBe(200);
    const listed = new Map((failing.body.items as { orderId: string; attempts: number; lastError: string; deliveredAt: string | null }[]).map((d) => [d.orderId, d]));
    for (const id of paid) expect(listed.get(id)).toMatchObject({ deliveredAt: null, lastError: expect.stringMatching(/unreachable/) });
    const flagged = await eventually(async () => {
      const out = await runbookCommand(`temporal workflow list --query 'WorkflowType = "deliverCompletedOrders" AND NeedsAttention = true'`, {});
      return out.includes(scheduleIds.delivery) ? out : undefined;
    }, 60_000, 'a delivery run flagged NeedsAttention');
    expect(flagged).toContain('deliverCompletedOrders');

    // Back, and dropping the answer to a third of the deliveries it records: those are sent again.
    dataPlatform = await startDataPlatform({ dropAfterRecordRate: 0.3 });
    await eventually(async () => {
      const rows = await deliveredRows(stack, paid);
      return rows.every((r) => r.delivered_at !== null) ? rows : undefined;
    }, 120_000, 'every delivery made');
    for (const id of failedIds) expect((await orderRow(stack.db, id)).status).toBe('FAILED');
    await eventually(async () => {
      const statuses = await Promise.all(expiringIds.map(async (id) => (await orderRow(stack.db, id)).status));
      return statuses.every((s) => s === 'EXPIRED') ? statuses : undefined;
    }, 180_000, 'the unpaid orders to expire');

    const records = await dataPlatformRecords([...paid, ...failedIds, ...expiringIds], dataPlatform.url);
    expect(records.map((r) => r.orderId).sort()).toEqual([...paid].sort());
    for (const record of records) {
      const order = await orderRow(stack.db, record.orderId);
      expect(record.idempotencyKey).toBe(deliveryKeyOf(order.id));
      expect(record.payload).toMatchObject({ schemaVersion: 1, orderId: order.id, customer: { id: order.user_id }, amounts: { final: order.final_amount }, paidAt: new Date(order.paid_at).toISOString() });
    }
    expect(await deliveredRows(stack, [...failedIds, ...expiringIds])).toEqual([]);
    const deliveredPage = await request(stack.baseUrl, 'GET', '/api/v1/admin/deliveries?state=delivered&limit=100', { token: admin.token });
    const deliveredIds = new Set((deliveredPage.body.items as { orderId: string }[]).map((d) => d.orderId));
    for (const id of paid) expect(deliveredIds.has(id)).toBe(true);

    // Once everything is through, a run no longer finds anything stuck.
    const before = Date.now();
    await runbookCommand('temporal schedule trigger --schedule-id <scheduleId>', { scheduleId: scheduleIds.delivery });
    const report = await eventually(async () => {
      const { info } = await stack.client.schedule.getHandle(scheduleIds.delivery).describe();
      const action = info.recentActions.filter((a) => a.takenAt.getTime() >= before).at(-1)?.action;
      if (!action) return undefined;
      return (await stack.client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId).result()) as DeliveryReport;
    }, 90_000, 'a delivery run after the outage');
    expect(report).toMatchObject({ stuck: 0, oldestStuck: null });
  });

  it('holds deliveries while ops pause the Schedule, and replays one order on request (the runbook)', async () => {
    await ensureSchedules();
    // A data platform that answers every delivery it records (the outage test left it dropping some).
    const faults = await fetch(`${dataPlatform.url}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dropAfterRecordRate: 0 }) });
    expect(faults.status).toBe(200);
    const [customer] = await mintCustomers(stack, 1);
    const [optionId] = await productWithStock(stack.db, [3]);

    await runbookCommand('temporal schedule toggle --schedule-id <scheduleId> --pause --reason "<why>"', { scheduleId: scheduleIds.delivery, why: 'data platform maintenance' });
    // A run that started just before the pause may still be going: let it end first.
    const handle = stack.client.schedule.getHandle(scheduleIds.delivery);
    await eventually(async () => {
      const { state, info } = await handle.describe();
      return state.paused && info.runningActions.length === 0 ? true : undefined;
    }, 60_000, 'the paused schedule with no run open');
    const pausedAt = Date.now();
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    expect((await payOrder(stack, customer, placed.body.orderId, 'tok_visa')).status).toBe(200);
    const orderId = placed.body.orderId as string;
    // Three intervals of a paused schedule: no run, nothing sent.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect((await handle.describe()).info.recentActions.filter((a) => a.takenAt.getTime() >= pausedAt)).toEqual([]);
    expect((await deliveredRows(stack, [orderId]))[0]).toMatchObject({ attempts: 0, delivered_at: null });
    await runbookCommand('temporal schedule toggle --schedule-id <scheduleId> --unpause --reason "<why>"', { scheduleId: scheduleIds.delivery, why: 'maintenance over' });
    await eventually(async () => ((await deliveredRows(stack, [orderId]))[0].delivered_at ? true : undefined), 90_000, 'the delivery after unpausing');

    // The data platform loses the record; ops replay that one order's delivery.
    await stack.db('data_platform.order_records').where({ order_id: orderId }).delete();
    const replay = async () => {
      await runbookCommand(`temporal workflow start --type redeliverOrder --task-queue <taskQueue> --workflow-id redeliver-order:<orderId> --input '"<orderId>"'`, { taskQueue: stack.taskQueue, orderId });
      return runbookCommand('temporal workflow result --workflow-id redeliver-order:<orderId>', { orderId });
    };
    expect(await replay()).toMatch(/"duplicate":\s*false/);
    expect((await dataPlatformRecords([orderId], dataPlatform.url)).map((r) => r.receipts)).toEqual([1]);
    // Replayed again: the same key, so still one record, received twice.
    expect(await replay()).toMatch(/"duplicate":\s*true/);
    expect((await dataPlatformRecords([orderId], dataPlatform.url)).map((r) => r.receipts)).toEqual([2]);

    // The same replay through the API, for an admin only, and only of a completed order.
    const admin = await signInAdmin(stack);
    const path = (id: string) => `/api/v1/admin/orders/${id}/delivery`;
    const viaApi = await request(stack.baseUrl, 'POST', path(orderId), { token: admin.token });
    expect(viaApi.status).toBe(202);
    expect(viaApi.body).toMatchObject({ orderId, workflowId: `redeliver-order:${orderId}` });
    expect(await stack.client.workflow.getHandle(viaApi.body.workflowId, viaApi.body.runId).result()).toMatchObject({ orderId, duplicate: true, deliveredBefore: true });
    expect((await dataPlatformRecords([orderId], dataPlatform.url)).map((r) => r.receipts)).toEqual([3]);
    expect((await request(stack.baseUrl, 'POST', path(orderId), { token: customer.token })).status).toBe(403);
    // A payload the data platform refuses (the key it holds came with another one): the
    // replay's activity fails for good, and so does the replay.
    await stack.db('order_deliveries').where({ order_id: orderId }).update({ payload: stack.db.raw(`jsonb_set(payload, '{amounts,final}', '1')`) });
    const doomed = await request(stack.baseUrl, 'POST', path(orderId), { token: admin.token });
    expect(doomed.status).toBe(202);
    const failure = await stack.client.workflow.getHandle(doomed.body.workflowId, doomed.body.runId).result().catch((error: { cause?: { cause?: unknown } }) => error.cause?.cause);
    expect(failure).toMatchObject({ type: 'DELIVERY_REFUSED', message: expect.stringContaining('422') });
    // An order completed before deliveries existed has none: its replay queues it, then sends it.
    const { product_id: productId } = await stack.db('product_options').where({ id: optionId }).first('product_id');
    const old = await historicalOrder(stack.db, { userId: customer.userId, productId, optionId, quantity: 1, status: 'COMPLETED', paidAt: new Date(Date.now() - 86_400_000) });
    const backfill = await request(stack.baseUrl, 'POST', path(old), { token: admin.token });
    expect(backfill.status).toBe(202);
    expect(await stack.client.workflow.getHandle(backfill.body.workflowId, backfill.body.runId).result()).toMatchObject({ orderId: old, duplicate: false, deliveredBefore: false });
    expect((await dataPlatformRecords([old], dataPlatform.url)).map((r) => r.payload.amounts.final)).toEqual([1]);
    const unpaid = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    const refused = await request(stack.baseUrl, 'POST', path(unpaid.body.orderId), { token: admin.token });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'ORDER_NOT_COMPLETED', details: { status: 'PENDING_PAYMENT' } });
    expect((await request(stack.baseUrl, 'POST', path(randomUUID()), { token: admin.token })).body.error.code).toBe('ORDER_NOT_FOUND');
    expect((await request(stack.baseUrl, 'POST', path('not-an-id'), { token: admin.token })).status).toBe(400);
    expect((await request(stack.baseUrl, 'GET', '/api/v1/admin/deliveries?state=lost', { token: admin.token })).status).toBe(400);
  });
});
