import type { Knex } from 'knex';

/**
 * What the reconciliation and the sweeper read on every run, kept cheap as the tables grow:
 * orders by payment time, orders still waiting for payment by reservation end, and
 * reservations still held by age.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index orders_by_paid_at on orders (paid_at) where paid_at is not null');
  await knex.raw("create index orders_pending_by_expiry on orders (reservation_expires_at) where status = 'PENDING_PAYMENT'");
  await knex.raw("create index stock_orders_reserved_by_age on stock_orders (created_at) where state = 'RESERVED'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index stock_orders_reserved_by_age');
  await knex.raw('drop index orders_pending_by_expiry');
  await knex.raw('drop index orders_by_paid_at');
}
