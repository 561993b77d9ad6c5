import type { Knex } from 'knex';

/** The retention prune deletes idempotency records by age: oldest first, without a scan. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index idempotency_records_by_age on idempotency_records (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index idempotency_records_by_age');
}
