import { seedHistoricalOrders } from '../../bench/lib/history';
import { createDb, migrateToLatest, type Knex } from '../../src/db/knex';
import { createThrowawayDatabase } from '../../src/dev/throwawayDatabase';
import { testEnvironment } from '../support/environment';

/**
 * The growth benchmark's history must look like what the platform writes, under every
 * constraint the platform's tables have, or its "latency stays flat" would be measured
 * on the wrong data. Seeded into a database of its own: other tests list orders.
 */
describe('historical orders for the growth benchmark', () => {
  let db: Knex;
  let drop: () => Promise<void>;
  let url: string;
  beforeAll(async () => {
    ({ url, drop } = await createThrowawayDatabase(testEnvironment().databaseUrl, 'history_seed_test'));
    db = createDb({ url, poolMax: 2 });
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await drop?.();
  });

  const count = async (table: string) => Number((await db(table).count<{ c: string }[]>({ c: '*' }))[0].c);

  it('writes each order with its item, confirmed reservation and both idempotency records, in chunks', async () => {
    const progress: number[] = [];
    await seedHistoricalOrders(url, 2_500, (done) => progress.push(done), 1_000);

    expect(progress).toEqual([1_000, 2_000, 2_500]);
    expect(await count('orders')).toBe(2_500);
    expect(await count('order_items')).toBe(2_500);
    expect(await count('stock_orders')).toBe(2_500);
    expect(await count('stock_reservations')).toBe(2_500);
    expect(await count('idempotency_records')).toBe(5_000);
    // 20 orders a customer: 50 + 50 + 25 customers over the three chunks.
    expect(await count('users')).toBe(125);
    const perCustomer = await db('orders').select('user_id').count<{ n: string }[]>({ n: '*' }).groupBy('user_id');
    expect(new Set(perCustomer.map((r) => Number(r.n)))).toEqual(new Set([20]));

    const states = await db('orders').distinct('status').pluck('status');
    expect(states).toEqual(['COMPLETED']);
    expect(await db('stock_orders').whereNot({ state: 'CONFIRMED' }).count<{ c: string }[]>({ c: '*' }).then((r) => Number(r[0].c))).toBe(0);
    // Spread evenly over the history's 200 products: every option's stock says what it sold.
    const stocks = await db('stocks as s').join('order_items as i', 'i.option_id', 's.option_id').groupBy('s.option_id', 's.total', 's.sold', 's.available', 's.reserved')
      .select('s.total', 's.available', 's.reserved', 's.sold').count<{ total: number; available: number; reserved: number; sold: number; n: string }[]>({ n: '*' });
    expect(stocks).toHaveLength(200);
    expect(stocks.every((r) => r.total === Number(r.n) && r.sold === Number(r.n) && r.available === 0 && r.reserved === 0)).toBe(true);
    expect(new Set(stocks.map((r) => Number(r.n)))).toEqual(new Set([12, 13]));
    // Every order's placement and payment can be answered from its idempotency records.
    const unanswered = await db('orders as o')
      .leftJoin('idempotency_records as p', function () {
        this.on('p.user_id', 'o.user_id').andOn('p.key', 'o.idempotency_key').andOnVal('p.scope', 'place-order');
      })
      .whereNull('p.key')
      .count<{ c: string }[]>({ c: '*' });
    expect(Number(unanswered[0].c)).toBe(0);
  });
});
