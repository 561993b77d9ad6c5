import type { Knex } from 'knex';
import { createSalesRollupActivities } from '../../src/activities/salesRollup';
import { ensureMaintenanceSchedules } from '../../src/temporal/schedules';
import { signUpCustomer } from '../support/factories';
import { productWithStock } from '../support/catalog';
import { request } from '../support/http';
import { historicalOrder } from '../support/history';
import { eventually, SCHEDULE_RUN_WITHIN_MS } from '../support/orders';
import { runbookCommand } from '../support/runbook';
import { defaultDelivery, testScheduleIds } from '../support/schedules';
import { useTestStack } from '../support/stack';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A product with one option, created now (so later ones are newer), and its ids. */
async function product(db: Knex): Promise<{ productId: string; optionId: string }> {
  const [optionId] = await productWithStock(db, [10]);
  const { product_id: productId } = await db('product_options').where({ id: optionId }).first();
  // Created one after the other within a millisecond or two: make "newer" unambiguous.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { productId, optionId };
}

describe('popular products', () => {
  const stack = useTestStack();
  const popular = (query: string) => request(stack.baseUrl, 'GET', `/api/v1/products/popular${query}`);

  /** The start of the window of `days` days, as the endpoint counts it (whole UTC hours). */
  async function windowStart(days: number): Promise<Date> {
    const { rows } = await stack.db.raw(`select date_trunc('hour', now(), 'UTC') - make_interval(days => ?) as start`, [days]);
    return rows[0].start;
  }

  /** Runs a test body away from an hour's turn, so the window cannot move under it. */
  async function awayFromTheHour() {
    const { rows } = await stack.db.raw('select extract(epoch from now()) as now');
    const intoHour = (Number(rows[0].now) * 1000) % HOUR;
    if (intoHour > HOUR - 60_000) await new Promise((resolve) => setTimeout(resolve, HOUR - intoHour + 1_000));
  }

  it('ranks by units sold in COMPLETED orders within the window, ties by orders, then newer product, then id', async () => {
    await awayFromTheHour();
    const { userId } = await signUpCustomer(stack);
    const [a, b, c, d, e, f] = [await product(stack.db), await product(stack.db), await product(stack.db), await product(stack.db), await product(stack.db), await product(stack.db)];
    const start3 = await windowStart(3);
    const inside = new Date(start3.getTime() + 30 * 60_000);
    const justOutside = new Date(start3.getTime() - 30 * 60_000);
    const recent = new Date(Date.now() - HOUR);
    const completed = (p: { productId: string; optionId: string }, quantity: number, paidAt: Date) => historicalOrder(stack.db, { userId, ...p, quantity, status: 'COMPLETED', paidAt });

    await completed(a, 3_000_000, inside); // at the window's very start: counted
    await completed(b, 1_000_000, recent);
    await completed(b, 1_000_000, recent);
    await completed(c, 700_000, recent);
    await completed(c, 700_000, inside);
    await completed(c, 600_000, recent); // 2,000,000 like b, in three orders: ahead of b
    await completed(d, 1_500_000, recent);
    await completed(e, 1_500_000, recent); // d's tie in units and orders: e is newer
    await completed(f, 5_000_000, justOutside); // before the 3-day window: only in the 4-day one
    for (const status of ['FAILED', 'EXPIRED', 'CANCELLED', 'PENDING_PAYMENT']) await historicalOrder(stack.db, { userId, ...f, quantity: 9_000_000, status });

    await createSalesRollupActivities({ db: stack.db }).rollUpProductSales();

    const threeDays = await popular('?days=3&limit=5');
    expect(threeDays.status).toBe(200);
    expect(threeDays.headers.get('cache-control')).toBe('public, max-age=30');
    expect(threeDays.body.items.map((i: { product: { id: string }; unitsSold: number; orderCount: number }) => [i.product.id, i.unitsSold, i.orderCount])).toEqual([
      [a.productId, 3_000_000, 1],
      [c.productId, 2_000_000, 3],
      [b.productId, 2_000_000, 2],
      [e.productId, 1_500_000, 1],
      [d.productId, 1_500_000, 1],
    ]);
    expect(threeDays.body).toMatchObject({ days: 3, rolledUpTo: expect.any(String) });
    // The defaults are 3 days and 5 products.
    expect((await popular('')).body.items).toEqual(threeDays.body.items);

    const fourDays = await popular('?days=4&limit=2');
    expect(fourDays.body.items.map((i: { product: { id: string }; unitsSold: number }) => [i.product.id, i.unitsSold])).toEqual([
      [f.productId, 5_000_000],
      [a.productId, 3_000_000],
    ]);
    expect(fourDays.body.items[0].product).toMatchObject({ id: f.productId, price: 1000, stockStatus: 'IN_STOCK' });
  });

  it('refuses windows and limits out of range with 400 naming the field', async () => {
    for (const query of ['?days=0', '?days=31', '?limit=0', '?limit=21', '?days=two', '?sort=units']) {
      const refused = await popular(query);
      expect({ query, status: refused.status, code: refused.body.error.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('recounts the hour of an order completed after that hour was rolled up (a payment that took its time)', async () => {
    await awayFromTheHour();
    const { userId } = await signUpCustomer(stack);
    const late = await product(stack.db);
    const rollUp = () => createSalesRollupActivities({ db: stack.db }).rollUpProductSales();
    await rollUp();
    // Paid five hours ago, completed only now: its hour was rolled up long before.
    const paidAt = new Date(Date.now() - 5 * HOUR);
    await historicalOrder(stack.db, { userId, ...late, quantity: 20_000_000, status: 'COMPLETED', paidAt, updatedAt: new Date() });

    const report = await rollUp();
    expect(report.lateBuckets).toBeGreaterThanOrEqual(1);
    const top = await popular('?days=1&limit=1');
    expect(top.body.items).toEqual([expect.objectContaining({ product: expect.objectContaining({ id: late.productId }), unitsSold: 20_000_000, orderCount: 1 })]);
    const [bucket] = await stack.db('product_sales_hourly').where({ product_id: late.productId });
    expect(new Date(bucket.bucket_start).getTime()).toBe(Math.floor(paidAt.getTime() / HOUR) * HOUR);
  });

  it('counts every order exactly once when rollups run concurrently with completions', async () => {
    await awayFromTheHour();
    const { userId } = await signUpCustomer(stack);
    const busy = await product(stack.db);
    const rollUp = () => createSalesRollupActivities({ db: stack.db }).rollUpProductSales();
    // 40 completions spread over the last three hours, written while 8 rollups race on the progress row.
    const completions = Array.from({ length: 40 }, (_, i) =>
      historicalOrder(stack.db, { userId, ...busy, quantity: 1_000_000 + i, status: 'COMPLETED', paidAt: new Date(Date.now() - (i % 3) * HOUR - 60_000) }),
    );
    await Promise.all([...completions, ...Array.from({ length: 8 }, rollUp)]);
    await rollUp();

    const expected = Array.from({ length: 40 }, (_, i) => 1_000_000 + i).reduce((a, b) => a + b, 0);
    const rows = await stack.db('product_sales_hourly').where({ product_id: busy.productId });
    expect(rows.reduce((sum, row) => sum + row.units_sold, 0)).toBe(expected);
    expect(rows.reduce((sum, row) => sum + row.order_count, 0)).toBe(40);
    const ranked = (await popular('?days=1&limit=20')).body.items as { product: { id: string }; unitsSold: number; orderCount: number }[];
    expect(ranked.find((i) => i.product.id === busy.productId)).toMatchObject({ unitsSold: expected, orderCount: 40 });
  });

  describe('its Schedule', () => {
    // A triggered run is allowed SCHEDULE_RUN_WITHIN_MS on a loaded machine.
    jest.setTimeout(300_000);
    const ids = testScheduleIds();
    afterAll(async () => {
      for (const id of Object.values(ids)) await stack.client.schedule.getHandle(id).delete().catch(() => undefined);
    });

    it('catches up on every hour a missed run left, when triggered by hand (`temporal schedule trigger`)', async () => {
      await awayFromTheHour();
      const hourly = { intervalMs: HOUR };
      await ensureMaintenanceSchedules(stack.client, {
        taskQueue: stack.taskQueue,
        reconciliation: { ...hourly, lookbackMs: HOUR },
        sweeper: { ...hourly, graceMs: HOUR, limit: 10 },
        idempotency: { ...hourly, retentionMs: 30 * DAY },
        salesRollup: hourly,
        delivery: { ...defaultDelivery(), ...hourly },
        ids,
      });
      // Bring the rollup up to now, then pretend its runs stopped three hours ago while
      // orders kept completing.
      await createSalesRollupActivities({ db: stack.db }).rollUpProductSales();
      const lastRun = new Date(Date.now() - 3 * HOUR);
      await stack.db('sales_rollup_progress').update({ rolled_up_to: lastRun });
      const { userId } = await signUpCustomer(stack);
      const g = await product(stack.db);
      const since = (ms: number) => new Date(lastRun.getTime() + ms);
      for (const at of [since(10 * 60_000), since(HOUR + 10 * 60_000), since(2 * HOUR + 10 * 60_000)]) {
        await historicalOrder(stack.db, { userId, ...g, quantity: 4_000_000, status: 'COMPLETED', paidAt: at, updatedAt: at });
      }

      const before = Date.now();
      await runbookCommand('temporal schedule trigger --schedule-id <scheduleId>', { scheduleId: ids.salesRollup });
      const action = await eventually(async () => {
        const { info } = await stack.client.schedule.getHandle(ids.salesRollup).describe();
        return info.recentActions.find((a) => a.takenAt.getTime() >= before - 1_000)?.action;
      }, SCHEDULE_RUN_WITHIN_MS, 'the triggered rollup run');
      const report = await stack.client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId).result();
      // It started from the hour the last run ended in.
      expect(new Date(report.from).getTime()).toBe(Math.floor(lastRun.getTime() / HOUR) * HOUR);

      const ranked = (await popular('?days=1&limit=20')).body.items as { product: { id: string }; unitsSold: number; orderCount: number }[];
      expect(ranked.find((i) => i.product.id === g.productId)).toMatchObject({ unitsSold: 12_000_000, orderCount: 3 });
      // One row per hour it sold in: recomputed per bucket, never added twice.
      const buckets = await stack.db('product_sales_hourly').where({ product_id: g.productId }).orderBy('bucket_start');
      expect(buckets.map((row) => [row.units_sold, row.order_count])).toEqual([
        [4_000_000, 1],
        [4_000_000, 1],
        [4_000_000, 1],
      ]);
      // A second run changes nothing.
      await createSalesRollupActivities({ db: stack.db }).rollUpProductSales();
      const again = (await popular('?days=1&limit=20')).body.items as { product: { id: string }; unitsSold: number }[];
      expect(again.find((i) => i.product.id === g.productId)?.unitsSold).toBe(12_000_000);
    });
  });
});
