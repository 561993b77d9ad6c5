import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_coupons', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('users.id').onDelete('RESTRICT');
    t.uuid('coupon_id').notNullable().references('coupons.id').onDelete('RESTRICT');
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.uuid('used_order_id');
    // The Temporal run that issued this row: a retried activity of the same run finds
    // its own row and returns it instead of reporting ALREADY_ISSUED.
    t.text('issued_by_run_id').notNullable();
    // One coupon per user, enforced by the database whatever the code does.
    t.unique(['user_id', 'coupon_id'], { indexName: 'user_coupons_one_per_user' });
    t.index(['user_id', 'issued_at'], 'user_coupons_by_user');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_coupons');
}
