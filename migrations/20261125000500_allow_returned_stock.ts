import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A confirmed (sold) reservation can be handed back when the order fails after the
  // confirm step: RETURNED is that move's end state (docs/stock.md).
  await knex.raw('alter table stock_orders drop constraint stock_orders_state_known');
  await knex.raw(
    "alter table stock_orders add constraint stock_orders_state_known check (state in ('RESERVED', 'CONFIRMED', 'RELEASED', 'RETURNED'))",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table stock_orders drop constraint stock_orders_state_known');
  await knex.raw("alter table stock_orders add constraint stock_orders_state_known check (state in ('RESERVED', 'CONFIRMED', 'RELEASED'))");
}
