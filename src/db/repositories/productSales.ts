import type { Knex } from 'knex';
import { AVAILABLE_UNITS_SQL, toProductSummary, type ProductSummary, type ProductSummaryRow } from './products';

export interface PopularProduct extends ProductSummary {
  unitsSold: number;
  orderCount: number;
}

const ROLLUP = 'product-sales-hourly';
/**
 * A completion whose transaction began before a run read the clock but committed after
 * it carries an updated_at just before that run: looked for again by the next run.
 */
const COMMIT_LAG = "interval '5 minutes'";
/** How far back a first run (no progress yet) rolls up: the endpoint reads at most 30 days. */
const FIRST_RUN_REACH = "interval '31 days'";

const HOUR_MS = 3_600_000;

/** Deletes the buckets in [from, to) (to null: no end) and rebuilds them from COMPLETED orders paid then; returns the rows written. */
async function rebuild(trx: Knex.Transaction, from: Date, to: Date | null): Promise<number> {
  const until = to ? 'and bucket_start < ?' : '';
  const paidUntil = to ? 'and o.paid_at < ?' : '';
  const bounds = to ? [from, to] : [from];
  await trx.raw(`delete from product_sales_hourly where bucket_start >= ? ${until}`, bounds);
  const inserted = await trx.raw(
    `insert into product_sales_hourly (bucket_start, product_id, units_sold, order_count)
     select date_trunc('hour', o.paid_at, 'UTC'), i.product_id, sum(i.quantity), count(distinct o.id)
       from orders o join order_items i on i.order_id = o.id
      where o.status = 'COMPLETED' and o.paid_at >= ? ${paidUntil}
      group by 1, 2`,
    bounds,
  );
  return inserted.rowCount ?? 0;
}

/**
 * The popular-products read: one range over the rollup's primary key (bucket_start), then
 * the few products it names; never the orders. Exported for the growth benchmark, which
 * explains exactly this statement.
 */
export const popularProductsQuery = (input: { days: number; limit: number }) => ({
  sql: `select p.id, p.name, p.price, p.image_url, s.units_sold, s.order_count, ${AVAILABLE_UNITS_SQL} as available
          from (select product_id, sum(units_sold) as units_sold, sum(order_count) as order_count
                  from product_sales_hourly
                 where bucket_start >= date_trunc('hour', now(), 'UTC') - make_interval(days => ?)
                 group by product_id) s
          join products p on p.id = s.product_id
         order by s.units_sold desc, s.order_count desc, p.created_at desc, p.id asc
         limit ?`,
  bindings: [input.days, input.limit],
});

export function createProductSalesRepository(db: Knex) {
  return {
    /**
     * Recomputes, in one transaction, every hourly bucket that may have changed since the
     * last run: each hour from the one the last run ended in up to now, and the hour of
     * each order completed since then whose payment falls earlier. A bucket is deleted
     * and rebuilt from COMPLETED orders, never incremented, so running twice, catching up
     * after downtime or overlapping a late completion counts each order once. The
     * progress row is locked first: two runs never interleave.
     */
    async rollUp(): Promise<{ from: Date; to: Date; lateBuckets: number; rows: number }> {
      return db.transaction(async (trx) => {
        // No statement (the lock wait included) outlives the activity's own timeout
        // (salesRollupOptions) by much: a retry does not queue for long behind a run its
        // worker gave up on.
        await trx.raw(`set local statement_timeout = '5min'`);
        await trx.raw('insert into sales_rollup_progress (rollup, rolled_up_to) values (?, now() - ' + FIRST_RUN_REACH + ') on conflict (rollup) do nothing', [ROLLUP]);
        const { rows: [progress] } = await trx.raw(
          // The clock once the lock is held: now() is the transaction's start, before any wait.
          `select rolled_up_to, date_trunc('hour', rolled_up_to, 'UTC') as range_start, clock_timestamp() as to from sales_rollup_progress where rollup = ? for update`,
          [ROLLUP],
        );
        const { rows: late } = await trx.raw(
          `select distinct date_trunc('hour', paid_at, 'UTC') as bucket from orders
            where status = 'COMPLETED' and updated_at >= ?::timestamptz - ${COMMIT_LAG} and paid_at < ?`,
          [progress.rolled_up_to, progress.range_start],
        );
        const lateBuckets: Date[] = late.map((r: { bucket: Date }) => r.bucket);
        let rows = await rebuild(trx, progress.range_start, null);
        for (const bucket of lateBuckets) rows += await rebuild(trx, bucket, new Date(bucket.getTime() + HOUR_MS));
        await trx('sales_rollup_progress').where({ rollup: ROLLUP }).update({ rolled_up_to: progress.to, updated_at: trx.fn.now() });
        return { from: progress.range_start, to: progress.to, lateBuckets: lateBuckets.length, rows };
      });
    },

    /** Up to when the rollup has counted; null before its first run. */
    async rolledUpTo(): Promise<Date | null> {
      const row = await db('sales_rollup_progress').where({ rollup: ROLLUP }).first('rolled_up_to');
      return row?.rolled_up_to ?? null;
    },

    /**
     * The products with the most units sold over the last `days` days (whole hours: from
     * the start of the hour `days` days ago), as the last rollup saw them; ties go to more
     * orders, then the newer product, then the id.
     */
    async popular(input: { days: number; limit: number }): Promise<PopularProduct[]> {
      const { sql, bindings } = popularProductsQuery(input);
      const { rows } = await db.raw(sql, bindings);
      return rows.map((r: ProductSummaryRow & { units_sold: string; order_count: string }): PopularProduct => ({
        ...toProductSummary(r),
        unitsSold: Number(r.units_sold),
        orderCount: Number(r.order_count),
      }));
    },
  };
}
