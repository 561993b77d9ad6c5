import type { Knex } from 'knex';

/**
 * Units sold per product per hour (UTC) over COMPLETED orders, recomputed bucket by bucket
 * by the sales rollup (src/activities/salesRollup.ts), so "popular products" is one
 * indexed read however many orders there are. The progress row says up to when it ran.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('product_sales_hourly', (t) => {
    t.timestamp('bucket_start', { useTz: true }).notNullable();
    t.uuid('product_id').notNullable().references('products.id').onDelete('CASCADE');
    t.integer('units_sold').notNullable();
    t.integer('order_count').notNullable();
    // A window's read is a range over bucket_start.
    t.primary(['bucket_start', 'product_id']);
    t.check('units_sold > 0 and order_count > 0 and order_count <= units_sold', [], 'product_sales_hourly_counts');
  });
  await knex.schema.createTable('sales_rollup_progress', (t) => {
    t.text('rollup').primary();
    t.timestamp('rolled_up_to', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // The rollup's reads: completed orders by payment time, and those completed since a run
  // (whose payment may fall in an hour already rolled up). Partial: only completions
  // write to them, never the many moves of orders still waiting for payment.
  await knex.raw("create index orders_completed_by_paid_at on orders (paid_at) where status = 'COMPLETED'");
  await knex.raw("create index orders_completed_by_updated_at on orders (updated_at) where status = 'COMPLETED'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists orders_completed_by_updated_at');
  await knex.raw('drop index if exists orders_completed_by_paid_at');
  await knex.schema.dropTable('sales_rollup_progress');
  await knex.schema.dropTable('product_sales_hourly');
}
