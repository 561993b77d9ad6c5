import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('products', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('description');
    t.integer('price').notNullable();
    t.text('category').notNullable();
    t.text('image_url');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('price >= 0', [], 'products_price_non_negative');
    t.index(['category', 'created_at'], 'products_by_category');
    t.index(['created_at'], 'products_by_newest');
  });
  await knex.schema.createTable('product_options', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('product_id').notNullable().references('products.id').onDelete('RESTRICT');
    t.text('type').notNullable();
    t.text('name').notNullable();
    t.integer('additional_price').notNullable().defaultTo(0);
    // Display order within the product, as the admin listed the options.
    t.integer('position').notNullable();
    t.check('additional_price >= 0', [], 'product_options_additional_price_non_negative');
    t.unique(['product_id', 'position'], { indexName: 'product_options_position' });
  });
  // One stock row per option. The CHECKs make an oversell or a lost unit impossible to
  // commit, whatever the code does.
  await knex.schema.createTable('stocks', (t) => {
    t.uuid('option_id').primary().references('product_options.id').onDelete('RESTRICT');
    t.integer('total').notNullable();
    t.integer('available').notNullable();
    t.integer('reserved').notNullable().defaultTo(0);
    t.integer('sold').notNullable().defaultTo(0);
    // Optimistic-lock version: every change increments it (src/db/repositories/stocks.ts).
    t.integer('version').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('available >= 0 and reserved >= 0 and sold >= 0', [], 'stocks_counts_non_negative');
    t.check('available + reserved + sold = total', [], 'stocks_counts_add_up');
  });
  // One row per order that ever touched stock: the state of its reservation. Every move
  // locks this row first, so two moves of one order (a confirm racing a release, or a
  // retry overlapping an attempt that timed out) run one after the other.
  await knex.schema.createTable('stock_orders', (t) => {
    t.uuid('order_id').primary();
    t.text('state').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("state in ('RESERVED', 'CONFIRMED', 'RELEASED')", [], 'stock_orders_state_known');
  });
  // What each order holds of each option: the memory that makes the moves idempotent.
  await knex.schema.createTable('stock_reservations', (t) => {
    t.uuid('order_id').notNullable().references('stock_orders.order_id').onDelete('RESTRICT');
    t.uuid('option_id').notNullable().references('stocks.option_id').onDelete('RESTRICT');
    t.integer('quantity').notNullable();
    t.primary(['order_id', 'option_id']);
    t.check('quantity > 0', [], 'stock_reservations_quantity_positive');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('stock_reservations');
  await knex.schema.dropTable('stock_orders');
  await knex.schema.dropTable('stocks');
  await knex.schema.dropTable('product_options');
  await knex.schema.dropTable('products');
}
