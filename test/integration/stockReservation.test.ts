import { randomUUID } from 'node:crypto';
import { createStockActivities, type StockLocking } from '../../src/activities/stock';
import { createDb, type Knex } from '../../src/db/knex';
import { productWithStock, reservationCount, stockOf } from '../support/catalog';
import { testEnvironment } from '../support/environment';

/**
 * Stock activities against real PostgreSQL under real concurrency: every call is its
 * own transaction on its own pooled connection, racing on the same stock rows.
 */
describe.each<StockLocking>(['version-check', 'for-update'])('stock reservation (%s)', (locking) => {
  let db: Knex;
  let activities: ReturnType<typeof createStockActivities>;
  beforeAll(() => {
    db = createDb({ url: testEnvironment().databaseUrl, poolMax: 20 });
    activities = createStockActivities({ db, locking });
  });
  afterAll(() => db.destroy());

  const outcome = (promise: Promise<unknown>) =>
    promise.then(
      () => 'OK',
      (error: { type?: string; message: string }) => error.type ?? error.message,
    );
  const reserveOne = (optionId: string, orderId = randomUUID()) =>
    outcome(activities.reserveStock({ orderId, items: [{ optionId, quantity: 1 }] }));
  const tally = (outcomes: string[]) =>
    outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});

  it('gives 50 in stock to exactly 50 of 100 concurrent reservations', async () => {
    const [option] = await productWithStock(db, [50]);

    const outcomes = await Promise.all(Array.from({ length: 100 }, () => reserveOne(option)));

    expect(tally(outcomes)).toEqual({ OK: 50, OUT_OF_STOCK: 50 });
    expect(await stockOf(db, option)).toEqual({ total: 50, available: 0, reserved: 50, sold: 0 });
    expect(await reservationCount(db, option)).toBe(50);
  });

  it('lets all 100 concurrent reservations through when 100 are in stock', async () => {
    const [option] = await productWithStock(db, [100]);

    const outcomes = await Promise.all(Array.from({ length: 100 }, () => reserveOne(option)));

    expect(tally(outcomes)).toEqual({ OK: 100 });
    expect(await stockOf(db, option)).toEqual({ total: 100, available: 0, reserved: 100, sold: 0 });
  });

  it('keeps the counts exact with reserves, releases and confirms racing', async () => {
    const [option] = await productWithStock(db, [100]);
    const held = Array.from({ length: 50 }, () => randomUUID());
    for (const orderId of held) expect(await reserveOne(option, orderId)).toBe('OK');
    expect(await stockOf(db, option)).toEqual({ total: 100, available: 50, reserved: 50, sold: 0 });

    const [reserves, releases, confirms] = await Promise.all([
      Promise.all(Array.from({ length: 30 }, () => reserveOne(option))),
      Promise.all(held.slice(0, 20).map((orderId) => outcome(activities.releaseStock(orderId)))),
      Promise.all(held.slice(20, 40).map((orderId) => outcome(activities.confirmStock(orderId)))),
    ]);

    expect(tally(reserves)).toEqual({ OK: 30 });
    expect(tally(releases)).toEqual({ OK: 20 });
    expect(tally(confirms)).toEqual({ OK: 20 });
    // 50 available - 30 reserved + 20 released; 50 reserved + 30 - 20 - 20; 20 sold.
    expect(await stockOf(db, option)).toEqual({ total: 100, available: 40, reserved: 40, sold: 20 });
    expect(await reservationCount(db, option, 'RESERVED')).toBe(40);
    expect(await reservationCount(db, option, 'RELEASED')).toBe(20);
    expect(await reservationCount(db, option, 'CONFIRMED')).toBe(20);
  });

  it('reserves nothing for any item of an order when one item is short', async () => {
    const [plenty, short] = await productWithStock(db, [10, 1]);
    const orderId = randomUUID();

    const result = activities.reserveStock({
      orderId,
      items: [
        { optionId: plenty, quantity: 3 },
        { optionId: short, quantity: 2 },
      ],
    });

    await expect(result).rejects.toMatchObject({
      type: 'OUT_OF_STOCK',
      nonRetryable: true,
      details: [{ optionId: short, requested: 2, available: 1 }],
    });
    expect(await stockOf(db, plenty)).toEqual({ total: 10, available: 10, reserved: 0, sold: 0 });
    expect(await stockOf(db, short)).toEqual({ total: 1, available: 1, reserved: 0, sold: 0 });
    expect(await db('stock_reservations').where({ order_id: orderId })).toEqual([]);
  });

  it('reserves every item of a multi-item order together, summing repeated options', async () => {
    const [a, b] = await productWithStock(db, [5, 5]);
    const orderId = randomUUID();
    const result = await activities.reserveStock({
      orderId,
      items: [
        { optionId: b, quantity: 1 },
        { optionId: a, quantity: 2 },
        { optionId: b, quantity: 2 },
      ],
    });
    expect(result.changed).toBe(true);
    expect(await stockOf(db, a)).toEqual({ total: 5, available: 3, reserved: 2, sold: 0 });
    expect(await stockOf(db, b)).toEqual({ total: 5, available: 2, reserved: 3, sold: 0 });
  });

  it('changes nothing when the same reserve, confirm or release is repeated', async () => {
    const [option] = await productWithStock(db, [10]);
    const orderId = randomUUID();
    const items = [{ optionId: option, quantity: 4 }];

    expect((await activities.reserveStock({ orderId, items })).changed).toBe(true);
    expect(await activities.reserveStock({ orderId, items })).toMatchObject({ changed: false, state: 'RESERVED' });
    expect(await stockOf(db, option)).toEqual({ total: 10, available: 6, reserved: 4, sold: 0 });

    expect((await activities.confirmStock(orderId)).changed).toBe(true);
    expect(await activities.confirmStock(orderId)).toMatchObject({ changed: false, state: 'CONFIRMED' });
    expect(await stockOf(db, option)).toEqual({ total: 10, available: 6, reserved: 0, sold: 4 });

    const other = randomUUID();
    await activities.reserveStock({ orderId: other, items });
    expect((await activities.releaseStock(other)).changed).toBe(true);
    expect(await activities.releaseStock(other)).toMatchObject({ changed: false, state: 'RELEASED' });
    expect(await stockOf(db, option)).toEqual({ total: 10, available: 6, reserved: 0, sold: 4 });
  });

  it('ten concurrent repeats of one reserve reserve once', async () => {
    const [option] = await productWithStock(db, [10]);
    const orderId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => activities.reserveStock({ orderId, items: [{ optionId: option, quantity: 3 }] })),
    );
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(await stockOf(db, option)).toEqual({ total: 10, available: 7, reserved: 3, sold: 0 });
  });

  it('refuses a release after a confirm, leaving sold units sold', async () => {
    const [option] = await productWithStock(db, [5]);
    const orderId = randomUUID();
    await activities.reserveStock({ orderId, items: [{ optionId: option, quantity: 2 }] });
    await activities.confirmStock(orderId);

    await expect(activities.releaseStock(orderId)).rejects.toMatchObject({ type: 'INVALID_STOCK_TRANSITION', nonRetryable: true });
    expect(await stockOf(db, option)).toEqual({ total: 5, available: 3, reserved: 0, sold: 2 });
  });

  it('refuses to re-reserve a released order and to confirm one never reserved', async () => {
    const [option] = await productWithStock(db, [5]);
    const released = randomUUID();
    await activities.reserveStock({ orderId: released, items: [{ optionId: option, quantity: 1 }] });
    await activities.releaseStock(released);

    await expect(
      activities.reserveStock({ orderId: released, items: [{ optionId: option, quantity: 1 }] }),
    ).rejects.toMatchObject({ type: 'INVALID_STOCK_TRANSITION' });
    await expect(activities.confirmStock(randomUUID())).rejects.toMatchObject({ type: 'RESERVATION_NOT_FOUND' });
    expect(await stockOf(db, option)).toEqual({ total: 5, available: 5, reserved: 0, sold: 0 });
  });

  it('records a release of nothing, so a reserve arriving late is refused', async () => {
    const [option] = await productWithStock(db, [5]);
    const orderId = randomUUID();
    expect(await activities.releaseStock(orderId)).toEqual({ orderId, state: 'RELEASED', changed: false, items: [] });

    await expect(
      activities.reserveStock({ orderId, items: [{ optionId: option, quantity: 2 }] }),
    ).rejects.toMatchObject({ type: 'INVALID_STOCK_TRANSITION' });
    expect(await stockOf(db, option)).toEqual({ total: 5, available: 5, reserved: 0, sold: 0 });
  });

  it('lets exactly one of a racing confirm and release of the same order act', async () => {
    const [option] = await productWithStock(db, [10]);
    const orders = Array.from({ length: 10 }, () => randomUUID());
    for (const orderId of orders) await activities.reserveStock({ orderId, items: [{ optionId: option, quantity: 1 }] });

    // Every order gets a confirm and a release at once, each sent twice (as a retry would).
    const results = await Promise.all(
      orders.flatMap((orderId) =>
        [activities.confirmStock, activities.releaseStock, activities.confirmStock, activities.releaseStock].map((act) =>
          outcome(act(orderId)),
        ),
      ),
    );

    expect(results.filter((r) => r === 'OK')).toHaveLength(20); // the winner and its own repeat
    expect(results.filter((r) => r === 'INVALID_STOCK_TRANSITION')).toHaveLength(20);
    const confirmed = await reservationCount(db, option, 'CONFIRMED');
    const released = await reservationCount(db, option, 'RELEASED');
    expect(confirmed + released).toBe(10);
    expect(await stockOf(db, option)).toEqual({ total: 10, available: released, reserved: 0, sold: confirmed });
  });

  it('answers OPTION_NOT_FOUND for an unknown option', async () => {
    await expect(
      activities.reserveStock({ orderId: randomUUID(), items: [{ optionId: randomUUID(), quantity: 1 }] }),
    ).rejects.toMatchObject({ type: 'OPTION_NOT_FOUND' });
  });

  it.each([
    ['no items', () => ({ orderId: randomUUID(), items: [] })],
    ['a zero quantity', (option: string) => ({ orderId: randomUUID(), items: [{ optionId: option, quantity: 0 }] })],
    ['a fractional quantity', (option: string) => ({ orderId: randomUUID(), items: [{ optionId: option, quantity: 1.5 }] })],
    ['an option id that is not a UUID', () => ({ orderId: randomUUID(), items: [{ optionId: 'x', quantity: 1 }] })],
    ['an order id that is not a UUID', (option: string) => ({ orderId: 'order-1', items: [{ optionId: option, quantity: 1 }] })],
  ])('refuses a reservation with %s without retrying', async (_label, build) => {
    const [option] = await productWithStock(db, [5]);
    await expect(activities.reserveStock(build(option))).rejects.toMatchObject({ type: 'INVALID_STOCK_REQUEST', nonRetryable: true });
    expect(await stockOf(db, option)).toEqual({ total: 5, available: 5, reserved: 0, sold: 0 });
  });

  describe('the database refuses inconsistent counts', () => {
    it('rejects a negative count and counts that do not add up', async () => {
      const [option] = await productWithStock(db, [5]);
      await expect(db('stocks').where({ option_id: option }).update({ available: -1, reserved: 6 })).rejects.toMatchObject({
        code: '23514',
        constraint: 'stocks_counts_non_negative',
      });
      await expect(db('stocks').where({ option_id: option }).update({ available: 4 })).rejects.toMatchObject({
        code: '23514',
        constraint: 'stocks_counts_add_up',
      });
    });
  });
});
