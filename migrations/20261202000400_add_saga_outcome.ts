import type { Knex } from 'knex';

/**
 * How the order's payment saga ended (its progress at the end: steps done, the step that
 * failed, the compensations run), written with the order's last move, so reading an
 * ended order never asks the workflow (a query on a closed workflow replays its history).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.jsonb('saga_outcome');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('saga_outcome');
  });
}
