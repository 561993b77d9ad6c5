import type { Knex } from 'knex';

/**
 * The outbox of completed orders for the data platform: a row is written in the same
 * transaction that makes an order COMPLETED, so no completion is ever without its
 * delivery, and the delivery Schedule drains it (src/activities/orderDelivery.ts).
 * The payload is the order as it completed, frozen then.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_deliveries', (t) => {
    t.uuid('order_id').primary().references('orders.id').onDelete('CASCADE');
    t.jsonb('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // A drain holds the rows it is sending until then; a crashed one lets go by itself.
    t.timestamp('leased_until', { useTz: true });
    t.timestamp('first_failed_at', { useTz: true });
    t.text('last_error');
    // How the last attempt failed: 'outage' (nothing in its round got through: the data
    // platform was away, so its return makes this one due again), 'failed' (others got
    // through; this one keeps its backoff) or 'refused' (a 4xx answer).
    t.text('last_failure');
    t.timestamp('delivered_at', { useTz: true });
    t.check('attempts >= 0', [], 'order_deliveries_attempts_non_negative');
    t.check('char_length(last_error) <= 2000', [], 'order_deliveries_last_error_length');
    t.check("last_failure in ('outage', 'failed', 'refused')", [], 'order_deliveries_last_failure_known');
  });
  // The drain's read: what is due, oldest first. Partial: delivered rows leave it.
  await knex.raw('create index order_deliveries_due on order_deliveries (next_attempt_at) where delivered_at is null');
  // Ops' listing of what was delivered, newest first (GET /admin/deliveries?state=delivered).
  await knex.raw('create index order_deliveries_delivered on order_deliveries (delivered_at desc, order_id) where delivered_at is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('order_deliveries');
}
