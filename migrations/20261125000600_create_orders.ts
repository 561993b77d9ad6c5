import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cart_items', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.uuid('option_id').notNullable().references('product_options.id').onDelete('RESTRICT');
    t.integer('quantity').notNullable();
    // What the customer saw when adding the line; the order re-reads the catalog.
    t.text('product_name').notNullable();
    t.text('option_name').notNullable();
    t.integer('unit_price').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Adding the same option again grows its line (an upsert on this constraint).
    t.unique(['user_id', 'option_id'], { indexName: 'cart_items_one_line_per_option' });
    t.check('quantity > 0', [], 'cart_items_quantity_positive');
    t.check('unit_price >= 0', [], 'cart_items_unit_price_non_negative');
  });

  await knex.schema.createTable('orders', (t) => {
    // Derived from (customer, Idempotency-Key) by the API, so a repeated placement can
    // only ever name the same order.
    t.uuid('id').primary();
    t.uuid('user_id').notNullable().references('users.id').onDelete('RESTRICT');
    t.text('idempotency_key').notNullable();
    t.text('request_hash').notNullable();
    t.text('workflow_id').notNullable().unique();
    t.text('status').notNullable();
    t.integer('total_amount').notNullable();
    t.integer('discount_amount').notNullable();
    t.integer('final_amount').notNullable();
    t.uuid('user_coupon_id').references('user_coupons.id').onDelete('RESTRICT');
    t.timestamp('reservation_expires_at', { useTz: true }).notNullable();
    t.text('saga_workflow_id');
    t.text('payment_request_key');
    t.text('payment_key');
    t.timestamp('paid_at', { useTz: true });
    t.text('failure_reason');
    // Mirrors the NeedsAttention search attribute (a compensation keeps failing), for
    // GET /admin/orders: PostgreSQL answers at once, Temporal's visibility eventually.
    t.boolean('needs_attention').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Exactly one order per customer and key, whatever the code or Temporal does.
    t.unique(['user_id', 'idempotency_key'], { indexName: 'orders_one_per_idempotency_key' });
    t.index(['user_id', 'created_at'], 'orders_by_user_newest');
    t.index(['status', 'created_at'], 'orders_by_status');
    t.index(['needs_attention', 'created_at'], 'orders_by_attention');
    t.check(
      "status in ('PENDING_PAYMENT', 'COMPLETED', 'CANCELLED', 'EXPIRED', 'FAILED')",
      [],
      'orders_status_known',
    );
    t.check('total_amount >= 0 and discount_amount >= 0', [], 'orders_amounts_non_negative');
    t.check('final_amount = total_amount - discount_amount and final_amount > 0', [], 'orders_final_amount');
    // Paid means completed: an order is never both EXPIRED (or CANCELLED) and paid.
    t.check("(paid_at is null) = (status <> 'COMPLETED')", [], 'orders_paid_iff_completed');
  });

  await knex.schema.createTable('order_items', (t) => {
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.uuid('option_id').notNullable().references('product_options.id').onDelete('RESTRICT');
    t.uuid('product_id').notNullable();
    t.text('product_name').notNullable();
    t.text('option_name').notNullable();
    t.integer('unit_price').notNullable();
    t.integer('quantity').notNullable();
    t.integer('line_amount').notNullable();
    t.primary(['order_id', 'option_id']);
    t.check('quantity > 0 and unit_price >= 0', [], 'order_items_positive');
    t.check('line_amount = unit_price * quantity', [], 'order_items_line_amount');
  });

  // The client's Idempotency-Key per customer and operation, with a hash of the request
  // and, once known, the outcome: replays are answered from here long after Temporal's
  // retention has dropped the workflow.
  await knex.schema.createTable('idempotency_records', (t) => {
    t.uuid('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('scope').notNullable();
    t.text('key').notNullable();
    t.text('request_hash').notNullable();
    t.integer('response_status');
    t.jsonb('response_body');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.primary(['user_id', 'scope', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_records');
  await knex.schema.dropTable('order_items');
  await knex.schema.dropTable('orders');
  await knex.schema.dropTable('cart_items');
}
