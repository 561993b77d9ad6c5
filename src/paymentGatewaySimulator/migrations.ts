import type { Knex } from 'knex';
import { migrateSchema, type SimulatorSchema } from '../simulatorKit/migrations';

/** The gateway's ledger, in a schema of its own (see SimulatorSchema). */
export const SCHEMA = 'payment_gateway';
export const TABLES = {
  payments: `${SCHEMA}.payments`,
  ledgerEntries: `${SCHEMA}.ledger_entries`,
  idempotencyKeys: `${SCHEMA}.idempotency_keys`,
} as const;

const createPayments: Knex.Migration = {
  async up(knex) {
    await knex.schema.withSchema(SCHEMA).createTable('payments', (t) => {
      t.uuid('payment_key').primary();
      t.text('order_id').notNullable().index('payments_order_id');
      t.bigInteger('amount').notNullable();
      t.text('card_token').notNullable();
      t.text('status').notNullable();
      t.timestamp('approved_at', { useTz: true }).notNullable();
      t.timestamp('canceled_at', { useTz: true });
      t.integer('refund_failures_remaining').notNullable().defaultTo(0);
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check('amount > 0', [], 'payments_amount_positive');
      t.check("status in ('DONE', 'CANCELED')", [], 'payments_status_known');
      t.check("(status = 'CANCELED') = (canceled_at is not null)", [], 'payments_canceled_at_iff_canceled');
      t.check('refund_failures_remaining >= 0', [], 'payments_refund_failures_non_negative');
    });
    // The backstop behind the ALREADY_PAID check: one live charge per order, whatever races.
    await knex.raw(
      `create unique index payments_one_live_charge_per_order on ${TABLES.payments} (order_id) where status = 'DONE'`,
    );
  },
  async down(knex) {
    await knex.schema.withSchema(SCHEMA).dropTable('payments');
  },
};

const createLedgerEntries: Knex.Migration = {
  async up(knex) {
    await knex.schema.withSchema(SCHEMA).createTable('ledger_entries', (t) => {
      t.bigIncrements('id');
      t.uuid('payment_key').notNullable().references('payment_key').inTable(TABLES.payments);
      t.text('order_id').notNullable().index('ledger_entries_order_id');
      t.text('kind').notNullable();
      t.bigInteger('amount').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.check("kind in ('CHARGE', 'REFUND')", [], 'ledger_entries_kind_known');
      t.check('amount > 0', [], 'ledger_entries_amount_positive');
      // Refunds are full, so a payment has one CHARGE and at most one REFUND: money can
      // never move twice for the same payment, even if the code tried.
      t.unique(['payment_key', 'kind'], { indexName: 'ledger_entries_one_per_kind' });
    });
  },
  async down(knex) {
    await knex.schema.withSchema(SCHEMA).dropTable('ledger_entries');
  },
};

const createIdempotencyKeys: Knex.Migration = {
  async up(knex) {
    await knex.schema.withSchema(SCHEMA).createTable('idempotency_keys', (t) => {
      t.text('scope').notNullable();
      t.text('key').notNullable();
      t.text('request_hash').notNullable();
      t.integer('response_status').notNullable();
      t.jsonb('response_body').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.primary(['scope', 'key']);
      t.check('char_length(key) between 1 and 255', [], 'idempotency_keys_key_length');
    });
  },
  async down(knex) {
    await knex.schema.withSchema(SCHEMA).dropTable('idempotency_keys');
  },
};

const indexPaymentsByApproval: Knex.Migration = {
  async up(knex) {
    // The reconciliation's listing reads payments by approval time, a page at a time.
    await knex.raw(`create index payments_by_approval on ${TABLES.payments} (approved_at, payment_key)`);
  },
  async down(knex) {
    await knex.raw(`drop index ${SCHEMA}.payments_by_approval`);
  },
};

export const GATEWAY_SCHEMA: SimulatorSchema = {
  name: SCHEMA,
  migrationTable: 'gateway_migrations',
  // In order; append new ones, never edit one that has run somewhere.
  migrations: {
    '20261201000100_create_payments': createPayments,
    '20261201000200_create_ledger_entries': createLedgerEntries,
    '20261201000300_create_idempotency_keys': createIdempotencyKeys,
    '20261202000100_index_payments_by_approval': indexPaymentsByApproval,
  },
};

/** Creates the gateway's schema and applies its pending migrations; safe when simulators start together. */
export const migrateGatewaySchema = (db: Knex): Promise<string[]> => migrateSchema(db, GATEWAY_SCHEMA);
