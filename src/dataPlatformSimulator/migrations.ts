import type { Knex } from 'knex';
import type { SimulatorSchema } from '../simulatorKit/migrations';

/** The data platform's records, in a schema of their own (see SimulatorSchema). */
export const SCHEMA = 'data_platform';
export const TABLES = {
  orderRecords: `${SCHEMA}.order_records`,
} as const;

/** The constraint behind 409 ORDER_ALREADY_RECORDED: one record per order, whatever its key. */
export const ONE_RECORD_PER_ORDER = 'order_records_order_id_unique';

const createOrderRecords: Knex.Migration = {
  async up(knex) {
    await knex.schema.withSchema(SCHEMA).createTable('order_records', (t) => {
      t.text('idempotency_key').primary();
      t.text('order_id').notNullable().unique({ indexName: ONE_RECORD_PER_ORDER });
      t.integer('schema_version').notNullable();
      t.jsonb('payload').notNullable();
      t.text('payload_hash').notNullable();
      t.timestamp('first_received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('last_received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.integer('receipts').notNullable().defaultTo(1);
      t.check('char_length(idempotency_key) between 1 and 255', [], 'order_records_key_length');
      t.check('char_length(order_id) between 1 and 200', [], 'order_records_order_id_length');
      t.check('schema_version >= 1', [], 'order_records_schema_version_positive');
      t.check('receipts >= 1', [], 'order_records_receipts_positive');
    });
    // The listing pages through records in arrival order.
    await knex.raw(`create index order_records_by_arrival on ${TABLES.orderRecords} (first_received_at, order_id)`);
  },
  async down(knex) {
    await knex.schema.withSchema(SCHEMA).dropTable('order_records');
  },
};

export const DATA_PLATFORM_SCHEMA: SimulatorSchema = {
  name: SCHEMA,
  migrationTable: 'data_platform_migrations',
  // In order; append new ones, never edit one that has run somewhere.
  migrations: {
    '20261203000100_create_order_records': createOrderRecords,
  },
};

